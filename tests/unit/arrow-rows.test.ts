import { afterAll, beforeAll, expect, test } from 'vitest';
import { createNodeEngine } from '../support/node-engine';

let engine: Awaited<ReturnType<typeof createNodeEngine>>;
beforeAll(async () => { engine = await createNodeEngine(); });
afterAll(() => engine.close());

test('engine output is normalised at one boundary: ints, big ints, doubles, booleans, nulls, lists, structs', async () => {
  const [row] = await engine.query(`SELECT 1::INTEGER AS a, 9007199254740993::BIGINT AS big, 42::BIGINT AS small, 2.5::DOUBLE AS d,
    true AS t, false AS f, NULL::VARCHAR AS n, [1, 2] AS l, {'k': 'v', 'n': 3, 'inner': ['x', NULL]} AS s, [NULL, true] AS lb`);
  expect(row).toEqual({ a: 1, big: '9007199254740993', small: 42, d: 2.5, t: true, f: false, n: null, l: [1, 2],
    s: { k: 'v', n: 3, inner: ['x', null] }, lb: [null, true] });
});

test('text reaches the app exactly, a leading U+FEFF included (Arrow\'s own decoder drops it)', async () => {
  const rows = await engine.query(`SELECT chr(65279) || 'ws1' AS v, [chr(65279) || 'a', 'a'] AS l, 'Jürgen 🦆' AS u, chr(0) || 'x' AS nul`);
  expect(rows[0]).toEqual({ v: '\uFEFFws1', l: ['\uFEFFa', 'a'], u: 'Jürgen 🦆', nul: '\u0000x' });
});

test('many rows across chunks keep their order', async () => {
  const rows = await engine.query('SELECT range::INTEGER AS i, range::VARCHAR AS s FROM range(5000)');
  expect(rows).toHaveLength(5000);
  expect(rows.every((r, i) => r.i === i && r.s === String(i))).toBe(true);
});
