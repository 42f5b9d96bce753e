// Regressions for defects an independent review found; each test fails on the code before its fix.
import { beforeAll, describe, expect, test } from 'vitest';
import { createNodeEngine } from '../support/node-engine';
import { detect, loadAll } from '../support/harness';
import { alertsToJson } from '../../src/lib/export/json';
import { alertsToCsv } from '../../src/lib/export/csv';
import type { Engine } from '../../src/lib/engine/engine';

let engine: Engine;
beforeAll(async () => { engine = await createNodeEngine(); });

describe('review regressions', () => {
  test('a source column named like an output column is renamed, never a duplicate key that overwrites the counts', async () => {
    const csv = ['Timestamp,FileName,ProcessCommandLine,AccountUpn,TotalEvents,LastEvent,ExecutedCommands',
      '2024-05-09T10:00:00Z,net.exe,net user,a@x,999,evil,evil'].join('\n');
    const sources = await loadAll(engine, [{ name: 'collide.csv', content: csv }]);
    const res = await detect(engine, sources, { now: '2024-05-10T00:00:00Z', start: '36500d', threshold: 1 });
    expect(res.columns).toEqual(['FirstEvent', 'LastEvent', 'TotalEvents', 'TotalAccountsEvents', 'TotalGroupEvents', 'TotalLocalGroupEvents',
      'TotalUserEvents', 'ExecutedCommands', 'AccountUpn', 'Timestamp', 'FileName', 'ProcessCommandLine', 'TotalEvents1', 'LastEvent1',
      'ExecutedCommands1', 'NetActionType', 'FileName1', 'ProcessCommandLine1', 'TotalEvents2', 'LastEvent2', 'ExecutedCommands2', 'NetActionType1']);
    const [row] = JSON.parse(alertsToJson(res.alerts)) as Record<string, unknown>[];
    expect([row!.TotalEvents, row!.LastEvent, row!.TotalEvents1, row!.LastEvent1]).toEqual([1, '2024-05-09T10:00:00.0000000Z', '999', 'evil']);
    const [header, line] = alertsToCsv(res.alerts, res.columns).split('\r\n');
    expect(new Set(header!.split(',')).size).toBe(res.columns.length);
    expect(line!.split(',')[2]).toBe('1');
  });

  test('records nested in one {"records":[...]} document keep their own source order for the arg_max/arg_min tie-break', async () => {
    const record = (device: string) => ({ category: 'AdvancedHunting-DeviceProcessEvents',
      properties: { Timestamp: '2024-05-09T10:00:00Z', DeviceName: device, FileName: 'net.exe', ProcessCommandLine: 'net user', AccountUpn: 'a@x' } });
    const doc = JSON.stringify({ records: ['WS0', 'WS1', 'WS2', 'WS3'].map(record) }, null, 1);
    const sources = await loadAll(engine, [{ name: 'records.json', content: doc }]);
    const res = await detect(engine, sources, { now: '2024-05-10T00:00:00Z', start: '36500d', threshold: 1 });
    const [row] = JSON.parse(alertsToJson(res.alerts)) as Record<string, unknown>[];
    expect([row!.DeviceName, row!.DeviceName1]).toEqual(['WS3', 'WS0']);
  });

  test('an impossible 12-hour time is unreadable, not midnight', async () => {
    const [r] = await engine.query(`SELECT lh_ticks('Oct 9, 2024 13:41:10 PM', true, 0) AS a, lh_ticks('Oct 9, 2024 0:41:10 AM', true, 0) AS b,
      lh_ticks('7/5/2023, 00:10 AM', false, 0) AS c, lh_fmt(lh_ticks('Oct 9, 2024 12:41:10 AM', true, 0)) AS d`);
    expect(r).toEqual({ a: null, b: null, c: null, d: '2024-10-09T00:41:10.0000000Z' });
  });
});
