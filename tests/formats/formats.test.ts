/**
 * Input formats: every fixture in tests/fixtures is recognised by its content, read by header name, and yields the
 * hand-written statistics and Export JSON (`<name>.expected.json`, with `<name>.params.json`). The expected files
 * were written from the rules in the issue text, not copied from this program's output.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { createNodeEngine } from '../support/node-engine';
import { detect, loadAll, type TestParams } from '../support/harness';
import { alertsToJson } from '../../src/lib/export/json';
import { formatTicks, parseInstant } from '../../src/lib/time/ticks';
import type { FailedSource, LoadedSource } from '../../src/lib/ingest/source';

type Engine = Awaited<ReturnType<typeof createNodeEngine>>;
type Source = LoadedSource | FailedSource;
type ExportRow = Record<string, unknown>;

const fixtureUrl = (name: string) => new URL(`../fixtures/${name}`, import.meta.url);
const fixtureBytes = (name: string) => new Uint8Array(readFileSync(fixtureUrl(name)));
const fixtureJson = <T>(name: string): T => JSON.parse(readFileSync(fixtureUrl(name), 'utf8')) as T;
const hasFixture = (name: string) => existsSync(fixtureUrl(name));
const stem = (name: string) => name.replace(/\.[^.]+$/, '');

let engine: Engine;
beforeAll(async () => {
  engine = await createNodeEngine();
});
afterAll(() => engine?.close());

function ready(s: Source | undefined, name = s?.name): LoadedSource {
  if (!s) throw new Error(`${name}: no source`);
  if (s.status !== 'ready') throw new Error(`${name} did not load: ${s.problem}`);
  return s;
}

async function loadFixture(name: string, displayOffsetMinutes?: number): Promise<LoadedSource> {
  const [s] = await loadAll(engine, [{ name, content: fixtureBytes(name) }], displayOffsetMinutes);
  return ready(s, name);
}

async function exportOf(sources: Source[], params: TestParams): Promise<ExportRow[]> {
  const res = await detect(engine, sources, params);
  return JSON.parse(alertsToJson(res.alerts)) as ExportRow[];
}

/** Same values and the same key order (key order is part of the Export JSON contract). */
function expectSameExport(actual: ExportRow[], expected: ExportRow[]) {
  expect(actual).toEqual(expected);
  expect(actual.map((r) => Object.keys(r))).toEqual(expected.map((r) => Object.keys(r)));
}

const ticksText = (t: bigint | null) => (t === null ? null : formatTicks(t));

interface RejectFact { reason: RegExp; count: number; first: number[]; unit: 'data row' | 'line' | 'item' }
interface SkipFact { reason: RegExp; count: number }
interface Facts {
  format: LoadedSource['format'];
  variant: 'defender' | 'sentinel';
  rowsRead: number;
  rejected: RejectFact[];
  skipped: SkipFact[];
  netRows: number;
  upnNonEmpty: number;
  minTime: string | null;
  maxTime: string | null;
  /** Day order per locale-style datetime column ([UTC] suffix stripped). */
  dayOrders: Record<string, { dayFirst: boolean; basis: 'values' | 'am-pm' | 'default' | 'conflict' }>;
  /** How AccountUpn is keyed: the file's own column, or derived from AccountDomain\AccountName / AccountName. */
  upn: 'column' | 'domain\\name' | 'name';
  /** Column names as exported (suffix stripped), in header order; only checked when given. */
  columns?: string[];
}

