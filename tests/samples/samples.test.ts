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

describe('every other sample gets a clear message instead of a silent failure', () => {
  const loaded = new Set([
    'mde-ctf-utili-mystery/DeviceProcessEvents.csv', 'defender-hunting-plaso/advanced_hunting_test.csv',
    'azure-sentinel/Microsoft_M365 Defender for Endpoint_ProcessEvent_IngestedLogs.excerpt.csv',
    'azure-honeypot-ir/DeviceProcessEvents.csv.excerpt.csv', 'elastic-integrations/test-device.DeviceProcessEvents.excerpt.jsonl',
  ]);
  const all = readdirSync(SAMPLES).flatMap((d) => (statSync(path.join(SAMPLES, d)).isDirectory() ? readdirSync(path.join(SAMPLES, d)).map((f) => `${d}/${f}`) : []));
  for (const rel of all.filter((f) => !loaded.has(f))) {
    test(rel, async () => {
      const s = await load(rel);
      expect(s.status).toBe('failed');
      expect((s as FailedSource).problem.length).toBeGreaterThan(10);
    });
  }
});
