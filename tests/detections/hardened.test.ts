/**
 * Hardened mode: each gap of the exact query, closed by its own switch, on tests/fixtures/hardened/gaps.csv (written
 * for this project; rows numbered 1–16 in the comments below, in file order). Expectations were worked out by hand.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { createNodeEngine } from '../support/node-engine';
import { loadAll, netDiscovery, runParams } from '../support/harness';
import { countedEvents, runDetection } from '../../src/lib/detections/runner';
import { ALL_HARDENING, type Hardening, type RunParams } from '../../src/lib/detections/types';
import { alertsToJson } from '../../src/lib/export/json';
import type { LoadedSource } from '../../src/lib/ingest/source';

type Engine = Awaited<ReturnType<typeof createNodeEngine>>;
let engine: Engine;
let sources: LoadedSource[];
beforeAll(async () => {
  engine = await createNodeEngine();
  sources = (await loadAll(engine, [{ name: 'gaps.csv', content: readFileSync(new URL('../fixtures/hardened/gaps.csv', import.meta.url)) }]))
    .filter((s): s is LoadedSource => s.status === 'ready');
});
afterAll(() => engine?.close());

const params = (mode: 'exact' | 'hardened', hardening: Partial<Hardening> = {}): RunParams =>
  ({ ...runParams({ now: '2024-10-10T00:00:00Z', threshold: 3 }), mode, hardening: { ...ALL_HARDENING, ...hardening } });
const run = (p: RunParams) => runDetection(engine, netDiscovery, p, sources);
const summary = (alerts: { account: string; total: number }[]) => alerts.map((a) => [a.account, a.total]);

describe('exact mode is untouched', () => {
  test('only rows 6, 7 and 8 count: NET.EXE, net users, the renamed copy and the UPN-less rows are missed; `net use /user:` over-matches', async () => {
    const r = await run(params('exact'));
    expect(summary(r.alerts)).toEqual([['alice@contoso.com', 3]]);
    expect(r.alerts[0]!.commands).toEqual(['net "group" "Domain Admins" /domain', 'C:\\Windows\\system32\\net1 "group" "Domain Admins" /domain', 'net use \\\\srv\\share /user:bob'].sort());
    expect([r.mode, r.hardened, r.noise]).toEqual(['exact', undefined, []]);
  });
});

describe('hardened mode, every switch on', () => {
  test('alerts, reasons and the summary of what it adds', async () => {
    const r = await run(params('hardened'));
    // alice: rows 1 (NET.EXE), 2 (net users), 4 (renamed nt.exe), 6; row 3 and 7 are net1.exe children counted
    // with their parents; row 8 (net use) is not a discovery sub-command; GRB_NET.exe (row 5) never matches.
    // ws1\localadmin: rows 9–11, which exact mode drops for their empty AccountUpn.
    expect(summary(r.alerts)).toEqual([['alice@contoso.com', 4], ['ws1\\localadmin', 3]]);
    const [alice, local] = r.alerts;
    expect([alice!.notInExact, alice!.newEvents, alice!.reasons]).toEqual([false, 3,
      ['file name in another letter case', 'renamed copy (original file name)', 'sub-command not matched by has()']]);
    expect([local!.notInExact, local!.newEvents, local!.reasons]).toEqual([true, 3, ['no AccountUpn (keyed by DOMAIN\\name)']]);
    expect(alice!.counts).toEqual({ TotalEvents: 4, TotalAccountsEvents: 0, TotalGroupEvents: 1, TotalLocalGroupEvents: 1, TotalUserEvents: 2 });
    // SYSTEM's three runs under SenseIR.exe (rows 12, 15, 16; row 13 is a child) are expected noise, apart.
    expect(r.noise.map((a) => [a.account, a.total, a.noise])).toEqual([['nt authority\\system', 3, 'Defender investigation package']]);
    expect(r.hardened).toEqual({ addedAlerts: 1, removedAlerts: 0, addedEvents: 6, pairedChildren: 3, noiseEvents: 4 });
  });

  test('the JSON export keeps its shape; AccountUpn holds the key used', async () => {
    const r = await run(params('hardened'));
    const rows = JSON.parse(alertsToJson(r.alerts)) as Record<string, unknown>[];
    const exact = JSON.parse(alertsToJson((await run(params('exact'))).alerts)) as Record<string, unknown>[];
    expect(Object.keys(rows[0]!)).toEqual(Object.keys(exact[0]!));
    expect(rows.map((x) => x.AccountUpn)).toEqual(['alice@contoso.com', 'ws1\\localadmin']);
  });

  test('each counted event says why exact mode misses it', async () => {
    const r = await run(params('hardened'));
    const events = await countedEvents(engine, netDiscovery, params('hardened'), r.alerts[0]!);
    expect(events.map((e) => [e.ProcessCommandLine, e.ExactMisses])).toEqual([
      ['NET USER', 'file name in another letter case'],
      ['net users', 'sub-command not matched by has()'],
      ['nt.exe localgroup administrators', 'renamed copy (original file name)'],
      ['net "group" "Domain Admins" /domain', ''],
    ]);
    const noise = await countedEvents(engine, netDiscovery, params('hardened'), r.noise[0]!);
    expect(noise).toHaveLength(3);
  });
});

describe('each switch can be turned off on its own', () => {
  test('case off: NET.EXE is still caught by its original file name; with original off too, it is not', async () => {
    expect(summary((await run(params('hardened', { case: false }))).alerts)).toEqual([['alice@contoso.com', 4], ['ws1\\localadmin', 3]]);
    // alice keeps rows 2 and 6 only: below the threshold.
    expect(summary((await run(params('hardened', { case: false, original: false }))).alerts)).toEqual([['ws1\\localadmin', 3]]);
  });
  test('original off: the renamed copy is not counted', async () => {
    expect(summary((await run(params('hardened', { original: false }))).alerts)).toEqual([['alice@contoso.com', 3], ['ws1\\localadmin', 3]]);
  });
  test('subcommand off: has() again (net users missed, net use /user: counted)', async () => {
    // alice: rows 1, 4, 6, 8 (row 2 is Other again; the children 3 and 7 stay paired away).
    expect(summary((await run(params('hardened', { subcommand: false }))).alerts)).toEqual([['alice@contoso.com', 4], ['ws1\\localadmin', 3]]);
  });
  test('accounts off: the UPN-less rows are dropped, as exact mode does', async () => {
    const r = await run(params('hardened', { accounts: false }));
    expect(summary(r.alerts)).toEqual([['alice@contoso.com', 4]]);
    expect(r.noise).toEqual([]);
  });
  test('noise off: SYSTEM\'s runs are an ordinary alert', async () => {
    const r = await run(params('hardened', { noise: false }));
    expect(summary(r.alerts)).toEqual([['alice@contoso.com', 4], ['nt authority\\system', 3], ['ws1\\localadmin', 3]]);
    expect(r.hardened?.noiseEvents).toBe(0);
  });
  test('pairs off: net1.exe children count again', async () => {
    const r = await run(params('hardened', { pairs: false }));
    expect(summary(r.alerts)).toEqual([['alice@contoso.com', 6], ['ws1\\localadmin', 3]]);
    expect(r.hardened?.pairedChildren).toBe(0);
  });
});

describe('Windows sources in hardened mode', () => {
  test('a renamed copy caught by Sysmon\'s OriginalFileName; a look-alike is not', async () => {
    const event = (id: number, image: string, original: string, cmd: string) => JSON.stringify({ Event: { System: {
      Provider: { '#attributes': { Name: 'Microsoft-Windows-Sysmon' } }, EventID: 1, EventRecordID: id, Channel: 'Microsoft-Windows-Sysmon/Operational',
      Computer: 'ws-litware-3', TimeCreated: { '#attributes': { SystemTime: '2024-10-09T08:00:0' + id + '.0000000Z' } } },
    EventData: { UtcTime: `2024-10-09 08:00:0${id}.000`, ProcessId: 900 + id, Image: image, OriginalFileName: original, CommandLine: cmd, User: 'LITWARE\\kim', ParentProcessId: 1 } } });
    const text = [event(1, 'C:\\Temp\\svc.exe', 'net.exe', 'svc.exe user /domain'), event(2, 'C:\\Temp\\svc.exe', 'net.exe', 'svc.exe group /domain'),
      event(3, 'C:\\Temp\\GRB_NET.exe', 'GRB_NET.exe', 'GRB_NET.exe user')].join('\n');
    const own = (await loadAll(engine, [{ name: 'sysmon.jsonl', content: text }])).filter((s): s is LoadedSource => s.status === 'ready');
    const p = { ...runParams({ now: '2024-10-10T00:00:00Z', threshold: 2 }), mode: 'hardened' as const, hardening: ALL_HARDENING };
    const r = await runDetection(engine, netDiscovery, p, own);
    expect(r.alerts.map((a) => [a.account, a.total, a.notInExact])).toEqual([['LITWARE\\kim', 2, true]]);
    expect((await runDetection(engine, netDiscovery, { ...p, mode: 'exact' }, own)).alerts).toEqual([]);
  });
});

describe('review fixes', () => {
  test('the sub-command ignores quotes anywhere in the argument, as net.exe does', async () => {
    const cases: [string, string | null][] = [['net "u"ser /domain', 'user'], ['net us""er', 'user'], ['"C:\\Windows\\system32\\net.exe" user', 'user'],
      ['NET USERS', 'users'], ['nt.exe localgroup administrators', 'localgroup'], ['net', null], ['C:\\Windows\\system32\\net1  "group"', 'group']];
    const rows = await engine.query(`SELECT lh_net_subcommand(c) AS s FROM (VALUES ${cases.map(([c]) => `('${c.replaceAll("'", "''")}')`).join(', ')}) t(c)`);
    expect(rows.map((r) => r.s)).toEqual(cases.map(([, s]) => s));
  });

  test('log text cannot make a user with a UPN into expected noise', async () => {
    const csv = ['Timestamp,DeviceName,FileName,ProcessCommandLine,AccountName,AccountDomain,AccountSid,AccountUpn,InitiatingProcessFileName,InitiatingProcessCommandLine,InitiatingProcessParentFileName',
      ...[1, 2, 3].map((i) => `2024-10-09T10:0${i}:00Z,ws1,net.exe,net user /domain,mallory,contoso,S-1-5-21-1-2-3-1200,mallory@contoso.com,powershell.exe,"powershell -c ""# Windows Defender Advanced Threat Protection\\DataCollection""",SenseIR.exe`)].join('\n');
    const own = (await loadAll(engine, [{ name: 'spoof.csv', content: csv }])).filter((s): s is LoadedSource => s.status === 'ready');
    const r = await runDetection(engine, netDiscovery, { ...runParams({ now: '2024-10-10T00:00:00Z', threshold: 3 }), mode: 'hardened', hardening: ALL_HARDENING }, own);
    expect([r.alerts.map((a) => a.account), r.noise]).toEqual([['mallory@contoso.com'], []]);
  });
});