const FACTS: Record<string, Facts> = {
  'defender-iso.csv': {
    format: 'Defender Advanced Hunting CSV', variant: 'defender', rowsRead: 21, rejected: [], skipped: [],
    netRows: 18, upnNonEmpty: 17,
    minTime: '2024-10-16T16:20:05.3300125Z', maxTime: '2024-10-18T14:42:03.3300000Z',
    dayOrders: {}, upn: 'column',
  },
  'defender-display.csv': {
    format: 'Defender Advanced Hunting CSV', variant: 'defender', rowsRead: 18, rejected: [], skipped: [],
    // The aggregated-report row has no account at all; `nt authority\system` is a non-empty derived key.
    netRows: 15, upnNonEmpty: 17,
    minTime: '2024-10-07T16:12:55.0000000Z', maxTime: '2024-10-09T14:47:16.0000000Z',
    dayOrders: {}, upn: 'domain\\name',
  },
  'defender-portal-sentinel-table.csv': {
    // Unified-portal export of the Sentinel table: no ` [UTC]` suffix (a Defender-style CSV), but a TimeGenerated
    // column (the Sentinel variant), display-style times, and AccountName only.
    format: 'Defender Advanced Hunting CSV', variant: 'sentinel', rowsRead: 12, rejected: [], skipped: [],
    netRows: 10, upnNonEmpty: 12,
    minTime: '2025-01-30T03:10:44.0000000Z', maxTime: '2025-02-03T00:02:25.0000000Z',
    dayOrders: {}, upn: 'name',
    columns: ['TimeGenerated', 'AccountName', 'DeviceName', 'ProcessCommandLine', 'InitiatingProcessCommandLine', 'FolderPath', 'FileName'],
  },
  'sentinel-dayfirst.csv': {
    format: 'Sentinel / Log Analytics CSV', variant: 'sentinel', rowsRead: 16, rejected: [], skipped: [],
    netRows: 14, upnNonEmpty: 13,
    minTime: '2026-03-12T10:04:55.6710000Z', maxTime: '2026-03-26T16:40:27.6000000Z',
    dayOrders: {
      TimeGenerated: { dayFirst: true, basis: 'values' },
      InitiatingProcessCreationTime: { dayFirst: true, basis: 'values' },
      // Every value of this column has both fields <= 12 (parents started on 02/03, 10/03, 11/03, 12/03).
      InitiatingProcessParentCreationTime: { dayFirst: true, basis: 'default' },
      ProcessCreationTime: { dayFirst: true, basis: 'values' },
      Timestamp: { dayFirst: true, basis: 'values' },
    },
    upn: 'column',
  },
  'sentinel-monthfirst.csv': {
    format: 'Sentinel / Log Analytics CSV', variant: 'sentinel', rowsRead: 13, rejected: [], skipped: [],
    netRows: 8, upnNonEmpty: 11,
    minTime: '2023-06-30T08:14:33.1200000Z', maxTime: '2023-07-05T15:30:00.0000000Z',
    dayOrders: {
      // `6/30/2023`: a second field above 12.
      TimeGenerated: { dayFirst: false, basis: 'values' },
      // Only fields <= 12 (6/9, 7/3, 7/4, 7/5), 12-hour clock.
      InitiatingProcessCreationTime: { dayFirst: false, basis: 'am-pm' },
    },
    upn: 'column',
  },
  'sentinel-undecided.csv': {
    format: 'Sentinel / Log Analytics CSV', variant: 'sentinel', rowsRead: 10, rejected: [], skipped: [],
    netRows: 8, upnNonEmpty: 10,
    minTime: '2026-03-02T11:20:05.7770000Z', maxTime: '2026-03-05T17:42:10.4550000Z',
    dayOrders: {
      TimeGenerated: { dayFirst: true, basis: 'default' },
      Timestamp: { dayFirst: true, basis: 'default' },
    },
    upn: 'column',
  },
  'sentinel-conflict.csv': {
    // One file pasted together from an en-GB and an en-US browser: `26/03/2026` (first field > 12) and
    // `3/27/2026 ... AM` (second field > 12). Read as day/month; the row that does not fit (data row 4) is rejected.
    format: 'Sentinel / Log Analytics CSV', variant: 'sentinel', rowsRead: 6,
    rejected: [{ reason: /TimeGenerated/, count: 1, first: [4], unit: 'data row' }], skipped: [],
    netRows: 5, upnNonEmpty: 6,
    minTime: '2026-03-26T09:14:02.1170000Z', maxTime: '2026-03-27T10:00:00.0000000Z',
    dayOrders: { TimeGenerated: { dayFirst: true, basis: 'conflict' } },
    upn: 'column',
  },
  'api.json': {
    format: 'Advanced Hunting API JSON', variant: 'defender', rowsRead: 13, rejected: [], skipped: [],
    // `NET.EXE` is not exactly net.exe.
    netRows: 10, upnNonEmpty: 11,
    minTime: '2025-01-12T10:05:33.3140004Z', maxTime: '2025-01-14T09:44:40.9001000Z',
    dayOrders: {}, upn: 'column',
    columns: ['Timestamp', 'DeviceId', 'DeviceName', 'ActionType', 'FileName', 'FolderPath', 'ProcessId', 'ProcessCommandLine',
      'ProcessCreationTime', 'AccountDomain', 'AccountName', 'AccountUpn', 'LogonId', 'InitiatingProcessFileName', 'InitiatingProcessId',
      'InitiatingProcessCommandLine', 'IsInitiatingProcessRemoteSession', 'ReportId', 'AdditionalFields'],
  },
  'graph.json': {
    format: 'Graph runHuntingQuery JSON', variant: 'defender', rowsRead: 12, rejected: [], skipped: [],
    netRows: 10, upnNonEmpty: 11,
    minTime: '2025-11-02T15:40:21.0290017Z', maxTime: '2025-11-04T10:13:05.0000001Z',
    dayOrders: {}, upn: 'column',
  },
  'rows-array.json': {
    format: 'JSON array of rows', variant: 'sentinel', rowsRead: 11, rejected: [], skipped: [],
    netRows: 9, upnNonEmpty: 9,
    minTime: '2025-08-17T11:11:11.1110000Z', maxTime: '2025-08-19T13:06:40.1180000Z',
    dayOrders: {}, upn: 'column',
  },
  'rows.jsonl': {
    // 11 lines: line 4 is blank (not a row), line 6 is cut off (rejected, still read).
    format: 'JSON lines', variant: 'defender', rowsRead: 10,
    rejected: [{ reason: /JSON/, count: 1, first: [6], unit: 'line' }], skipped: [],
    netRows: 7, upnNonEmpty: 8,
    minTime: '2025-04-19T14:20:08.1234000Z', maxTime: '2025-04-22T10:03:59.5000000Z',
    dayOrders: {}, upn: 'column',
  },
  'streaming.jsonl': {
    // 11 lines, 13 records (line 5 wraps three in {"records":[...]}); 8 are DeviceProcessEvents.
    format: 'Defender streaming API JSON', variant: 'defender', rowsRead: 13, rejected: [],
    skipped: [
      { reason: /AdvancedHunting-DeviceNetworkEvents/, count: 2 },
      { reason: /AdvancedHunting-DeviceLogonEvents/, count: 1 },
      { reason: /AdvancedHunting-DeviceFileEvents/, count: 1 },
      { reason: /AdvancedHunting-DeviceRegistryEvents/, count: 1 },
    ],
    netRows: 6, upnNonEmpty: 7,
    minTime: '2025-06-07T09:15:30.0101000Z', maxTime: '2025-06-10T15:01:12.6280000Z',
    dayOrders: {}, upn: 'column',
  },
  'bad-rows.csv': {
    // Data rows 1, 2, 4, 6 and 8 hold quoted fields spanning 4 lines, so physical line numbers run far ahead of
    // data-row numbers. Row 3 has 6 fields, row 5 has 11 (an unquoted comma), rows 7 and 10 have unreadable times.
    format: 'Defender Advanced Hunting CSV', variant: 'defender', rowsRead: 11,
    rejected: [
      { reason: /fewer/i, count: 1, first: [3], unit: 'data row' },
      { reason: /more/i, count: 1, first: [5], unit: 'data row' },
      { reason: /Timestamp/, count: 2, first: [7, 10], unit: 'data row' },
    ],
    skipped: [],
    // Counted over the 9 rows whose fields could be read (the two badly framed rows have no columns to count).
    netRows: 6, upnNonEmpty: 9,
    minTime: '2024-02-11T18:00:00.5000000Z', maxTime: '2024-02-12T09:12:00.0000000Z',
    dayOrders: {}, upn: 'column',
  },
};

