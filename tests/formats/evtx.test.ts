/**
 * Native .evtx files through the loader (the reader itself: tests/unit/evtx-reader.test.ts; against python-evtx:
 * tests/samples/evtx-reference.test.ts). Fixtures: tests/fixtures/evtx, generated for this project.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { createNodeEngine } from '../support/node-engine';
import { detect, loadAll } from '../support/harness';
import type { FailedSource, LoadedSource } from '../../src/lib/ingest/source';

type Engine = Awaited<ReturnType<typeof createNodeEngine>>;
let engine: Engine;
beforeAll(async () => { engine = await createNodeEngine(); });
afterAll(() => engine?.close());

async function load(name: string): Promise<LoadedSource> {
  const [s] = await loadAll(engine, [{ name, content: readFileSync(new URL(`../fixtures/evtx/${name}`, import.meta.url)) }]);
  if (s?.status !== 'ready') throw new Error(`${name}: ${(s as FailedSource | undefined)?.problem}`);
  return s;
}
const alerts = async (s: LoadedSource) =>
  (await detect(engine, [s], { now: '2024-10-10T00:00:00Z', threshold: 2 })).alerts.map((a) => [a.account, a.total, a.firstEvent]);

describe('.evtx files', () => {
  test('a clean file: Sysmon 1 and Security 4688 mapped as the other Windows formats are, twins merged, others skipped', async () => {
    const s = await load('contoso-clean.evtx');
    expect([s.format, s.rowsRead, s.netRows, s.removed]).toEqual(['Windows event log (.evtx) (Sysmon 1, Security 4688)', 6, 4, { twins: 2, duplicates: 0, net: 2 }]);
    expect(s.skipped).toEqual([{ reason: 'other Windows events (not Sysmon 1 or Security 4688)', count: 1 }]);
    expect(s.fieldsUsed.find((f) => f.column === 'Timestamp')?.from).toBe('UtcTime / System/TimeCreated/@SystemTime');
    expect(await alerts(s)).toEqual([['CONTOSO\\alice', 2, '2024-10-09T14:51:30.1230000Z']]);
  });

  test('a dirty file (copied off a running system) yields every complete record, with a note', async () => {
    const s = await load('contoso-dirty.evtx');
    expect([s.rowsRead, s.netRows]).toEqual([6, 4]);
    expect(s.notes[0]).toMatch(/not closed cleanly/);
  });

  test('a corrupt chunk is skipped with a message naming it; the rest is read', async () => {
    const s = await load('contoso-corrupt-chunk.evtx');
    expect(s.notes[0]).toBe('chunk 1 (offset 0x11000): records checksum mismatch; skipped');
    expect([s.rowsRead, s.netRows]).toEqual([3, 3]);
    expect(await alerts(s)).toEqual([['CONTOSO\\alice', 2, '2024-10-09T14:51:30.1230000Z']]);
  });

  test('a truncated file: the record cut short is dropped and said so', async () => {
    const s = await load('contoso-truncated.evtx');
    expect(s.rowsRead).toBe(5);
    expect(s.notes.join('\n')).toMatch(/record 6 .* is cut short by the end of the file; dropped/);
  });

  test('a file without process-creation events says so', async () => {
    const [s] = await loadAll(engine, [{ name: 'v.evtx', content: readFileSync(new URL('../fixtures/evtx/value-types.evtx', import.meta.url)) }]);
    expect((s as FailedSource).problem).toMatch(/holds no process events/);
  });

  test('.evtx in a zip: each member is its own source', async () => {
    const { BlobReader, BlobWriter, ZipWriter } = await import('@zip.js/zip.js');
    const zip = new ZipWriter(new BlobWriter(), { useWebWorkers: false });
    for (const name of ['contoso-clean.evtx', 'contoso-corrupt-chunk.evtx']) {
      await zip.add(`logs/${name}`, new BlobReader(new Blob([readFileSync(new URL(`../fixtures/evtx/${name}`, import.meta.url))])));
    }
    const bytes = new Uint8Array(await (await zip.close()).arrayBuffer());
    const sources = await loadAll(engine, [{ name: 'collected.zip', content: bytes }]);
    expect(sources.map((s) => [s.name, s.status])).toEqual([['collected.zip › logs/contoso-clean.evtx', 'ready'], ['collected.zip › logs/contoso-corrupt-chunk.evtx', 'ready']]);
  });
});
