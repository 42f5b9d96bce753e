import { hashWorker } from '#platform';

/** Hash files one after another in one worker, off the page's thread. */
let worker: Worker | null = null;
let nextId = 1;
const pending = new Map<number, { resolve: (hex: string) => void; reject: (e: Error) => void; onProgress?: (fraction: number) => void }>();

function ensureWorker(): Worker {
  if (worker) return worker;
  worker = hashWorker();
  worker.onmessage = (event: MessageEvent<{ id: number; sha256?: string; error?: string; progress?: number }>) => {
    const { id, sha256, error, progress } = event.data;
    const job = pending.get(id);
    if (!job) return;
    if (progress !== undefined) { job.onProgress?.(progress); return; }
    pending.delete(id);
    if (sha256) job.resolve(sha256);
    else job.reject(new Error(error ?? 'hashing failed'));
  };
  // A worker that cannot start reports only this; fail every waiting job rather than leave it hanging.
  worker.onerror = (event) => {
    event.preventDefault();
    for (const job of pending.values()) job.reject(new Error(`the hashing worker failed: ${event.message || 'it could not start'}`));
    pending.clear();
    worker?.terminate();
    worker = null;
  };
  return worker;
}

export function sha256OfFile(file: Blob, onProgress?: (fraction: number) => void): Promise<string> {
  const id = nextId++;
  return new Promise<string>((resolve, reject) => {
    pending.set(id, { resolve, reject, onProgress });
    ensureWorker().postMessage({ id, file });
  });
}