function expectFacts(s: LoadedSource, f: Facts) {
  expect.soft(s.format).toBe(f.format);
  expect.soft(s.variant).toBe(f.variant);
  expect.soft(s.rowsRead).toBe(f.rowsRead);
  const byFirst = <T extends { first: number[] }>(list: T[]) => [...list].sort((a, b) => (a.first[0] ?? 0) - (b.first[0] ?? 0));
  expect.soft(byFirst(s.rejected)).toEqual(byFirst(f.rejected).map((r) => ({ ...r, reason: expect.stringMatching(r.reason) })));
  expect.soft(s.skipped).toHaveLength(f.skipped.length);
  for (const k of f.skipped) {
    expect.soft(s.skipped).toContainEqual({ reason: expect.stringMatching(k.reason), count: k.count });
  }
  expect.soft(s.netRows).toBe(f.netRows);
  expect.soft(s.upnNonEmpty).toBe(f.upnNonEmpty);
  expect.soft(ticksText(s.minTime)).toBe(f.minTime);
  expect.soft(ticksText(s.maxTime)).toBe(f.maxTime);
  expect.soft(Object.fromEntries(s.dayOrders.map((d) => [d.column, { dayFirst: d.dayFirst, basis: d.basis }]))).toEqual(f.dayOrders);
  expect.soft(s.dayOrders).toHaveLength(Object.keys(f.dayOrders).length);
  const derivedNote = s.notes.filter((n) => /AccountUpn/.test(n) && /AccountName/.test(n));
  if (f.upn === 'column') {
    expect.soft(s.shape.upnDerived).toBe(false);
    expect.soft(derivedNote).toEqual([]);
  } else {
    expect.soft(s.shape.upnDerived).toBe(true);
    expect.soft(derivedNote).toHaveLength(1);
    if (f.upn === 'domain\\name') expect.soft(derivedNote[0]).toContain('AccountDomain\\AccountName');
    else expect.soft(derivedNote[0]).not.toContain('AccountDomain');
  }
  // An undecided or contradictory day order is reported to the user.
  for (const [column, d] of Object.entries(f.dayOrders)) {
    if (d.basis !== 'values') expect.soft(s.notes.some((n) => n.includes(column)), `a note about ${column}`).toBe(true);
  }
  if (f.columns) expect.soft(s.shape.columns.map((c) => c.name)).toEqual(f.columns);
}

