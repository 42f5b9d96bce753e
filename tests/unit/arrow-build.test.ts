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
