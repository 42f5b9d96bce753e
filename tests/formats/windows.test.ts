/**
 * Beyond Defender: Windows process-creation events (Sysmon 1, Security 4688) in their containers, Elastic ECS,
 * tables mapped by the user, and the rule that one event counts once (duplicates, Sysmon/4688 twins). Fixtures are
 * in tests/fixtures/windows (written for this project; see its README). Every expectation below was worked out
 * by hand from the fixture and the rules in the issue.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { createNodeEngine } from '../support/node-engine';
import { detect, loadAll, type LoadOptions, type TestParams } from '../support/harness';
import type { FailedSource, LoadedSource } from '../../src/lib/ingest/source';
import type { ColumnMapping } from '../../src/lib/ingest/schema';
import { guessMapping } from '../../src/lib/ingest/mapping-guess';
import { classifyEvent, decimalPid, leafOf, OTHER_WINDOWS_EVENT } from '../../src/lib/ingest/windows-events';

type Engine = Awaited<ReturnType<typeof createNodeEngine>>;
let engine: Engine;
beforeAll(async () => { engine = await createNodeEngine(); });
afterAll(() => engine?.close());

const fixture = (name: string) => readFileSync(new URL(`../fixtures/windows/${name}`, import.meta.url));
const text = (name: string) => fixture(name).toString('utf8');

function ready(s: LoadedSource | FailedSource | undefined): LoadedSource {
  if (!s) throw new Error('no source');
  if (s.status !== 'ready') throw new Error(`${s.name} did not load: ${s.problem}`);
  return s;
}

async function loadOne(name: string, options?: LoadOptions, content: string | Uint8Array = fixture(name)) {
  return ready((await loadAll(engine, [{ name, content }], 0, options))[0]);
}

const processEvents = (s: LoadedSource) =>
  s.rowsRead - s.skipped.reduce((n, g) => n + g.count, 0) - s.rejected.reduce((n, g) => n + g.count, 0) - s.removed.twins - s.removed.duplicates;

async function alertsOf(sources: LoadedSource[], params: TestParams) {
  const res = await detect(engine, sources, params);
  return res.alerts.map((a) => ({ account: a.account, total: a.total, first: a.firstEvent, last: a.lastEvent, commands: [...a.commands].sort() }));
}

const used = (s: LoadedSource, column: string) => s.fieldsUsed.find((f) => f.column === column)?.from;

describe('NXLog JSON lines (the OTRF Security-Datasets layout)', () => {
  test('Sysmon 1 and Security 4688 map onto process events; other events are skipped and counted', async () => {
    const s = await loadOne('nxlog.jsonl');
    expect(s.format).toBe('NXLog JSON (Sysmon 1, Security 4688)');
    expect([s.rowsRead, s.netRows]).toEqual([17, 13]);
    expect(s.skipped).toEqual([{ reason: OTHER_WINDOWS_EVENT, count: 2 }]);
    expect(s.rejected).toEqual([]);
    // 6 Security twins of Sysmon events (two of them matched by parent id and image: NXLog dropped Sysmon's
    // ProcessId) and the Sysmon record shipped twice.
    expect(s.removed).toEqual({ twins: 6, duplicates: 1, net: 7 });
    expect(processEvents(s)).toBe(8);
    expect(s.shape.upnDerived).toBe(true);
    expect(used(s, 'Timestamp')).toBe('UtcTime / @timestamp');
    expect(used(s, 'FileName')).toBe('Image (last path segment) / NewProcessName (last path segment)');
    expect(used(s, 'AccountName')).toBe('User (after \\) / SubjectUserName');
    expect(used(s, 'AccountUpn')).toBe('AccountDomain\\AccountName (derived)');
    expect(s.notes.join('\n')).toMatch(/EventTime is the host's local time/);
    expect(s.notes.join('\n')).toContain('Process events: 8 Sysmon 1, 7 Security 4688.');
  });

  test('the detection counts each net invocation once, at Sysmon\'s UtcTime, for DOMAIN\\name', async () => {
    const s = await loadOne('nxlog.jsonl');
    expect(await alertsOf([s], { now: '2024-10-10T00:00:00Z', threshold: 3 })).toEqual([{
      account: 'CONTOSO\\alice', total: 6, first: '2024-10-09T14:51:30.1230000Z', last: '2024-10-09T14:53:00.0300000Z',
      commands: ['C:\\Windows\\system32\\net1  user', 'C:\\Windows\\system32\\net1 group "Domain Admins" /domain',
        'C:\\Windows\\system32\\net1 localgroup administrators', 'net  user', 'net group "Domain Admins" /domain', 'net localgroup administrators'],
    }]);
  });

  test('twins are found across sources too: Sysmon and Security logs loaded as two files', async () => {
    const lines = text('nxlog.jsonl').trim().split('\n');
    const sysmon = lines.filter((l) => l.includes('"EventID": 1,')).join('\n');
    const security = lines.filter((l) => l.includes('"EventID": 4688,')).join('\n');
    const [a, b] = (await loadAll(engine, [{ name: 'sysmon.jsonl', content: sysmon }, { name: 'security.jsonl', content: security }])).map((s) => ready(s));
    expect([a!.removed.twins, b!.removed.twins]).toEqual([0, 6]);
    expect((await alertsOf([a!, b!], { now: '2024-10-10T00:00:00Z', threshold: 3 })).map((x) => [x.account, x.total])).toEqual([['CONTOSO\\alice', 6]]);
  });

  test('a Security-only log keeps its 4688 events, timed by the collector\'s @timestamp', async () => {
    const security = text('nxlog.jsonl').trim().split('\n').filter((l) => l.includes('"EventID": 4688,')).join('\n');
    const s = await loadOne('security.jsonl', {}, security);
    expect(s.removed).toEqual({ twins: 0, duplicates: 0, net: 0 });
    const [alert] = await alertsOf([s], { now: '2024-10-10T00:00:00Z', threshold: 3 });
    expect([alert!.account, alert!.total, alert!.first]).toEqual(['CONTOSO\\alice', 6, '2024-10-09T14:51:32.5230000Z']);
  });
});

describe('evtx_dump JSON and Winlogbeat', () => {
  test('evtx_dump JSON lines: System/TimeCreated and EventData; twins matched on UTC times', async () => {
    const s = await loadOne('evtx-dump.jsonl');
    expect([s.format, s.rowsRead, s.netRows]).toEqual(['evtx_dump JSON (Sysmon 1, Security 4688)', 4, 4]);
    expect(s.removed).toEqual({ twins: 2, duplicates: 0, net: 2 });
    expect(used(s, 'ProcessVersionInfoOriginalFileName')).toBe('OriginalFileName');
    expect(used(s, 'DeviceName')).toBe('Computer');
    expect((await alertsOf([s], { now: '2024-10-10T00:00:00Z', threshold: 2 })).map((x) => [x.account, x.total, x.first]))
      .toEqual([['FABRIKAM\\dave', 2, '2024-10-09T14:51:30.1230000Z']]);
  });

  test('Winlogbeat: winlog.event_data is read, not the ECS fields beside it', async () => {
    const s = await loadOne('winlogbeat.ndjson');
    expect([s.format, s.rowsRead, s.netRows]).toEqual(['Winlogbeat JSON (Sysmon 1, Security 4688)', 4, 3]);
    expect(s.skipped).toEqual([{ reason: OTHER_WINDOWS_EVENT, count: 1 }]);
    expect(s.removed).toEqual({ twins: 1, duplicates: 0, net: 1 });
    expect((await alertsOf([s], { now: '2024-10-10T00:00:00Z', threshold: 2 })).map((x) => [x.account, x.total])).toEqual([['CONTOSO\\bob', 2]]);
  });
});

describe('Windows event XML (Event Viewer "Save as XML", wevtutil qe /f:xml)', () => {
  const xml = (name: string) => readFileSync(new URL(`../fixtures/windows-xml/${name}`, import.meta.url));

  test('Event Viewer file: Sysmon 1 and Security 4688 map; a Sysmon 3 is skipped; different images are never twins', async () => {
    const s = await loadOne('event-viewer-saved.xml', {}, xml('event-viewer-saved.xml'));
    expect([s.format, s.rowsRead, s.netRows]).toEqual(['Windows event XML (Sysmon 1, Security 4688)', 3, 2]);
    expect(s.skipped).toEqual([{ reason: OTHER_WINDOWS_EVENT, count: 1 }]);
    // The Sysmon net.exe and the 4688 net1.exe share a process id in this fixture; their images differ, so both count.
    expect(s.removed).toEqual({ twins: 0, duplicates: 0, net: 0 });
    expect(used(s, 'Timestamp')).toBe('UtcTime / System/TimeCreated/@SystemTime');
    expect((await alertsOf([s], { now: '2024-10-10T00:00:00Z', threshold: 2 })).map((x) => [x.account, x.total, x.first]))
      .toEqual([['CONTOSO\\alice', 2, '2024-10-09T14:51:30.1230000Z']]);
  });

  test('wevtutil output as PowerShell writes it (UTF-16 LE, no root element)', async () => {
    const s = await loadOne('wevtutil-utf16le.xml', {}, xml('wevtutil-utf16le.xml'));
    expect([s.format, s.rowsRead, s.skipped]).toEqual(['Windows event XML (Sysmon 1, Security 4688)', 4, [{ reason: OTHER_WINDOWS_EVENT, count: 2 }]]);
  });

  test('malformed events are rejected with their line numbers; the events after them still load', async () => {
    const s = await loadOne('malformed-middle.xml', {}, xml('malformed-middle.xml'));
    expect(s.rejected.map((r) => [r.count, r.first, r.unit])).toEqual([[1, [2], 'line'], [1, [4], 'line'], [1, [6], 'line'], [1, [7], 'line']]);
    expect(s.rejected[0]!.reason).toMatch(/^malformed XML: /);
    expect(s.rowsRead - 4).toBeGreaterThan(0);
  });
});

describe('Sentinel SecurityEvent CSV', () => {
  test('pandas dump with an unnamed index column: 4688 rows only, FileName from NewProcessName', async () => {
    const s = await loadOne('securityevent-pandas.csv');
    expect([s.format, s.variant, s.rowsRead, s.netRows]).toEqual(['Sentinel SecurityEvent CSV (Security 4688)', 'sentinel', 5, 3]);
    expect(s.skipped).toEqual([{ reason: 'other Windows events (not Security 4688)', count: 1 }]);
    expect(used(s, 'FileName')).toBe('NewProcessName (last path segment)');
    expect(used(s, 'AccountUpn')).toBe('AccountDomain\\AccountName (derived)');
    const res = await detect(engine, [s], { now: '2024-10-10T00:00:00Z', threshold: 3 });
    expect(res.binColumn).toBe('TimeGenerated');
    // NET.EXE is not "net.exe" for Kusto's case-sensitive `in`.
    expect(res.alerts.map((a) => [a.account, a.counts])).toEqual([['NORTHWIND\\erin', { TotalEvents: 3, TotalAccountsEvents: 0, TotalGroupEvents: 0, TotalLocalGroupEvents: 1, TotalUserEvents: 2 }]]);
  });

  test('Log Analytics export: `[UTC]` suffix, US locale times, and the same records loaded twice count once', async () => {
    const s = await loadOne('securityevent-la.csv');
    expect([s.rowsRead, s.netRows, s.dayOrders]).toEqual([3, 2, [{ column: 'TimeGenerated', dayFirst: false, basis: 'am-pm' }]]);
    expect((await alertsOf([s], { now: '2024-10-10T00:00:00Z', threshold: 2 })).map((x) => [x.account, x.total, x.first]))
      .toEqual([['NORTHWIND\\frank', 2, '2024-10-09T21:00:01.1000000Z']]);
    const [a, b] = (await loadAll(engine, [{ name: 'one.csv', content: fixture('securityevent-la.csv') }, { name: 'copy.csv', content: fixture('securityevent-la.csv') }])).map((x) => ready(x));
    expect([a!.removed.duplicates, b!.removed.duplicates]).toEqual([0, 2]);
    expect((await alertsOf([a!, b!], { now: '2024-10-10T00:00:00Z', threshold: 2 })).map((x) => x.total)).toEqual([2]);
  });
});

describe('Elastic Common Schema', () => {
  test('Elastic Defend (nested) and Kibana (dotted keys) process starts; other events skipped', async () => {
    const s = await loadOne('ecs.ndjson');
    expect([s.format, s.rowsRead, s.netRows]).toEqual(['Elastic Common Schema JSON (process start events)', 5, 3]);
    expect(s.skipped).toEqual([{ reason: 'other Elastic events (not a process start)', count: 2 }]);
    expect(used(s, 'FileName')).toBe('process.name / process.executable (last path segment)');
    expect(s.notes.join('\n')).toContain('user.domain\\user.name');
    expect((await alertsOf([s], { now: '2024-10-10T00:00:00Z', threshold: 3 })).map((x) => [x.account, x.total])).toEqual([['FABRIKAM\\carol', 3]]);
  });
});

describe('duplicates across Defender exports', () => {
  test('rows with the same ReportId, DeviceName and Timestamp count once; a reused ReportId at another time does not', async () => {
    const [a, b] = (await loadAll(engine, [{ name: 'a.csv', content: fixture('defender-overlap-a.csv') }, { name: 'b.csv', content: fixture('defender-overlap-b.csv') }])).map((x) => ready(x));
    expect(a!.removed).toEqual({ twins: 0, duplicates: 0, net: 0 });
    expect(b!.removed).toEqual({ twins: 0, duplicates: 2, net: 2 });
    expect((await alertsOf([a!, b!], { now: '2024-10-10T00:00:00Z', threshold: 2 })).map((x) => [x.account, x.total])).toEqual([['henry@tailspintoys.com', 4]]);
  });
});

describe('the mapping form for any other table', () => {
  const mapping: ColumnMapping = { time: 'CreatedProcessCreationTime', zoneMinutes: 0, image: 'CreatedProcessName', commandLine: 'CreatedProcessCommandLine',
    account: 'CreatedProcessAccountName', domain: 'CreatedProcessAccountDomainName', device: 'ComputerDnsName' };

  test('an unrecognised table is offered for mapping, with its columns, a preview and guesses', async () => {
    const [s] = await loadAll(engine, [{ name: 'mde-backend.csv', content: fixture('mde-backend.csv') }]);
    expect(s!.status).toBe('failed');
    const m = (s as FailedSource).mappable!;
    expect(m.columns.slice(0, 3)).toEqual(['Column1', 'CreatedProcessCreationTime', 'CreatedProcessName']);
    expect(m.preview[0]!.slice(0, 3)).toEqual(['0', '2024-10-09 17:00:00.000000100+00:00', 'net.exe']);
    expect(guessMapping(m.columns)).toEqual({ ...mapping, upn: undefined });
  });

  test('read with the mapping: accounts keyed DOMAIN\\name, pandas times exact to 100 ns', async () => {
    const s = await loadOne('mde-backend.csv', { mapping });
    expect([s.format, s.rowsRead, s.netRows]).toEqual(['CSV (columns mapped by you)', 4, 3]);
    expect(used(s, 'FileName')).toBe('CreatedProcessName (last path segment)');
    expect((await alertsOf([s], { now: '2024-10-10T00:00:00Z', threshold: 3 })).map((x) => [x.account, x.total, x.first]))
      .toEqual([['WOODGROVE\\grace', 3, '2024-10-09T17:00:00.0000001Z']]);
  });

  test('a remembered mapping is applied to a file with the same header, and says so', async () => {
    const s = await loadOne('mde-backend.csv', { rememberedMapping: (sig) => (JSON.parse(sig) as string[]).includes('CreatedProcessName') ? mapping : undefined });
    expect(s.mapping).toEqual(mapping);
    expect(s.notes[0]).toMatch(/mapped as you mapped this header before/);
  });

  test('times without a zone are read in the chosen zone; an account column holding DOMAIN\\name is split', async () => {
    const csv = 'When,Exe,Cmd,Who\n2024-10-09 10:00:00,C:\\Windows\\System32\\net.exe,net user,WINGTIP\\ivan\n2024-10-09 10:00:01,C:\\Windows\\System32\\net1.exe,net1 user,WINGTIP\\ivan\n';
    const s = await loadOne('plain.csv', { mapping: { time: 'When', zoneMinutes: 120, image: 'Exe', commandLine: 'Cmd', account: 'Who' } }, csv);
    expect((await alertsOf([s], { now: '2024-10-10T00:00:00Z', threshold: 2 })).map((x) => [x.account, x.total, x.first]))
      .toEqual([['WINGTIP\\ivan', 2, '2024-10-09T08:00:00.0000000Z']]);
    expect(used(s, 'AccountDomain')).toBe('Who (before \\)');
  });

  test('a mapping naming a column the file lacks is refused with the column named', async () => {
    const [s] = await loadAll(engine, [{ name: 'mde-backend.csv', content: fixture('mde-backend.csv') }], 0, { mapping: { ...mapping, device: 'NoSuchColumn' } });
    expect((s as FailedSource).problem).toContain('NoSuchColumn');
    expect((s as FailedSource).mappable).toBeDefined();
  });
});

describe('classifying one event', () => {
  test('paths, pids and event kinds', () => {
    expect(leafOf('C:\\Windows\\System32\\net.exe')).toBe('net.exe');
    expect(leafOf('net1')).toBe('net1');
    expect([decimalPid('0x1528'), decimalPid('7456'), decimalPid('-'), decimalPid(null)]).toEqual(['5416', '7456', null, null]);
    // EventID 1 outside the Sysmon channel is some other provider's event 1, not a process creation.
    expect(classifyEvent({ EventID: 1, Channel: 'System', SourceName: 'Microsoft-Windows-Kernel-General', Image: 'x' })).toEqual({ skip: OTHER_WINDOWS_EVENT });
    expect(classifyEvent({ Timestamp: '2024-10-09T00:00:00Z', FileName: 'net.exe' })).toBeNull();
    const mapped = classifyEvent({ EventID: 4688, Channel: 'Security', Computer: 'h', NewProcessName: 'C:\\x\\GRB_NET.exe', SubjectUserName: 'u', SubjectDomainName: 'D', NewProcessId: '0x10', TimeGenerated: '2024-10-09T00:00:00Z' });
    expect(mapped && 'mapped' in mapped ? [mapped.mapped.container, mapped.mapped.row.FileName, mapped.mapped.row.ProcessId, mapped.mapped.row.Timestamp] : null)
      .toEqual(['SecurityEvent rows', 'GRB_NET.exe', '16', '2024-10-09T00:00:00Z']);
  });
});

describe('review fixes', () => {
  test('Winlogbeat documents whose pipeline moved EventData to ECS fields still map', async () => {
    const doc = { '@timestamp': '2024-10-09T15:10:00.250Z', host: { name: 'ws-9' }, user: { name: 'bob', domain: 'CONTOSO' },
      process: { executable: 'C:\\Windows\\System32\\net.exe', command_line: 'net user /domain', pid: 5100, parent: { executable: 'C:\\Windows\\System32\\cmd.exe' } },
      winlog: { channel: 'Microsoft-Windows-Sysmon/Operational', computer_name: 'ws-9', event_id: '1', provider_name: 'Microsoft-Windows-Sysmon', record_id: 1, event_data: { UtcTime: '2024-10-09 15:10:00.250' } } };
    const s = await loadOne('ecs-sysmon.ndjson', {}, JSON.stringify(doc));
    expect([s.netRows, used(s, 'FileName'), used(s, 'AccountName')]).toEqual([1, 'Image (last path segment)', 'User (after \\)']);
    expect((await alertsOf([s], { now: '2024-10-10T00:00:00Z', threshold: 1 })).map((x) => x.account)).toEqual(['CONTOSO\\bob']);
  });

  test('a SecurityEvent CSV row and its Sysmon twin from another file count once', async () => {
    const security = 'EventID,TimeGenerated,Computer,SubjectUserName,SubjectDomainName,NewProcessId,NewProcessName,CommandLine\n' +
      '4688,2024-10-09 14:51:30.500,WS-CONTOSO-07.contoso.local,alice,CONTOSO,0x1004,C:\\Windows\\System32\\net.exe,net  user\n';
    const sysmon = text('nxlog.jsonl').trim().split('\n')[0]!; // Sysmon net.exe, pid 4100 (0x1004), 14:51:30.123
    const [a, b] = (await loadAll(engine, [{ name: 'sysmon.jsonl', content: sysmon }, { name: 'security.csv', content: security }])).map((x) => ready(x));
    expect([a!.removed.twins, b!.removed.twins]).toEqual([0, 1]);
  });
});