describe('each fixture: recognition and statistics', () => {
  for (const [name, facts] of Object.entries(FACTS)) {
    test(name, async () => {
      expectFacts(await loadFixture(name), facts);
    });
  }
});

describe('each fixture: the exact Export JSON (<name>.expected.json with <name>.params.json)', () => {
  const withAlerts = Object.keys(FACTS).filter((name) => hasFixture(`${stem(name)}.expected.json`));
  test('every fixture with facts has its expected export', () => {
    expect([...withAlerts].sort()).toEqual(Object.keys(FACTS).sort());
  });
  for (const name of withAlerts) {
    test(name, async () => {
      const s = await loadFixture(name);
      const params = fixtureJson<TestParams>(`${stem(name)}.params.json`);
      expectSameExport(await exportOf([s], params), fixtureJson<ExportRow[]>(`${stem(name)}.expected.json`));
    });
  }
});

describe('fixture files keep their framing (a checkout must not normalise them)', () => {
  const text = (name: string) => new TextDecoder().decode(fixtureBytes(name));
  test('defender-display.csv: UTF-8 BOM, CRLF only, no newline after the last row', () => {
    const b = fixtureBytes('defender-display.csv');
    expect([...b.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const t = text('defender-display.csv');
    expect(t).toContain('\r\n');
    expect(t.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(t.endsWith('\n')).toBe(false);
    expect(t).toContain('"Oct 9, 2024 2:41:10 PM"');
    expect(t.match(/Invalid date/g)).toHaveLength(1);
  });
  test('defender-iso.csv: no BOM, LF only, a quoted field with quotes, commas and a newline', () => {
    const t = text('defender-iso.csv');
    expect(t.charCodeAt(0)).not.toBe(0xfeff);
    expect(t).not.toContain('\r');
    expect(t.endsWith('\n')).toBe(true);
    expect(t).toContain('\\""Domain Admins\\"" /domain; net localgroup administrators;\nnet accounts');
    expect(t).toMatch(/T\d\d:\d\d:\d\d\.\d{7}Z/);
    expect(t).toMatch(/T\d\d:\d\d:\d\d\.\d{2}Z/);
    expect(t).toMatch(/T\d\d:\d\d:\d\dZ/);
  });
});

/** Shift the datetime values of an expected export (not the bin column) by `minutes`. */
function shiftTimes(rows: ExportRow[], minutes: number, timeKeys: string[]): ExportRow[] {
  const delta = BigInt(minutes) * 600_000_000n;
  return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => {
    if (!timeKeys.includes(k.replace(/1$/, '')) || typeof v !== 'string') return [k, v];
    const t = parseInstant(v);
    if (t === null) throw new Error(`not a datetime: ${k}=${v}`);
    return [k, formatTicks(t + delta)];
  })));
}

