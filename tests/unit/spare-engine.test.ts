import { expect, test } from 'vitest';
import { SpareEngine } from '../../src/lib/engine/spare-engine';
import type { Engine } from '../../src/lib/engine/engine';

/** Engines told apart by their number; `fail` makes the next start fail. */
function starter() {
  let started = 0;
  let fail = false;
  return {
    start: async (): Promise<Engine> => {
      const n = ++started;
      if (fail) { fail = false; throw new Error(`start ${n} failed`); }
      return { n } as unknown as Engine;
    },
    started: () => started,
    failNext: () => { fail = true; },
  };
}
const numberOf = async (e: Promise<Engine>) => ((await e) as unknown as { n: number }).n;

test('a prepared engine is started once and handed to the first taker; the next taker gets a new one', async () => {
  const s = starter();
  const spare = new SpareEngine(s.start);
  spare.prepare();
  spare.prepare();
  expect(s.started()).toBe(1);
  expect(await numberOf(spare.take())).toBe(1);
  expect(await numberOf(spare.take())).toBe(2);
  expect(s.started()).toBe(2);
  // Prepared again after a take: one more start, taken next.
  spare.prepare();
  expect(await numberOf(spare.take())).toBe(3);
});

test('without a prepared engine, take starts one (and leaves none behind)', async () => {
  const s = starter();
  const spare = new SpareEngine(s.start);
  expect(await numberOf(spare.take())).toBe(1);
  spare.prepare();
  expect(s.started()).toBe(2);
});

test('a spare whose start failed is forgotten: the next prepare or take starts again', async () => {
  const s = starter();
  const spare = new SpareEngine(s.start);
  s.failNext();
  spare.prepare();
  await new Promise((r) => setTimeout(r, 0));
  spare.prepare();
  expect(s.started()).toBe(2);
  expect(await numberOf(spare.take())).toBe(2);
  // A failure the taker sees is the taker's: it is not handed out again.
  s.failNext();
  spare.prepare();
  await expect(spare.take()).rejects.toThrow('start 3 failed');
  expect(await numberOf(spare.take())).toBe(4);
});
