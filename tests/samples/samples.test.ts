/**
 * The real public exports in ../shared/samples (see its README for provenance). They are not copied into this
 * project (some have no licence), so this suite runs only where that folder exists: `npm run test:samples`.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { createNodeEngine } from '../support/node-engine';
import { detect, loadAll } from '../support/harness';
import type { Engine } from '../../src/lib/engine/engine';
import type { FailedSource, LoadedSource } from '../../src/lib/ingest/source';
import { formatTicks } from '../../src/lib/time/ticks';

const SAMPLES = path.resolve(import.meta.dirname, '../../../shared/samples');
if (!existsSync(SAMPLES)) {
  throw new Error(`The real-samples suite needs ${SAMPLES} (the shared folder beside this project); it is not part of a clone. ` +
    'Run `npm test` for everything that ships with the project.');
}

let engine: Engine;
beforeAll(async () => { engine = await createNodeEngine(); });

async function load(rel: string): Promise<LoadedSource | FailedSource> {
  const [source] = await loadAll(engine, [{ name: path.basename(rel), content: readFileSync(path.join(SAMPLES, rel)) }]);
  return source!;
}

function ready(s: LoadedSource | FailedSource): LoadedSource {
  if (s.status !== 'ready') throw new Error(`${s.name} failed: ${s.problem}`);
  return s;
}

describe('Defender and Sentinel exports load with the right format, variant and row count', () => {
  const cases = [
    { file: 'mde-ctf-utili-mystery/DeviceProcessEvents.csv', format: 'Defender Advanced Hunting CSV', variant: 'defender', rows: 369, net: 4 },
    { file: 'defender-hunting-plaso/advanced_hunting_test.csv', format: 'Defender Advanced Hunting CSV', variant: 'defender', rows: 26, net: 0 },
    { file: 'azure-sentinel/Microsoft_M365 Defender for Endpoint_ProcessEvent_IngestedLogs.excerpt.csv', format: 'Sentinel / Log Analytics CSV', variant: 'sentinel', rows: 3, net: 0 },
    { file: 'azure-honeypot-ir/DeviceProcessEvents.csv.excerpt.csv', format: 'Defender Advanced Hunting CSV', variant: 'sentinel', rows: 5, net: 4 },
    { file: 'elastic-integrations/test-device.DeviceProcessEvents.excerpt.jsonl', format: 'Defender streaming API JSON', variant: 'defender', rows: 2, net: 0 },
  ] as const;
  for (const c of cases) {
    test(c.file, async () => {
      const s = ready(await load(c.file));
      expect([s.format, s.variant, s.rowsRead, s.netRows]).toEqual([c.format, c.variant, c.rows, c.net]);
      expect(s.rejected).toEqual([]);
      expect(s.minTime).not.toBeNull();
    });
  }

  test('ctf-Utili: display-style times, `Invalid date`, BOM and CRLF; accounts keyed as domain\\name', async () => {
    const s = ready(await load('mde-ctf-utili-mystery/DeviceProcessEvents.csv'));
    expect(s.hasDisplayTimes).toBe(true);
    expect(s.shape.upnDerived).toBe(true);
    expect(s.notes.join(' ')).toContain('AccountDomain\\AccountName');
    expect(formatTicks(s.minTime!).slice(0, 10)).toBe('2024-10-09');
    const res = await detect(engine, [s], { now: formatTicks(s.maxTime!), start: '36500d', threshold: 1 });
    expect(res.alerts.map((a) => [a.account, a.total])).toEqual([['dc01\\alice', 4]]);
    expect(res.alerts[0]!.commands).toEqual(['net  user bob  passmeplz', 'net  user bob  passmeplz12!', 'net1  user bob  passmeplz', 'net1  user bob  passmeplz12!']);
  });

  test('Sentinel excerpt: AccountUpn empty on every row is said plainly', async () => {
    const s = ready(await load('azure-sentinel/Microsoft_M365 Defender for Endpoint_ProcessEvent_IngestedLogs.excerpt.csv'));
    expect(s.notes.join(' ')).toContain('AccountUpn is empty on every row');
    expect(s.dayOrders.find((d) => d.column === 'TimeGenerated')?.dayFirst).toBe(true);
  });

  test('honeypot excerpt: MDE\'s own `net accounts` as system counts under exact semantics', async () => {
    const s = ready(await load('azure-honeypot-ir/DeviceProcessEvents.csv.excerpt.csv'));
    const res = await detect(engine, [s], { now: formatTicks(s.maxTime!), start: '36500d', threshold: 1 });
    expect(res.binColumn).toBe('TimeGenerated');
    expect(res.alerts.map((a) => [a.account, a.total])).toEqual([['system', 4]]);
  });
});

describe('Windows and Elastic process events (issue 5): the expected counts after merging Sysmon/4688 twins', () => {
  const cases = [
    { file: 'otrf/empire_shell_net_local_users.zip', processEvents: 5, netEvents: 2, twins: 5 },
    { file: 'otrf/empire_shell_net_localgroup_administrators.zip', processEvents: 2, netEvents: 2, twins: 2 },
    { file: 'otrf/empire_shell_rpc_samr_smb_group_domain_admins_standard_user.zip', processEvents: 2, netEvents: 2, twins: 2 },
    { file: 'otrf/empire_shell_samr_EnumDomainUsers.zip', processEvents: 2, netEvents: 2, twins: 2 },
    { file: 'otrf/empire_wmic_add_user_backdoor.zip', processEvents: 25, netEvents: 2, twins: 25 },
    { file: 'msticpy/processes_on_host.csv', processEvents: 363, netEvents: 23, twins: 0 },
  ];
  for (const c of cases) {
    test(`${c.file}: ${c.processEvents} process events, ${c.netEvents} net.exe/net1.exe events`, async () => {
      const sources = await loadAll(engine, [{ name: path.basename(c.file), content: readFileSync(path.join(SAMPLES, c.file)) }]);
      expect(sources).toHaveLength(1);
      const s = ready(sources[0]!);
      const skipped = s.skipped.reduce((n, g) => n + g.count, 0);
      expect(s.rejected).toEqual([]);
      expect(s.removed.twins).toBe(c.twins);
      expect(s.rowsRead - skipped - s.removed.twins - s.removed.duplicates).toBe(c.processEvents);
      expect(s.netRows - s.removed.net).toBe(c.netEvents);
      // What the detection reads agrees: the net rows left after the merge.
      const [row] = await engine.query(`SELECT count(*)::INTEGER AS n FROM lh_events WHERE FileName IN ('net.exe', 'net1.exe')`);
      expect(row!.n).toBe(c.netEvents);
    });
  }

  test('OTRF: each member is its own source, named inside its archive, with Sysmon preferred over its 4688 twin', async () => {
    const [s] = await loadAll(engine, [{ name: 'empire_shell_net_local_users.zip', content: readFileSync(path.join(SAMPLES, 'otrf/empire_shell_net_local_users.zip')) }]);
    const src = ready(s!);
    expect(src.name).toBe('empire_shell_net_local_users.zip › empire_shell_net_local_users_2020-09-21192606.json');
    expect(src.format).toBe('NXLog JSON (Sysmon 1, Security 4688)');
    expect(src.shape.upnDerived).toBe(true);
    expect(src.notes.join(' ')).toContain('DOMAIN\\name');
    const res = await detect(engine, [src], { now: formatTicks(src.maxTime!), start: '36500d', threshold: 1 });
    // Sysmon's UtcTime, not NXLog's local EventTime and not the collector's @timestamp of the 4688 twin.
    expect(res.alerts.map((a) => [a.account, a.total, a.firstEvent])).toEqual([['THESHIRE\\pgustavo', 2, '2020-09-21T23:26:20.8690000Z']]);
    expect(res.alerts[0]!.commands).toEqual(['"C:\\windows\\system32\\net.exe" user', 'C:\\windows\\system32\\net1 user']);
  });

  test('the wmic backdoor: the net.exe run by WMI is counted for the Sysmon User, not the 4688 machine account', async () => {
    const [s] = await loadAll(engine, [{ name: 'empire_wmic_add_user_backdoor.zip', content: readFileSync(path.join(SAMPLES, 'otrf/empire_wmic_add_user_backdoor.zip')) }]);
    const src = ready(s!);
    const res = await detect(engine, [src], { now: formatTicks(src.maxTime!), start: '36500d', threshold: 1 });
    expect(res.alerts.map((a) => [a.account, a.total])).toEqual([['THESHIRE\\pgustavo', 2]]);
  });

  test('msticpy SecurityEvent: MSTICAdmin\'s discovery on 2019-01-15 alerts; keyed by SubjectDomainName\\SubjectUserName', async () => {
    const [s] = await loadAll(engine, [{ name: 'processes_on_host.csv', content: readFileSync(path.join(SAMPLES, 'msticpy/processes_on_host.csv')) }]);
    const src = ready(s!);
    expect([src.format, src.variant]).toEqual(['Sentinel SecurityEvent CSV (Security 4688)', 'sentinel']);
    const res = await detect(engine, [src], { now: '2019-01-16T00:00:00Z', start: '2d', threshold: 10 });
    // 12 discovery commands (first argument user/group/localgroup) plus `net use … /User:adm1nistrator`, whose
    // whole term `User` Kusto's `has "user"` matches too.
    expect(res.alerts.map((a) => [a.account, a.total])).toEqual([['MSTICAlertsWin1\\MSTICAdmin', 13]]);
  });

  test('sigma evtx_dump JSON: the GRB_NET.exe look-alike is read and is not a net.exe event', async () => {
    const [s] = await loadAll(engine, [{ name: 'grixba.json', content: readFileSync(path.join(SAMPLES, 'sigma/grixba_recon_af688c76-4ce4-4309-bfdd-e896f01acf27.json')) }]);
    const src = ready(s!);
    expect([src.format, src.rowsRead, src.netRows]).toEqual(['evtx_dump JSON (Sysmon 1)', 1, 0]);
    expect(src.fieldsUsed.find((f) => f.column === 'FileName')?.from).toBe('Image (last path segment)');
  });

  test('msticpy MDE backend schema loads through the mapping form (offered first, then read with the mapping)', async () => {
    const content = readFileSync(path.join(SAMPLES, 'msticpy/mde_proc_cs1.csv.zip'));
    const [offered] = await loadAll(engine, [{ name: 'mde_proc_cs1.csv.zip', content }]);
    expect(offered!.status).toBe('failed');
    const mappable = (offered as FailedSource).mappable!;
    expect(mappable.columns).toContain('CreatedProcessCommandLine');
    expect(mappable.preview.length).toBeGreaterThan(0);
    const mapping = { time: 'CreatedProcessCreationTime', zoneMinutes: 0, image: 'CreatedProcessName', commandLine: 'CreatedProcessCommandLine',
      account: 'CreatedProcessAccountName', domain: 'CreatedProcessAccountDomainName', device: 'ComputerDnsName' };
    const [s] = await loadAll(engine, [{ name: 'mde_proc_cs1.csv.zip', content }], 0, { mapping });
    const src = ready(s!);
    expect([src.format, src.rowsRead, src.netRows]).toEqual(['CSV (columns mapped by you)', 1564, 13]);
    expect(src.rejected).toEqual([]);
    const res = await detect(engine, [src], { now: formatTicks(src.maxTime!), start: '36500d', threshold: 1 });
    expect(res.alerts.length).toBeGreaterThan(0);
    // The benign `net accounts` by SYSTEM and LOCAL SERVICE are counted under exact semantics (issue 7 sets them apart).
    expect(res.alerts.some((a) => /system/i.test(a.account))).toBe(true);
  });
});

describe('native .evtx files (issue 8): the records and net.exe/net1.exe events the samples README lists', () => {
  const cases = [
    { file: 'evtx-attack-samples/LM_typical_IIS_webshell_sysmon_1_10_traces.evtx', records: 4, processRows: 3, net: 2, account: 'IIS APPPOOL\\DefaultAppPool' },
    { file: 'evtx-attack-samples/PanacheSysmon_vs_AtomicRedTeam01.evtx', records: 565, processRows: 511, net: 3, account: null },
    { file: 'evtx-attack-samples/Sysmon 7 dllhijack_cdpsshims_CDPSvc.evtx', records: 13, processRows: 9, net: 2, account: null },
    { file: 'sigma/grixba_recon_af688c76-4ce4-4309-bfdd-e896f01acf27.evtx', records: 1, processRows: 1, net: 0, account: null },
  ];
  for (const c of cases) {
    test(c.file, async () => {
      const s = ready(await load(c.file));
      const skipped = s.skipped.reduce((n, g) => n + g.count, 0);
      expect([s.format.startsWith('Windows event log (.evtx)'), s.rowsRead, s.rowsRead - skipped, s.netRows, s.rejected]).toEqual([true, c.records, c.processRows, c.net, []]);
      const res = await detect(engine, [s], { now: formatTicks(s.maxTime!), start: '36500d', threshold: 1 });
      // Only the webshell's `net user` is discovery; Panache's net use / net view and CDPSvc's net start are not.
      expect(res.alerts.map((a) => a.account)).toEqual(c.account ? [c.account] : []);
    });
  }
});

describe('every sample loads, or is offered for mapping', () => {
  const all = readdirSync(SAMPLES).flatMap((d) => (statSync(path.join(SAMPLES, d)).isDirectory() ? readdirSync(path.join(SAMPLES, d)).map((f) => `${d}/${f}`) : []));
  test('no sample is refused', async () => {
    const refused: string[] = [];
    for (const rel of all.filter((f) => !f.endsWith('README.md'))) {
      const sources = await loadAll(engine, [{ name: path.basename(rel), content: readFileSync(path.join(SAMPLES, rel)) }]);
      for (const s of sources) if (s.status === 'failed' && !s.mappable) refused.push(`${rel}: ${s.problem}`);
    }
    expect(refused).toEqual([]);
  });
});
