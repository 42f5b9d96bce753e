/**
 * Folder-driven detection cases: each `cases/<name>/` holds input.csv (or .json; input2.* ... for more files, loaded
 * in that order), params.json and expected.json, the Export JSON written by hand from docs/kql-semantics.md.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createNodeEngine } from '../support/node-engine';
import { detect, loadAll, type TestParams } from '../support/harness';
import { alertsToJson } from '../../src/lib/export/json';

const CASES = fileURLToPath(new URL('./cases', import.meta.url));
const caseNames = fs.readdirSync(CASES).filter((n) => fs.statSync(path.join(CASES, n)).isDirectory()).sort();

/** input.csv, input2.csv, input3.json, ...: the number after `input` (none = 1) gives the load order. */
const INPUT = /^input(\d*)\.(csv|json)$/;
const inputOrder = (f: string) => Number(INPUT.exec(f)?.[1] || 1);

let engine: Awaited<ReturnType<typeof createNodeEngine>>;
beforeAll(async () => { engine = await createNodeEngine(); });
afterAll(() => engine?.close());

test('there are cases', () => {
  expect(caseNames.length).toBeGreaterThan(0);
});

test.each(caseNames)('%s', async (name) => {
  const dir = path.join(CASES, name);
  const read = (f: string) => fs.readFileSync(path.join(dir, f), 'utf8');
  const inputs = fs.readdirSync(dir).filter((f) => INPUT.test(f)).sort((a, b) => inputOrder(a) - inputOrder(b));
  expect(inputs.length).toBeGreaterThan(0);

  const sources = await loadAll(engine, inputs.map((f) => ({ name: f, content: read(f) })));
  for (const s of sources) {
    expect(s.status === 'ready' ? s.rejected : s.problem, `${s.name} loads without rejected rows`).toEqual([]);
  }
  const res = await detect(engine, sources, JSON.parse(read('params.json')) as TestParams);
  const actual = JSON.parse(alertsToJson(res.alerts)) as Record<string, unknown>[];
  const expected = JSON.parse(read('expected.json')) as Record<string, unknown>[];

  expect(actual).toEqual(expected);
  expect(actual.map((row) => Object.keys(row))).toEqual(expected.map((row) => Object.keys(row)));
  if (expected[0]) expect(res.columns).toEqual(Object.keys(expected[0]));
});
