import { expect, test } from 'vitest';
import { BufferReturns } from '../../src/lib/engine/buffer-returns';

test('answers are paired by file name, whatever their order; a lost one does not shift the others', async () => {
  const returns = new BufferReturns();
  const [a, c] = [new ArrayBuffer(1), new ArrayBuffer(3)];
  const waitA = returns.expect('a.csv');
  const waitB = returns.expect('b.csv');
  const waitC = returns.expect('c.csv');
  returns.cancel('b.csv'); // its message never reached the worker
  returns.answer('c.csv', c);
  returns.answer('stray.csv', new ArrayBuffer(9)); // nobody waits for it: dropped
  returns.answer('a.csv', a);
  expect(await waitA).toBe(a);
  expect(await waitB).toBeNull();
  expect(await waitC).toBe(c);
});

test('closing the engine resolves every caller still waiting with null', async () => {
  const returns = new BufferReturns();
  const waits = [returns.expect('x.csv'), returns.expect('y.csv')];
  returns.closeAll();
  expect(await Promise.all(waits)).toEqual([null, null]);
});
