/**
 * Work on a stream of items spread over a few lanes (engines), each lane taking the next item when it is free,
 * with the results taken up strictly in the items' order. A lane may join while the work runs (a second engine
 * that is still starting when the first item arrives); the first item always goes to the first lane.
 *
 * At most one item per lane is being worked on, and an item waits for a free lane before the next one is pulled
 * from the stream, so what is held in memory does not grow with the stream. An item that `quick` settles on the
 * spot needs no lane: it does not wait behind the lanes' work.
 */
export async function inLanes<Item, Lane, Result>(options: {
  items: AsyncIterable<Item>;
  first: Lane;
  /** Lanes that join later (null: none came). */
  joining?: Promise<Lane | null>;
  work: (lane: Lane, item: Item, k: number) => Promise<Result>;
  /** The item's result without a lane (work of this thread), or null when it needs one. */
  quick?: (item: Item, k: number) => Promise<Result | null>;
  /** Called once per item, in order, never two at a time. */
  takeUp: (result: Result, item: Item, k: number) => Promise<void>;
}): Promise<void> {
  const free: Lane[] = [options.first];
  let wake: (() => void) | null = null;
  const release = (lane: Lane) => {
    free.push(lane);
    wake?.();
  };
  options.joining?.then((lane) => { if (lane !== null) release(lane); }, () => {});
  let failure: { error: unknown } | null = null;
  const fail = (error: unknown) => {
    failure ??= { error };
    wake?.();
  };
  const working: Promise<unknown>[] = [];
  let takenUp: Promise<void> = Promise.resolve();
  let k = 0;
  const iterator = options.items[Symbol.asyncIterator]();
  try {
    const laneFree = async () => {
      while (free.length === 0 && failure === null) await new Promise<void>((resolve) => { wake = resolve; });
      wake = null;
    };
    for (;;) {
      // Without `quick`, every item needs a lane: none is pulled before one is free.
      if (!options.quick) await laneFree();
      if (failure !== null) break;
      const step = await iterator.next();
      if (step.done || failure !== null) break;
      const index = k++;
      const settled = options.quick ? await options.quick(step.value, index) : null;
      if (settled !== null) {
        takenUp = takenUp.then(async () => {
          if (failure === null) await options.takeUp(settled, step.value, index);
        }).catch(fail);
        continue;
      }
      await laneFree();
      if (failure !== null) break;
      const lane = free.shift()!;
      const job = options.work(lane, step.value, index);
      working.push(job.then(() => release(lane), fail));
      takenUp = takenUp.then(async () => {
        if (failure === null) await options.takeUp(await job, step.value, index);
      }).catch(fail);
    }
  } catch (e) {
    fail(e);
  } finally {
    if (failure !== null) await iterator.return?.().catch(() => {});
    await Promise.allSettled(working);
    await takenUp;
  }
  if (failure !== null) throw (failure as { error: unknown }).error;
}
