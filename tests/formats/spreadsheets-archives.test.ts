/**
 * Workbooks, Parquet and archives through the loader: each reader's rows reach the same detection as a CSV
 * export would. Fixtures: tests/fixtures/tabular (generated, invented data) and tests/fixtures/windows.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { createNodeEngine } from '../support/node-engine';
import { detect, loadAll } from '../support/harness';
import type { FailedSource, LoadedSource } from '../../src/lib/ingest/source';

type Engine = Awaited<ReturnType<typeof createNodeEngine>>;
let engine: Engine;
beforeAll(async () => { engine = await createNodeEngine(); });
afterAll(() => engine?.close());

const bytes = (path: string) => readFileSync(new URL(`../fixtures/${path}`, import.meta.url));
const ready = (s: LoadedSource | FailedSource | undefined): LoadedSource => {
  if (s?.status !== 'ready') throw new Error(`did not load: ${(s as FailedSource | undefined)?.problem}`);
  return s;
};
const alerts = async (s: LoadedSource) =>
  (await detect(engine, [s], { now: '2024-10-10T00:00:00Z', start: '2d', threshold: 5 })).alerts.map((a) => [a.account, a.total, a.firstEvent]);

describe('Excel workbooks', () => {
  test('the first sheet is read; date cells are UTC instants; an empty row is counted, not lost', async () => {
    const s = ready((await loadAll(engine, [{ name: 'dpe.xlsx', content: bytes('tabular/device-process-events.xlsx') }]))[0]);
    expect([s.format, s.sheet, s.sheets]).toEqual(['Excel workbook (sheet "DeviceProcessEvents")', 'DeviceProcessEvents', ['DeviceProcessEvents', 'Notes']]);
    expect([s.rowsRead, s.netRows, s.skipped]).toEqual([9, 6, [{ reason: 'empty row', count: 1 }]]);
    expect(await alerts(s)).toEqual([['alice@contoso.com', 5, '2024-10-09T14:51:30.1230000Z']]);
  });

  test('another sheet can be picked; one that is not a process table is offered for mapping, with the sheet list kept', async () => {
    const [s] = await loadAll(engine, [{ name: 'dpe.xlsx', content: bytes('tabular/device-process-events.xlsx') }], 0, { sheet: 'Notes' });
    expect(s!.status).toBe('failed');
    expect((s as FailedSource).sheets).toEqual(['DeviceProcessEvents', 'Notes']);
    expect((s as FailedSource).mappable?.columns.length).toBeGreaterThan(0);
  });

  test('times written as text in a workbook are read by their style (US locale here)', async () => {
    const s = ready((await loadAll(engine, [{ name: 'text.xlsx', content: bytes('tabular/device-process-events-text-times.xlsx') }]))[0]);
    expect(s.dayOrders).toEqual([{ column: 'Timestamp', dayFirst: false, basis: 'am-pm' }]);
    expect(await alerts(s)).toEqual([['alice@contoso.com', 5, '2024-10-09T14:51:30.1230000Z']]);
  });
});

describe('Parquet', () => {
  test('zstd with nanosecond times and an INT64 above 2^53: exact ticks, the same alert as the workbook', async () => {
    const s = ready((await loadAll(engine, [{ name: 'dpe.parquet', content: bytes('tabular/device-process-events.zstd.parquet') }]))[0]);
    expect([s.format, s.rowsRead, s.netRows]).toEqual(['Parquet', 8, 6]);
    expect(await alerts(s)).toEqual([['alice@contoso.com', 5, '2024-10-09T14:51:30.1234567Z']]);
    const [row] = await engine.query(`SELECT count(*)::INTEGER AS n FROM lh_events WHERE list_contains(lh_values, '9007199254740993')`);
    expect(row!.n).toBe(1);
  });

  test('snappy with microsecond UTC times', async () => {
    const s = ready((await loadAll(engine, [{ name: 'dpe.parquet', content: bytes('tabular/device-process-events.snappy.parquet') }]))[0]);
    expect(await alerts(s)).toEqual([['alice@contoso.com', 5, '2024-10-09T14:51:30.1234560Z']]);
  });
});

describe('archives', () => {
  test('a .gz is unpacked and its member named inside it', async () => {
    const [s] = await loadAll(engine, [{ name: 'nxlog.jsonl.gz', content: gzipSync(bytes('windows/nxlog.jsonl')) }]);
    const src = ready(s);
    expect([src.name, src.format, src.rowsRead]).toEqual(['nxlog.jsonl.gz › nxlog.jsonl', 'NXLog JSON (Sysmon 1, Security 4688)', 17]);
  });

  test('a protected zip without the password lists its members as not read; with it, they load', async () => {
    const locked = await loadAll(engine, [{ name: 'z.zip', content: bytes('archives/zipcrypto-infected.zip') }], 0, { password: null });
    expect(locked.every((s) => s.status === 'failed' && /password-protected; no password given/.test(s.problem))).toBe(true);
    const opened = await loadAll(engine, [{ name: 'z.zip', content: bytes('archives/zipcrypto-infected.zip') }], 0, { password: 'infected' });
    expect(opened.some((s) => /password/.test((s as FailedSource).problem ?? ''))).toBe(false);
  });
});
