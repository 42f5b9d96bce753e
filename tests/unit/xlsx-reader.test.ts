import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { BlobWriter, TextReader, ZipWriter, configure } from '@zip.js/zip.js';
import { excelSerialToIso, formatKind, listXlsxSheets, readXlsx, type XlsxBatch } from '../../src/lib/ingest/xlsx-reader';
import { RECORDS_PER_POSITION, type JsonItem } from '../../src/lib/ingest/json-reader';

configure({ useWebWorkers: false });

const fixtureBytes = (name: string) => new Uint8Array(readFileSync(new URL(`../fixtures/tabular/${name}`, import.meta.url)));
const fixture = (name: string) => new Blob([fixtureBytes(name)]);

async function readAll(file: Blob, opts: { sheet?: string; batchRows?: number; signal?: AbortSignal } = {}): Promise<XlsxBatch[]> {
  const out: XlsxBatch[] = [];
  for await (const b of readXlsx(file, { batchRows: 1000, ...opts })) out.push(b);
  return out;
}
const itemsOf = (batches: XlsxBatch[]): JsonItem[] => batches.flatMap((b) => b.items);
const rowAt = (position: number, row: Record<string, string | null>): JsonItem => ({ position, record: position * RECORDS_PER_POSITION, row });
const emptyAt = (position: number): JsonItem => ({ position, record: position * RECORDS_PER_POSITION, skip: 'empty row' });

// ---------------------------------------------------------------------------------------------------------------
// Hand-written workbooks: the XML parts of a minimal .xlsx, zipped by zip.js.

const NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

interface BookSpec {
  sheets?: { name: string; xml: string }[];
  /** `<sheetData>` content of a single sheet named Sheet1. */
  sheetData?: string;
  strings?: string[];
  /** Raw `<si>` elements, for rich text. */
  rawStrings?: string;
  styles?: string;
  workbookPr?: string;
}

