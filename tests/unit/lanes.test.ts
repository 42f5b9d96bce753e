import { describe, expect, test } from 'vitest';
import { inLanes } from '../../src/lib/ingest/lanes';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Items 0..n-1, counting how many were pulled and whether the stream was closed early. */
function stream(n: number) {
  const seen = { pulled: 0, finished: false };
  async function* items() {
    try {
      for (let i = 0; i < n; i++) {
        seen.pulled++;
        yield i;
      }
    } finally {
      seen.finished = true;
    }
  }
  return { seen, items: items() };
}

describe('inLanes', () => {
  test('results are taken up in order while lanes finish out of order; one item per lane at a time', async () => {
    const { items } = stream(12);
    const busy = new Set<string>();
    const byLane: Record<string, number[]> = { a: [], b: [] };
    const taken: number[] = [];
    await inLanes({
      items, first: 'a', joining: sleep(5).then(() => 'b'),
      work: async (lane, item) => {
        expect(busy.has(lane)).toBe(false);
        busy.add(lane);
        byLane[lane]!.push(item);
        await sleep(lane === 'a' ? 9 : 2); // the joining lane is faster
        busy.delete(lane);
        return item * 10;
      },
      takeUp: async (result, item) => {
        expect(result).toBe(item * 10);
        taken.push(item);
      },
    });
    expect(taken).toEqual([...Array(12).keys()]);
    expect(byLane.a![0]).toBe(0);
    expect(byLane.b!.length).toBeGreaterThan(byLane.a!.length);
  });

  test('a lane that never comes leaves the work to the first one', async () => {
    const { items } = stream(4);
    const lanes: string[] = [];
    await inLanes({ items, first: 'a', joining: Promise.resolve(null), work: async (lane) => void lanes.push(lane), takeUp: async () => {} });
    expect(lanes).toEqual(['a', 'a', 'a', 'a']);
  });

  test('a failure stops pulling items, closes the stream, waits for work under way and is thrown', async () => {
    const { items, seen } = stream(100);
    const finishedWork: number[] = [];
    await expect(inLanes({
      items, first: 'a', joining: Promise.resolve('b'),
      work: async (_lane, item) => {
        await sleep(item === 3 ? 1 : 5);
        if (item === 3) throw new Error('chunk 3 is broken');
        finishedWork.push(item);
      },
      takeUp: async () => {},
    })).rejects.toThrow('chunk 3 is broken');
    expect(seen.pulled).toBeLessThan(10);
    expect(seen.finished).toBe(true);
    // The item beside the failing one was being worked on: it finished before inLanes returned.
    expect(finishedWork).toContain(2);
  });

  test('a failure while taking up a result is thrown too, and nothing after it is taken up', async () => {
    const { items } = stream(10);
    const taken: number[] = [];
    await expect(inLanes({
      items, first: 'a',
      work: async (_lane, item) => item,
      takeUp: async (item) => {
        if (item === 2) throw new Error('cannot take 2 up');
        taken.push(item);
      },
    })).rejects.toThrow('cannot take 2 up');
    expect(taken).toEqual([0, 1]);
  });
});
