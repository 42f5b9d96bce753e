/**
 * lh_iso_ticks_fast takes a shortcut through DuckDB's timestamp parser for the usual `...Z` form; it must agree
 * with the exact regex parser (lh_iso_ticks) on every value, valid or not.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createNodeEngine } from '../support/node-engine';
import { sqlString } from '../../src/lib/sql/quote';

type Engine = Awaited<ReturnType<typeof createNodeEngine>>;
let engine: Engine;
beforeAll(async () => { engine = await createNodeEngine(); });
afterAll(() => engine?.close());

test('the shortcut and the exact parser agree on valid, odd and invalid values', async () => {
  const values = [
    '2024-05-01T10:22:33.1234567Z', '2024-05-01T10:22:33.123456Z', '2024-05-01T10:22:33.1Z', '2024-05-01T10:22:33Z',
    '2024-05-01T10:22:33.Z', '2024-05-01T10:22:33.12345678Z', '0001-01-01T00:00:00.0000001Z', '9999-12-31T23:59:59.9999999Z',
    '1969-12-31T23:59:59.9999999Z', '1970-01-01T00:00:00.0000000Z', '2024-02-29T12:00:00Z', '2023-02-29T12:00:00Z',
    '2024-04-31T00:00:00Z', '2024-13-01T00:00:00Z', '2024-05-01T24:00:00Z', '2024-05-01T23:60:00Z', '2024-05-01T23:59:60Z',
    '2024-05-01 10:22:33.1234567Z', '2024-05-01T10:22:33.1234567+02:00', '2024-05-01T10:22:33', ' 2024-05-01T10:22:33Z',
    '2024-05-01T10:22:33z', '2024-5-1T10:22:33Z', '2024-05-01T1:22:33Z', 'x024-05-01T10:22:33.1234567Z', '2024-05-01T10:22:33.12a4567Z',
    '2024-05-01T10:22:33,1234567Z', '', '2024-05-01T10:22:3Z', '+2024-05-01T10:22:33Z',
  ];
  const sql = `SELECT s, lh_iso_ticks_fast(s)::VARCHAR AS fast, lh_iso_ticks(s)::VARCHAR AS exact FROM (VALUES ${values.map((v) => `(${sqlString(v)})`).join(', ')}) t(s)`;
  const rows = await engine.query(sql);
  for (const r of rows) expect(r.fast, String(r.s)).toBe(r.exact);
  // The common form really is read: not everything fell through to NULL.
  expect(rows.find((r) => r.s === '2024-05-01T10:22:33.1234567Z')?.fast).toBe('638501557531234567');
});
