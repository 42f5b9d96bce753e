import { expect, test } from 'vitest';
import { stringTable } from '../../src/lib/engine/arrow-build';
import { createNodeEngine } from '../support/node-engine';

test('string columns round-trip through the engine: nulls, empty text, multi-byte text, an all-null column', async () => {
  const engine = await createNodeEngine();
  const a = ['x', null, '', 'Jürgen 🦆', 'q'];
  const b = [null, null, null, null, null];
  const table = stringTable(['a', 'b'], [a, b]);
  expect(table.numRows).toBe(5);
  await engine.insertStrings('t_roundtrip', ['a', 'b'], [a, b], true);
  const rows = await engine.query('SELECT a, b, typeof(b) AS tb FROM t_roundtrip');
  expect(rows.map((r) => r.a)).toEqual(a);
  expect(rows.every((r) => r.b === null && r.tb === 'VARCHAR')).toBe(true);
  engine.close();
});

test('each cell holds its own bytes: ASCII-only, multi-byte and lone surrogates, also a pair split across two cells', () => {
  const columns: Record<string, (string | null)[]> = {
    ascii: ['net user', null, '', 'C:\\Windows\\net.exe'],
    multi: ['é', 'ü🦆x', null, '日本'],
    lone: ['a\ud800', 'b', '\udc00c', null],
    split: ['x\ud83e', '\udd86y', 'z', ''], // 🦆 is \ud83e\udd86: joined, the two halves would make one character
  };
  const utf8 = new TextEncoder();
  // Whole columns in one encoding call, and in runs of a few characters (as a long column is).
  const tables = [stringTable(Object.keys(columns), Object.values(columns)), stringTable(Object.keys(columns), Object.values(columns), 3)];
  for (const [t, table] of tables.entries()) {
    for (const [name, cells] of Object.entries(columns)) {
      const vector = table.getChild(name)!;
      const data = vector.data[0]!;
      cells.forEach((cell, i) => {
        const bytes = data.values.subarray(data.valueOffsets[i]!, data.valueOffsets[i + 1]!);
        expect([...bytes], `table ${t}: ${name}[${i}]`).toEqual([...utf8.encode(cell ?? '')]);
        expect(vector.isValid(i), `table ${t}: ${name}[${i}] valid`).toBe(cell !== null);
      });
    }
  }
});
