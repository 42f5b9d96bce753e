import { afterAll, beforeAll, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { createNodeEngine } from '../support/node-engine';
import { warmUpEngine } from '../../src/lib/ingest/warm-up';
import { combinedPrefilter } from '../../src/lib/detections/registry';

let engine: Awaited<ReturnType<typeof createNodeEngine>>;
beforeAll(async () => { engine = await createNodeEngine(); });
afterAll(() => engine?.close());

const sample = new Blob([readFileSync(new URL('../../public/sample/contoso-DeviceProcessEvents.csv', import.meta.url))]);
// lh_scan is every load's scratch row (replaced by the next scan), not a table of a source.
/** Small enough for a unit test, still several chunks in each pass. */
const SMALL = [{ copies: 8, chunkBytes: 1 << 20 }, { copies: 4, chunkBytes: 1 << 20 }];
const leftovers = () => engine.query("SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'lh%' AND table_name <> 'lh_scan' ORDER BY 1");

test('the warm-up reads the sample through the chunked CSV path and leaves nothing behind', async () => {
  const before = await leftovers();
  const statements: string[] = [];
  const watched = { ...engine, exec: (sql: string) => { statements.push(sql); return engine.exec(sql); } };
  await warmUpEngine(watched, sample, combinedPrefilter(), undefined, SMALL);
  // Several chunks were scanned (the path a large file takes), then everything was dropped again.
  expect(statements.filter((s) => s.includes('lh_scan AS')).length).toBeGreaterThan(6);
  // Later chunks' candidates were read from their copied-out records, as a large file's are: once per pass.
  expect(statements.filter((s) => s.includes('lh_whole AS')).length).toBe(2);
  expect(await leftovers()).toEqual(before);
});

test('an aborted warm-up stops between chunks and leaves nothing behind', async () => {
  const before = await leftovers();
  const controller = new AbortController();
  let scans = 0;
  const watched = { ...engine, exec: async (sql: string) => {
    if (sql.includes('lh_scan AS') && ++scans === 2) controller.abort();
    return engine.exec(sql);
  } };
  await warmUpEngine(watched, sample, combinedPrefilter(), controller.signal, SMALL);
  expect(scans).toBeLessThanOrEqual(3);
  expect(await leftovers()).toEqual(before);
});