describe('display-style times and the per-file zone', () => {
  const timeKeys = ['FirstEvent', 'LastEvent', 'ProcessCreationTime', 'InitiatingProcessCreationTime', 'InitiatingProcessParentCreationTime'];

  test('displayOffsetMinutes = 120: the export was shown in UTC+2, so every display-style time is 2 h earlier in UTC', async () => {
    const s = await loadFixture('defender-display.csv', 120);
    expect(s.displayOffsetMinutes).toBe(120);
    expect(ticksText(s.minTime)).toBe('2024-10-07T14:12:55.0000000Z');
    expect(ticksText(s.maxTime)).toBe('2024-10-09T12:47:16.0000000Z');
    const expected = shiftTimes(fixtureJson<ExportRow[]>('defender-display.expected.json'), -120, timeKeys);
    // Spot-check the hand shift: 2:41:10 PM shown in UTC+2 is 12:41:10 UTC; `Invalid date` stays null.
    expect(expected[0]!.FirstEvent).toBe('2024-10-09T12:41:10.0000000Z');
    expect(expected[0]!.InitiatingProcessParentCreationTime).toBeNull();
    expectSameExport(await exportOf([s], fixtureJson<TestParams>('defender-display.params.json')), expected);
  });

  test('displayOffsetMinutes = -300 (UTC-5) moves late-evening rows into the next UTC day', async () => {
    // Oct 9 2:41:10 PM .. 2:43:31 PM shown in UTC-5 are 19:41:10 .. 19:43:31 UTC: still Oct 9.
    const s = await loadFixture('defender-portal-sentinel-table.csv', -300);
    expect(ticksText(s.minTime)).toBe('2025-01-30T08:10:44.0000000Z');
    expect(ticksText(s.maxTime)).toBe('2025-02-03T05:02:25.0000000Z');
    const rows = await exportOf([s], fixtureJson<TestParams>('defender-portal-sentinel-table.params.json'));
    // labadmin's 11:47 PM .. 11:49 PM (Feb 2) become 04:47 .. 04:49 UTC on Feb 3, the same bin as system's rows.
    expect(rows.map((r) => [r.TimeGenerated, r.AccountUpn, r.FirstEvent, r.LastEvent, r.TotalEvents])).toEqual([
      ['2025-02-03T00:00:00.0000000Z', 'labadmin', '2025-02-03T04:47:31.0000000Z', '2025-02-03T04:49:56.0000000Z', 6],
      ['2025-02-03T00:00:00.0000000Z', 'system', '2025-02-03T05:02:18.0000000Z', '2025-02-03T05:02:25.0000000Z', 3],
    ]);
  });

  test('an ISO file ignores displayOffsetMinutes (its times carry a zone)', async () => {
    const s = await loadFixture('defender-iso.csv', 120);
    expectFacts(s, FACTS['defender-iso.csv']!);
    expectSameExport(await exportOf([s], fixtureJson<TestParams>('defender-iso.params.json')), fixtureJson<ExportRow[]>('defender-iso.expected.json'));
  });
});

