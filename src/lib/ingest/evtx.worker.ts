/// <reference lib="webworker" />
// Reads one .evtx file off the page's thread: batches go back one at a time, the next only when the page asks, so
// memory holds one batch whatever the file's size. Closing the worker stops the read (Cancel).
import { readEvtx } from './evtx-reader';

interface Start { file: Blob; batchRows: number; eventIds: string[] }

self.onmessage = async (event: MessageEvent<Start>) => {
  const { file, batchRows, eventIds } = event.data;
  try {
    const batches = readEvtx(file, { batchRows, eventIds: new Set(eventIds) });
    for (;;) {
      const next = await batches.next();
      if (next.done) break;
      self.postMessage({ batch: next.value });
      await new Promise<void>((resolve) => { self.onmessage = () => resolve(); });
    }
    self.postMessage({ done: true });
  } catch (e) {
    self.postMessage({ error: (e as Error).message ?? String(e) });
  }
};
