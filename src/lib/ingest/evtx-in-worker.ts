import type { EvtxBatch } from './evtx-reader';

export type EvtxReader = (file: Blob, opts: { batchRows: number; eventIds: ReadonlySet<string>; signal?: AbortSignal }) => AsyncIterable<EvtxBatch>;

/**
 * An .evtx reader that runs in a worker made by `makeWorker` (the platform's: a bundle file when served, inlined in
 * the single file), with the same batches as readEvtx. Leaving the loop or aborting ends the worker.
 */
export function evtxReaderInWorker(makeWorker: () => Worker): EvtxReader {
  return async function* (file, { batchRows, eventIds, signal }) {
    const worker = makeWorker();
    const inbox: { batch?: EvtxBatch; done?: boolean; error?: string }[] = [];
    let wake: (() => void) | null = null;
    worker.onmessage = (e: MessageEvent) => { inbox.push(e.data as { batch?: EvtxBatch }); wake?.(); };
    worker.onerror = (e: ErrorEvent) => { inbox.push({ error: e.message || 'the .evtx reader stopped' }); wake?.(); };
    const onAbort = () => { inbox.push({ error: 'cancelled' }); wake?.(); };
    signal?.addEventListener('abort', onAbort);
    try {
      worker.postMessage({ file, batchRows, eventIds: [...eventIds] });
      for (;;) {
        while (inbox.length === 0) await new Promise<void>((resolve) => { wake = resolve; });
        wake = null;
        const message = inbox.shift()!;
        signal?.throwIfAborted();
        if (message.error !== undefined) throw new Error(message.error);
        if (message.done) return;
        if (message.batch) {
          yield message.batch;
          worker.postMessage('next');
        }
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      worker.terminate();
    }
  };
}