describe('framing variants give the same result', () => {
  const utf8 = (t: string) => new TextEncoder().encode(t);

  test('defender-iso.csv with a UTF-8 BOM added', async () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...fixtureBytes('defender-iso.csv')]);
    const [s] = await loadAll(engine, [{ name: 'defender-iso-bom.csv', content: bytes }]);
    expectFacts(ready(s), FACTS['defender-iso.csv']!);
    expectSameExport(await exportOf([s!], fixtureJson<TestParams>('defender-iso.params.json')), fixtureJson<ExportRow[]>('defender-iso.expected.json'));
  });

  test('defender-display.csv without its BOM, with LF line ends and a final newline', async () => {
    const t = new TextDecoder().decode(fixtureBytes('defender-display.csv')).replace(/^\uFEFF/, '').replace(/\r\n/g, '\n') + '\n';
    const [s] = await loadAll(engine, [{ name: 'defender-display-lf.csv', content: utf8(t) }]);
    expectFacts(ready(s), FACTS['defender-display.csv']!);
    expectSameExport(await exportOf([s!], fixtureJson<TestParams>('defender-display.params.json')), fixtureJson<ExportRow[]>('defender-display.expected.json'));
  });

  test('the file name does not matter: formats are recognised by content', async () => {
    const renamed: [string, string][] = [
      ['defender-iso.csv', 'hunting-results.json'],
      ['api.json', 'api-response.csv'],
      ['streaming.jsonl', 'blob-0001.json'],
      ['sentinel-dayfirst.csv', 'query_data.txt'],
    ];
    for (const [fixture, name] of renamed) {
      const [s] = await loadAll(engine, [{ name, content: fixtureBytes(fixture) }]);
      expect(ready(s).format, `${fixture} as ${name}`).toBe(FACTS[fixture]!.format);
      expectSameExport(await exportOf([s!], fixtureJson<TestParams>(`${stem(fixture)}.params.json`)),
        fixtureJson<ExportRow[]>(`${stem(fixture)}.expected.json`));
    }
  });

  test('Graph response whose schema entries use `Name`/`Type`', async () => {
    const doc = fixtureJson<{ schema: { name: string; type: string }[] }>('graph.json');
    const recased = { ...doc, schema: doc.schema.map((c) => ({ Name: c.name, Type: c.type })) };
    const [s] = await loadAll(engine, [{ name: 'graph-recased.json', content: utf8(JSON.stringify(recased, null, 2)) }]);
    expect(ready(s).format).toBe('Graph runHuntingQuery JSON');
    expectSameExport(await exportOf([s!], fixtureJson<TestParams>('graph.params.json')), fixtureJson<ExportRow[]>('graph.expected.json'));
  });

  test('only the results array of a Graph response (a bare array of rows)', async () => {
    const doc = fixtureJson<{ results: unknown[] }>('graph.json');
    const [s] = await loadAll(engine, [{ name: 'graph-results.json', content: utf8(JSON.stringify(doc.results, null, 2)) }]);
    expect(ready(s).format).toBe('JSON array of rows');
    expectSameExport(await exportOf([s!], fixtureJson<TestParams>('graph.params.json')), fixtureJson<ExportRow[]>('graph.expected.json'));
  });

  test('api.json with a UTF-8 BOM (Windows PowerShell 5 `Out-File -Encoding utf8`) and CRLF line ends', async () => {
    const t = '\uFEFF' + readFileSync(fixtureUrl('api.json'), 'utf8').replace(/\n/g, '\r\n');
    const [s] = await loadAll(engine, [{ name: 'api-bom.json', content: utf8(t) }]);
    expect(ready(s).format).toBe('Advanced Hunting API JSON');
    expectSameExport(await exportOf([s!], fixtureJson<TestParams>('api.params.json')), fixtureJson<ExportRow[]>('api.expected.json'));
  });

  test('JSON lines with a UTF-8 BOM and CRLF line ends', async () => {
    for (const fixture of ['rows.jsonl', 'streaming.jsonl']) {
      const t = '\uFEFF' + readFileSync(fixtureUrl(fixture), 'utf8').replace(/\n/g, '\r\n');
      const [s] = await loadAll(engine, [{ name: `crlf-${fixture}`, content: utf8(t) }]);
      expectFacts(ready(s), FACTS[fixture]!);
      expectSameExport(await exportOf([s!], fixtureJson<TestParams>(`${stem(fixture)}.params.json`)),
        fixtureJson<ExportRow[]>(`${stem(fixture)}.expected.json`));
    }
  });

  // An HTTP body saved as is (curl -o, Invoke-WebRequest) is one line of JSON, not pretty-printed.
  for (const [fixture, format] of [['api.json', 'Advanced Hunting API JSON'], ['graph.json', 'Graph runHuntingQuery JSON']] as const) {
    test(`${fixture} saved compact, on one line`, async () => {
      const compact = JSON.stringify(fixtureJson<unknown>(fixture));
      expect(compact).not.toContain('\n');
      const [s] = await loadAll(engine, [{ name: `compact-${fixture}`, content: utf8(compact) }]);
      expect(s!.status, s!.status === 'failed' ? s!.problem : '').toBe('ready');
      expect(ready(s).format).toBe(format);
      expectSameExport(await exportOf([s!], fixtureJson<TestParams>(`${stem(fixture)}.params.json`)),
        fixtureJson<ExportRow[]>(`${stem(fixture)}.expected.json`));
    });
  }
});

