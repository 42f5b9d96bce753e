/// <reference lib="webworker" />
// SHA-256 of a whole file, computed incrementally: the file is read in slices and never held whole.
import { createSHA256 } from 'hash-wasm';

const SLICE = 8 * 1024 * 1024;

interface HashRequest { id: number; file: Blob }

self.onmessage = async (event: MessageEvent<HashRequest>) => {
  const { id, file } = event.data;
  try {
    const hasher = await createSHA256();
    hasher.init();
    for (let offset = 0; offset < file.size; offset += SLICE) {
      hasher.update(new Uint8Array(await file.slice(offset, offset + SLICE).arrayBuffer()));
      self.postMessage({ id, progress: Math.min(1, (offset + SLICE) / file.size) });
    }
    self.postMessage({ id, sha256: hasher.digest('hex') });
  } catch (e) {
    self.postMessage({ id, error: (e as Error).message ?? String(e) });
  }
};