async function makeXlsx(spec: BookSpec): Promise<Blob> {
  const sheets = spec.sheets ?? [{ name: 'Sheet1', xml: `<worksheet ${NS}><sheetData>${spec.sheetData ?? ''}</sheetData></worksheet>` }];
  const parts: Record<string, string> = {
    '[Content_Types].xml': '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
    '_rels/.rels': `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    'xl/workbook.xml': `<?xml version="1.0" encoding="UTF-8"?><workbook ${NS}>${spec.workbookPr ?? '<workbookPr/>'}<sheets>${
      sheets.map((s, i) => `<sheet name="${s.name}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join('')}</sheets></workbook>`,
    'xl/_rels/workbook.xml.rels': `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${
      sheets.map((_, i) => `<Relationship Id="rId${i + 1}" Type="${REL}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`).join('')
    }<Relationship Id="rIdS" Type="${REL}/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rIdT" Type="${REL}/styles" Target="/xl/styles.xml"/></Relationships>`,
    'xl/sharedStrings.xml': `<?xml version="1.0" encoding="UTF-8"?><sst ${NS}>${(spec.strings ?? []).map((s) => `<si><t xml:space="preserve">${s}</t></si>`).join('')}${spec.rawStrings ?? ''}</sst>`,
    'xl/styles.xml': `<?xml version="1.0" encoding="UTF-8"?><styleSheet ${NS}>${spec.styles ?? '<cellXfs count="1"><xf numFmtId="0"/></cellXfs>'}</styleSheet>`,
  };
  sheets.forEach((s, i) => { parts[`xl/worksheets/sheet${i + 1}.xml`] = s.xml; });
  const zip = new ZipWriter(new BlobWriter());
  for (const [name, text] of Object.entries(parts)) await zip.add(name, new TextReader(text));
  return zip.close();
}

/** A row of inline-string cells, from column A. */
const inlineRow = (r: number, values: (string | null)[]) =>
  `<row r="${r}">${values.map((v, i) => (v === null ? '' : `<c r="${String.fromCharCode(65 + i)}${r}" t="inlineStr"><is><t>${v}</t></is></c>`)).join('')}</row>`;

// ---------------------------------------------------------------------------------------------------------------

const HEADER = ['Timestamp', 'DeviceName', 'ActionType', 'FileName', 'FolderPath', 'ProcessCommandLine', 'AccountDomain', 'AccountName', 'AccountUpn', 'ReportId'] as const;
const event = (position: number, values: [string, string, string, string, string, string | null, string]): JsonItem => {
  const [Timestamp, FileName, FolderPath, ProcessCommandLine, , AccountUpn, ReportId] = values;
  return rowAt(position, {
    Timestamp, DeviceName: 'ws-fin-017.contoso.com', ActionType: 'ProcessCreated', FileName, FolderPath, ProcessCommandLine,
    AccountDomain: 'contoso', AccountName: 'alice', AccountUpn, ReportId,
  });
};
const UPN = 'alice@contoso.com';
/** The fixture rows; `times` gives each row's Timestamp text. */
const EXPECTED = (times: string[]): JsonItem[] => [
  event(2, [times[0] as string, 'net.exe', 'C:\\Windows\\System32\\net.exe', 'net  user /domain', '', UPN, '7451']),
  event(3, [times[1] as string, 'net1.exe', 'C:\\Windows\\System32\\net1.exe', 'C:\\Windows\\system32\\net1  user /domain', '', UPN, '7452']),
  event(4, [times[2] as string, 'net.exe', 'C:\\Windows\\System32\\net.exe', 'net user administrator', '', UPN, '7460']),
  event(5, [times[3] as string, 'net1.exe', 'C:\\Windows\\System32\\net1.exe', 'C:\\Windows\\system32\\net1 user administrator', '', UPN, '7461']),
  emptyAt(6),
  event(7, [times[4] as string, 'whoami.exe', 'C:\\Windows\\System32\\whoami.exe', 'whoami /all', '', UPN, '7475']),
  event(8, [times[5] as string, 'net.exe', 'C:\\Windows\\System32\\net.exe', 'net group "Domain Admins" /domain', '', UPN, '7480']),
  event(9, [times[6] as string, 'powershell.exe', 'C:\\Users\\alice\\Överblick\\', 'powershell.exe -c "Write-Host \'Grüße, 世界 ✓\'"', '', UPN, '7492']),
  event(10, [times[7] as string, 'net.exe', 'C:\\Windows\\System32\\net.exe', 'net localgroup administrators', '', null, '7501']),
];

describe('readXlsx on the generated workbooks', () => {
  test('Excel date cells become ISO UTC text to the millisecond; numbers, Unicode, the empty cell and the empty row', async () => {
    const file = fixture('device-process-events.xlsx');
    const batches = await readAll(file);
    expect(itemsOf(batches)).toEqual(EXPECTED([
      '2024-10-09T14:51:30.123Z', '2024-10-09T14:51:30.456Z', '2024-10-09T14:52:01.007Z', '2024-10-09T14:52:01.250Z',
      '2024-10-09T14:53:12.999Z', '2024-10-09T14:54:00.000Z', '2024-10-09T14:55:45.500Z', '2024-10-09T14:56:10.010Z',
    ]));
    const keys = Object.keys(itemsOf(batches)[0]?.row ?? {});
    expect(keys).toEqual([...HEADER]);
    for (const b of batches) {
      expect(b.sheet).toBe('DeviceProcessEvents');
      expect(b.sheets).toEqual(['DeviceProcessEvents', 'Notes']);
    }
    expect(batches.at(-1)?.bytesRead).toBe(file.size);
  });

  test('a Timestamp column written as text stays exactly as written', async () => {
    const items = itemsOf(await readAll(fixture('device-process-events-text-times.xlsx')));
    expect(items).toEqual(EXPECTED([
      '10/9/2024, 2:51:30.123 PM', '10/9/2024, 2:51:30.456 PM', '10/9/2024, 2:52:01.007 PM', '10/9/2024, 2:52:01.250 PM',
      '10/9/2024, 2:53:12.999 PM', '10/9/2024, 2:54:00.000 PM', '10/9/2024, 2:55:45.500 PM', '10/9/2024, 2:56:10.010 PM',
    ]));
  });

  test('listXlsxSheets gives the sheets in workbook order', async () => {
    expect(await listXlsxSheets(fixture('device-process-events.xlsx'))).toEqual(['DeviceProcessEvents', 'Notes']);
    expect(await listXlsxSheets(fixture('dates-1904.xlsx'))).toEqual(['Dates']);
  });

  test('a named sheet is read instead of the first (the name matched case-insensitively as Excel does)', async () => {
    for (const sheet of ['Notes', 'notes']) {
      const batches = await readAll(fixture('device-process-events.xlsx'), { sheet });
      expect(itemsOf(batches)).toEqual([
        rowAt(2, { Note: 'Invented data for LocalHunt tests.' }),
        rowAt(3, { Note: 'Generated by tests/tools/make-tabular-fixtures.mjs.' }),
      ]);
      expect(batches[0]?.sheet).toBe('Notes');
    }
  });

  test('an unknown sheet name is an error that lists the sheets', async () => {
    await expect(readAll(fixture('device-process-events.xlsx'), { sheet: 'Events' }))
      .rejects.toThrow('no sheet named "Events" in this workbook; its sheets are: "DeviceProcessEvents", "Notes"');
  });

  test('the 1904 date system (workbook.xml edited by the generator); a date-only format gives midnight', async () => {
    expect(itemsOf(await readAll(fixture('dates-1904.xlsx')))).toEqual([
      rowAt(2, { When: '2024-10-09T14:51:30.123Z', Day: '2024-10-09T00:00:00.000Z', Label: 'first' }),
      rowAt(3, { When: '1904-01-01T00:00:00.000Z', Day: '1904-01-01T00:00:00.000Z', Label: 'epoch' }),
    ]);
  });
});

describe('Excel dates and number formats', () => {
  test('serials in the 1900 system, with its fictional 29 February 1900', () => {
    expect(excelSerialToIso(1, false, false)).toBe('1900-01-01T00:00:00.000Z');
    expect(excelSerialToIso(59, false, false)).toBe('1900-02-28T00:00:00.000Z');
    expect(excelSerialToIso(60, false, false)).toBe('1900-02-28T00:00:00.000Z');
    expect(excelSerialToIso(61, false, false)).toBe('1900-03-01T00:00:00.000Z');
    expect(excelSerialToIso(45574, false, false)).toBe('2024-10-09T00:00:00.000Z');
    expect(excelSerialToIso(0.5, false, false)).toBe('1899-12-30T12:00:00.000Z');
  });

  test('serials in the 1904 system', () => {
    expect(excelSerialToIso(0, true, false)).toBe('1904-01-01T00:00:00.000Z');
    expect(excelSerialToIso(45574 - 1462, true, false)).toBe('2024-10-09T00:00:00.000Z');
  });

  test('times round to the millisecond; a date-only format drops the time', () => {
    const serial = 45574 + (14 * 3600 + 51 * 60 + 30.1234) / 86400;
    expect(excelSerialToIso(serial, false, false)).toBe('2024-10-09T14:51:30.123Z');
    expect(excelSerialToIso(45574 + 0.9999999999, false, false)).toBe('2024-10-10T00:00:00.000Z');
    expect(excelSerialToIso(serial, false, true)).toBe('2024-10-09T00:00:00.000Z');
    expect(excelSerialToIso(Number.NaN, false, false)).toBeNull();
    expect(excelSerialToIso(1e9, false, false)).toBeNull();
  });

  test('which custom formats are dates', () => {
    expect(formatKind('yyyy-mm-dd hh:mm:ss.000')).toBe('datetime');
    expect(formatKind('m/d/yy h:mm AM/PM')).toBe('datetime');
    expect(formatKind('h:mm:ss')).toBe('datetime');
    expect(formatKind('mm/dd/yyyy')).toBe('date');
    expect(formatKind('[$-409]mmmm d, yyyy;@')).toBe('date');
    expect(formatKind('dd\\.mm\\.yyyy')).toBe('date');
    expect(formatKind('[h]:mm:ss')).toBe('none'); // a duration
    expect(formatKind('General')).toBe('none');
    expect(formatKind('0.00')).toBe('none');
    expect(formatKind('#,##0.00_);[Red](#,##0.00)')).toBe('none');
    expect(formatKind('0.00E+00')).toBe('none');
    expect(formatKind('"Day "0')).toBe('none');
    expect(formatKind('[Red][<=100]0;[Blue]0')).toBe('none');
    expect(formatKind('@')).toBe('none');
  });
});

describe('readXlsx on hand-written sheet XML', () => {
  test('header rules: trimmed, empty → Column<N>, repeats numbered (case-insensitively), values past the header', async () => {
    const file = await makeXlsx({
      strings: [' Name ', 'Name', 'name', 'Name1', 'v'],
      sheetData:
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="s"><v>1</v></c><c r="D1" t="s"><v>2</v></c><c r="E1" t="s"><v>3</v></c></row>' +
        '<row r="2"><c r="A2" t="s"><v>4</v></c><c r="B2" t="s"><v>4</v></c><c r="C2" t="s"><v>4</v></c><c r="D2" t="s"><v>4</v></c><c r="E2" t="s"><v>4</v></c><c r="G2" t="s"><v>4</v></c></row>' +
        '<row r="3"><c r="A3" t="s"><v>4</v></c></row>',
    });
    expect(itemsOf(await readAll(file))).toEqual([
      rowAt(2, { Name: 'v', Column2: 'v', Name1: 'v', name2: 'v', Name11: 'v', Column7: 'v' }),
      rowAt(3, { Name: 'v', Column2: null, Name1: null, name2: null, Name11: null }),
    ]);
  });

  test('cell types: shared, inline and rich text, formula text, booleans, errors, ISO dates, exact integers', async () => {
    const file = await makeXlsx({
      strings: ['Key', 'Value', '  padded  ', 'line_x000D_break', 'literal _x005F_x000D_', ''],
      rawStrings: '<si><r><t>rich </t></r><r><rPr><b/></rPr><t>text</t></r><rPh sb="0" eb="1"><t>ルビ</t></rPh></si>',
      styles: '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm"/></numFmts>' +
        '<cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="14"/><xf numFmtId="46"/></cellXfs>',
      sheetData: [
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>',
        '<row r="2"><c r="A2" t="inlineStr"><is><t>shared</t></is></c><c r="B2" t="s"><v>2</v></c></row>',
        '<row r="3"><c r="A3" t="inlineStr"><is><t>escaped</t></is></c><c r="B3" t="s"><v>3</v></c></row>',
        '<row r="4"><c r="A4" t="inlineStr"><is><t>literal</t></is></c><c r="B4" t="s"><v>4</v></c></row>',
        '<row r="5"><c r="A5" t="inlineStr"><is><t>empty shared string</t></is></c><c r="B5" t="s"><v>5</v></c></row>',
        '<row r="6"><c r="A6" t="inlineStr"><is><t>rich</t></is></c><c r="B6" t="s"><v>6</v></c></row>',
        '<row r="7"><c r="A7" t="inlineStr"><is><r><t>inline </t></r><r><t>rich</t></r></is></c><c r="B7" t="inlineStr"><is><t>&lt;x&gt; &amp; &#233;</t></is></c></row>',
        '<row r="8"><c r="A8" t="inlineStr"><is><t>formula</t></is></c><c r="B8" t="str"><f>A1&amp;"!"</f><v>Key!</v></c></row>',
        '<row r="9"><c r="A9" t="inlineStr"><is><t>true</t></is></c><c r="B9" t="b"><v>1</v></c></row>',
        '<row r="10"><c r="A10" t="inlineStr"><is><t>false</t></is></c><c r="B10" t="b"><v>0</v></c></row>',
        '<row r="11"><c r="A11" t="inlineStr"><is><t>error</t></is></c><c r="B11" t="e"><v>#DIV/0!</v></c></row>',
        '<row r="12"><c r="A12" t="inlineStr"><is><t>iso date cell</t></is></c><c r="B12" t="d"><v>2024-10-09T14:51:30.5</v></c></row>',
        '<row r="13"><c r="A13" t="inlineStr"><is><t>big integer</t></is></c><c r="B13"><v>123456789012345678901234</v></c></row>',
        '<row r="14"><c r="A14" t="inlineStr"><is><t>exponent</t></is></c><c r="B14"><v>1.5E-3</v></c></row>',
        '<row r="15"><c r="A15" t="inlineStr"><is><t>fraction</t></is></c><c r="B15" s="0"><v>0.30000000000000004</v></c></row>',
        '<row r="16"><c r="A16" t="inlineStr"><is><t>custom date format</t></is></c><c r="B16" s="1"><v>45574.5</v></c></row>',
        '<row r="17"><c r="A17" t="inlineStr"><is><t>built-in date 14</t></is></c><c r="B17" s="2"><v>45574.75</v></c></row>',
        '<row r="18"><c r="A18" t="inlineStr"><is><t>duration [h]:mm:ss</t></is></c><c r="B18" s="3"><v>1.5</v></c></row>',
        '<row r="19"><c r="A19" t="inlineStr"><is><t>formula, no cached value</t></is></c><c r="B19"><f>1/0</f></c></row>',
        '<row r="20"><c r="A20" t="inlineStr"><is><t>date-like text</t></is></c><c r="B20" t="inlineStr"><is><t>2024-10-09 14:51</t></is></c></row>',
      ].join(''),
    });
    const values = Object.fromEntries(itemsOf(await readAll(file)).map((i) => [i.row?.['Key'], i.row?.['Value']]));
    expect(values).toEqual({
      shared: '  padded  ',
      escaped: 'line\rbreak',
      literal: 'literal _x000D_',
      'empty shared string': null,
      rich: 'rich text',
      'inline rich': '<x> & é',
      formula: 'Key!',
      true: 'true',
      false: 'false',
      error: '#DIV/0!',
      'iso date cell': '2024-10-09T14:51:30.500Z',
      'big integer': '123456789012345678901234',
      exponent: '0.0015',
      fraction: '0.30000000000000004',
      'custom date format': '2024-10-09T12:00:00.000Z',
      'built-in date 14': '2024-10-09T00:00:00.000Z',
      'duration [h]:mm:ss': '1.5',
      'formula, no cached value': null,
      'date-like text': '2024-10-09 14:51',
    });
  });

  test('date1904="true" in workbook.xml switches the date system', async () => {
    const file = await makeXlsx({
      workbookPr: '<workbookPr date1904="true"/>',
      styles: '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="22"/></cellXfs>',
      sheetData: inlineRow(1, ['When']) + '<row r="2"><c r="A2" s="1"><v>44112.25</v></c></row>',
    });
    expect(itemsOf(await readAll(file))).toEqual([rowAt(2, { When: '2024-10-09T06:00:00.000Z' })]);
  });

  test('empty rows: leading ones before the header, gaps between data rows counted, trailing ones dropped', async () => {
    const file = await makeXlsx({
      styles: '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="0"/></cellXfs>',
      sheetData: [
        '<row r="1"/>',
        '<row r="2"><c r="A2" s="1"/></row>', // formatted but empty
        inlineRow(3, ['A', 'B']),
        inlineRow(4, ['a1', 'b1']),
        '<row r="5"><c r="A5" s="1"/><c r="B5" t="inlineStr"><is><t></t></is></c></row>',
        // rows 6 and 7 are not written at all
        inlineRow(8, [null, 'b8']),
        '<row r="9"/>',
        '<row r="12"><c r="A12" s="1"/></row>',
      ].join(''),
    });
    expect(itemsOf(await readAll(file))).toEqual([
      rowAt(4, { A: 'a1', B: 'b1' }),
      emptyAt(5), emptyAt(6), emptyAt(7),
      rowAt(8, { A: null, B: 'b8' }),
    ]);
  });

  test('rows and cells without an r attribute follow the previous ones; prefixed element names', async () => {
    const file = await makeXlsx({
      sheets: [{
        name: 'Prefixed',
        xml: '<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>' +
          '<x:row><x:c t="inlineStr"><x:is><x:t>H1</x:t></x:is></x:c><x:c t="inlineStr"><x:is><x:t>H2</x:t></x:is></x:c></x:row>' +
          '<x:row><x:c><x:v>1</x:v></x:c><x:c><x:v>2</x:v></x:c></x:row>' +
          '<x:row r="5"><x:c r="B5"><x:v>3</x:v></x:c><x:c><x:v>4</x:v></x:c></x:row>' +
          '</x:sheetData></x:worksheet>',
      }],
    });
    expect(itemsOf(await readAll(file))).toEqual([
      rowAt(2, { H1: '1', H2: '2' }),
      emptyAt(3), emptyAt(4),
      rowAt(5, { H1: null, H2: '3', Column3: '4' }),
    ]);
  });

  test('an empty sheet, or one with only a header, gives one empty batch', async () => {
    for (const sheetData of ['', inlineRow(1, ['A'])]) {
      const batches = await readAll(await makeXlsx({ sheetData }));
      expect(batches.map((b) => b.items)).toEqual([[]]);
    }
  });
});

describe('batching and progress', () => {
  test('items come in batches of batchRows (empty-row skips included); bytesRead grows to the file size', async () => {
    const rows = [inlineRow(1, ['n'])];
    for (let r = 2; r <= 26; r++) if (r !== 11 && r !== 12) rows.push(`<row r="${r}"><c r="A${r}"><v>${r}</v></c></row>`);
    const file = await makeXlsx({ sheetData: rows.join('') });
    const batches = await readAll(file, { batchRows: 10 });
    expect(batches.map((b) => b.items.length)).toEqual([10, 10, 5]);
    const items = itemsOf(batches);
    expect(items.map((i) => i.position)).toEqual(Array.from({ length: 25 }, (_, k) => k + 2));
    expect(items.filter((i) => i.skip).map((i) => i.position)).toEqual([11, 12]);
    const progress = batches.map((b) => b.bytesRead);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
    expect(progress.at(-1)).toBe(file.size);
  });

  test('a batch boundary exactly at the end still ends with a (possibly empty) last batch at the full size', async () => {
    const file = fixture('device-process-events.xlsx');
    const batches = await readAll(file, { batchRows: 3 });
    expect(batches.map((b) => b.items.length)).toEqual([3, 3, 3, 0]);
    expect(batches.at(-1)?.bytesRead).toBe(file.size);
  });
});

describe('errors', () => {
  test('a password-protected (or legacy .xls) workbook is a Compound File, not a zip', async () => {
    const cfb = new Uint8Array(4096);
    cfb.set([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
    const msg = 'password-protected or legacy .xls workbook: save it as .xlsx without a password';
    await expect(readAll(new Blob([cfb]))).rejects.toThrow(msg);
    await expect(listXlsxSheets(new Blob([cfb]))).rejects.toThrow(msg);
  });

  test('not a zip at all', async () => {
    await expect(readAll(new Blob(['Timestamp,DeviceName\n']))).rejects.toThrow('not an .xlsx workbook: the file is not a ZIP archive');
  });

  test('a truncated workbook', async () => {
    const bytes = fixtureBytes('device-process-events.xlsx');
    await expect(readAll(new Blob([bytes.slice(0, bytes.length - 200)]))).rejects.toThrow(/^not a readable \.xlsx workbook/);
  });

  test('a zip that is not a workbook', async () => {
    const zip = new ZipWriter(new BlobWriter());
    await zip.add('readme.txt', new TextReader('hello'));
    await expect(readAll(await zip.close())).rejects.toThrow('not an .xlsx workbook: the archive has no xl/workbook.xml');
  });

  test('damaged sheet XML', async () => {
    const file = await makeXlsx({ sheetData: `${inlineRow(1, ['A'])}<row r="2"><c r="A2"><v>1</v></row>` });
    await expect(readAll(file)).rejects.toThrow(/^not a readable \.xlsx workbook: /);
  });

  test('damaged compressed data in the sheet', async () => {
    const bytes = fixtureBytes('device-process-events.xlsx');
    const name = new TextEncoder().encode('xl/worksheets/sheet1.xml');
    // The first occurrence of the name is in the entry's local header; its data follows the name and extra field.
    let at = -1;
    for (let i = 0; i < bytes.length - name.length && at < 0; i++) if (name.every((b, k) => bytes[i + k] === b)) at = i;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const dataStart = at + name.length + view.getUint16(at - 2, true);
    bytes.fill(0xff, dataStart + 2, dataStart + 40);
    await expect(readAll(new Blob([bytes]))).rejects.toThrow(/^not a readable \.xlsx workbook: /);
  });
});

describe('abort', () => {
  test('an aborted signal stops before reading', async () => {
    const ctl = new AbortController();
    ctl.abort();
    await expect(readAll(fixture('device-process-events.xlsx'), { signal: ctl.signal })).rejects.toThrow(/abort/i);
  });

  test('aborting between batches stops the read with the abort reason', async () => {
    const ctl = new AbortController();
    const rows = [inlineRow(1, ['n'])];
    for (let r = 2; r <= 5000; r++) rows.push(`<row r="${r}"><c r="A${r}"><v>${r}</v></c></row>`);
    const file = await makeXlsx({ sheetData: rows.join('') });
    const seen: number[] = [];
    const run = (async () => {
      for await (const b of readXlsx(file, { batchRows: 10, signal: ctl.signal })) {
        seen.push(b.items.length);
        ctl.abort(new DOMException('stopped by the user', 'AbortError'));
      }
    })();
    await expect(run).rejects.toThrow('stopped by the user');
    expect(seen).toEqual([10]);
  });

  test('a consumer that stops early leaves nothing running', async () => {
    for await (const b of readXlsx(fixture('device-process-events.xlsx'), { batchRows: 2 })) {
      expect(b.items).toHaveLength(2);
      break;
    }
  });
});