describe('files that are not exports fail with a clear message', () => {
  const utf8 = (t: string) => new TextEncoder().encode(t);
  const cases: [string, string | Uint8Array, RegExp][] = [
    ['not-an-export.csv', fixtureBytes('not-an-export.csv'), /not a DeviceProcessEvents export.*Timestamp.*FileName.*ProcessCommandLine/s],
    ['empty.csv', new Uint8Array(0), /empty/i],
    ['blank.csv', utf8(' \r\n\r\n  \n'), /white space|empty/i],
    // A local file header: "PK\x03\x04", version, flags, ... then a stored file name.
    ['DeviceProcessEvents.zip', new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00, 0x21, 0x5a, 0x4a, 0x59, ...utf8('DeviceProcessEvents.csv')]), /zip/i],
    ['DeviceProcessEvents.xlsx', new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, ...utf8('[Content_Types].xml')]), /zip|xlsx/i],
    ['export.csv.gz', new Uint8Array([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x4b, 0x4c]), /gzip/i],
    ['net.exe', new Uint8Array([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00]), /binary/i],
    ['utf16be.csv', new Uint8Array([0xfe, 0xff, ...[...'Timestamp,FileName'].flatMap((c) => [0, c.charCodeAt(0)])]), /UTF-16 big-endian/],
    ['truncated.json', utf8('{\n  "Schema": [\n    { "Name": "Timestamp", "Type": "DateTime" },\n'), /JSON/],
    ['other-tables.jsonl', utf8(readFileSync(fixtureUrl('streaming.jsonl'), 'utf8').split('\n')
      .filter((l) => l.includes('DeviceNetworkEvents') || l.includes('DeviceLogonEvents')).join('\n')), /no process events \(only other table \(AdvancedHunting-DeviceNetworkEvents/],
    ['one-column.csv', utf8('Timestamp\n2024-10-18T14:36:58Z\n'), /./],
  ];
  for (const [name, content, message] of cases) {
    test(name, async () => {
      const [s] = await loadAll(engine, [{ name, content }]);
      expect(s!.status).toBe('failed');
      const problem = (s as FailedSource).problem;
      expect(problem.trim().length).toBeGreaterThan(10);
      expect(problem).toMatch(message);
    });
  }
});

