// The app served over http(s): the engine's worker and wasm are the bundle's own files, fetched by URL.
// The single-file build swaps this module for single-file.ts (see the `#platform` alias in vite.config.ts).
import ehWasmUrl from '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url';
import type { EngineAssets } from './types';
import HashWorker from '../report/sha256.worker.ts?worker';
import EvtxWorker from '../ingest/evtx.worker.ts?worker';
import EngineWorker from '../engine/duckdb.worker.ts?worker';

export const PLATFORM = 'served' as const;

export async function engineAssets(): Promise<EngineAssets> {
  return {
    worker: new EngineWorker(),
    wasmUrl: new URL(ehWasmUrl, location.href).href,
    // Same-origin, so that if anything ever asked for an extension the request would fail cleanly, locally.
    extensionRepository: new URL('no-extensions', location.href).href,
  };
}

/** The file-hashing worker, a file of the bundle. */
export const hashWorker = (): Worker => new HashWorker();

/** The .evtx reading worker, a file of the bundle. */
export const evtxWorker = (): Worker => new EvtxWorker();

export const SAMPLE_NAME = 'contoso-DeviceProcessEvents.csv';

export async function sampleFile(): Promise<{ file: Blob; name: string }> {
  const response = await fetch(new URL(`sample/${SAMPLE_NAME}`, location.href));
  if (!response.ok) throw new Error(`the sample data answered ${response.status}`);
  return { file: await response.blob(), name: SAMPLE_NAME };
}