describe('UTF-16 LE with a byte-order mark (as Windows PowerShell writes) loads like UTF-8', () => {
  const utf16le = (text: string) => {
    const out = new Uint8Array(2 + text.length * 2);
    out.set([0xff, 0xfe]);
    for (let i = 0; i < text.length; i++) { out[2 + 2 * i] = text.charCodeAt(i) & 0xff; out[3 + 2 * i] = text.charCodeAt(i) >> 8; }
    return out;
  };
  for (const fixture of ['defender-iso.csv', 'api.json', 'rows.jsonl']) {
    test(fixture, async () => {
      const text = readFileSync(fixtureUrl(fixture), 'utf8').replace(/^\uFEFF/, '');
      const [s] = await loadAll(engine, [{ name: `utf16-${fixture}`, content: utf16le(text) }]);
      expect(s!.status, s!.status === 'failed' ? s!.problem : '').toBe('ready');
      const [reference] = await loadAll(engine, [{ name: fixture, content: fixtureBytes(fixture) }]);
      expect([ready(s).rowsRead, ready(s).netRows, ready(s).rejected]).toEqual([ready(reference).rowsRead, ready(reference).netRows, ready(reference).rejected]);
      const params = fixtureJson<TestParams>(`${stem(fixture)}.params.json`);
      expect(await exportOf([s!], params)).toEqual(await exportOf([reference!], params));
    });
  }
});

describe('several files at once', () => {
  test('bad files fail on their own; the good ones load and alert as they do alone', async () => {
    const zip = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00]);
    const sources = await loadAll(engine, [
      { name: 'not-an-export.csv', content: fixtureBytes('not-an-export.csv') },
      { name: 'defender-iso.csv', content: fixtureBytes('defender-iso.csv') },
      { name: 'archive.zip', content: zip },
      { name: 'api.json', content: fixtureBytes('api.json') },
      { name: 'empty.csv', content: new Uint8Array(0) },
      { name: 'bad-rows.csv', content: fixtureBytes('bad-rows.csv') },
    ]);
    expect(sources.map((s) => s.status)).toEqual(['failed', 'ready', 'failed', 'ready', 'failed', 'ready']);
    expectFacts(ready(sources[1]), FACTS['defender-iso.csv']!);
    expectFacts(ready(sources[3]), FACTS['api.json']!);
    // bad-rows.csv's own statistics are checked in its own test; here only that it loads and alerts.
    expect(ready(sources[5]).rejected.length).toBeGreaterThan(0);
    // One window that holds each file's alert day: startofday(2025-01-15T07:30Z - 455d) = 2023-10-18, which keeps
    // 2024-02-12 (bad-rows), 2024-10-18 (defender-iso; its 2024-10-16 rows are 3 and alert too), 2025-01-14 (api).
    const rows = await exportOf(sources, { now: '2025-01-15T07:30:00Z', start: '455d', bin: '1d', threshold: 3 });
    const lead = (r: ExportRow) => Object.fromEntries(Object.entries(r).slice(0, 10));
    const fromFile = (name: string) => fixtureJson<ExportRow[]>(name).map(lead);
    const oldDay = {
      FirstEvent: '2024-10-16T16:20:05.3300125Z', LastEvent: '2024-10-16T16:21:40.8000000Z', TotalEvents: 3,
      TotalAccountsEvents: 0, TotalGroupEvents: 1, TotalLocalGroupEvents: 0, TotalUserEvents: 2,
      ExecutedCommands: ['C:\\Windows\\system32\\net1 user j.doe /domain', 'net group "Domain Users" /domain', 'net user j.doe /domain'],
      AccountUpn: 'j.doe@contoso.com', Timestamp: '2024-10-16T00:00:00.0000000Z',
    };
    expect(rows.map(lead)).toEqual([
      ...fromFile('bad-rows.expected.json'),
      oldDay,
      ...fromFile('defender-iso.expected.json'),
      ...fromFile('api.expected.json'),
    ]);
  });
});
