import type { Engine } from '../engine/engine';
import { firstRecordEnd } from './csv-chunks';
import { loadSource, unloadSource } from './loader';

/**
 * The sample repeated this many times (about 100 MB), read in chunks of WARM_UP_CHUNK_BYTES. The browser optimises
 * a hot wasm function again each time its use roughly doubles (to inline what it has seen called), so a warm-up of
 * a few MB left most of that work (1.5 s of CPU on two cores) to the user's first large file; 100 MB moves it into
 * the idle moment (bench-data measured: a 721 MB file 5.6 s → 4.4–4.9 s after the warm-up; the warm-up 2.5–3.5 s).
 */
export const WARM_UP_COPIES = 64;
export const WARM_UP_CHUNK_BYTES = 4 << 20;
/** Never the id of a user's source (those count from 1). */
const WARM_UP_ID = 0;

/**
 * Read the sample export, repeated, through the large-CSV path once, right after the engine starts, and forget
 * it. The browser compiles DuckDB's wasm quickly first and optimises the parts that turn out to be hot (CSV
 * tokenising, time parsing) while they run; doing that here, in the idle moment after start-up, spares the
 * user's first large file seconds of running unoptimised code. It stops (between its chunks) when the user
 * brings work; failures are ignored: it only saves time. `size` is for tests, which need less.
 */
export async function warmUpEngine(engine: Engine, sample: Blob, prefilter: string, signal?: AbortSignal,
  size: { copies: number; chunkBytes: number } = { copies: WARM_UP_COPIES, chunkBytes: WARM_UP_CHUNK_BYTES }): Promise<void> {
  try {
    const head = new Uint8Array(await sample.slice(0, 1 << 16).arrayBuffer());
    const body = sample.slice(Math.max(0, firstRecordEnd(head)));
    const file = new Blob([sample, ...Array.from({ length: size.copies - 1 }, () => body)]);
    const loaded = await loadSource({ engine, prefilter, chunkBytes: size.chunkBytes, signal }, { file, name: 'warm-up.csv', id: WARM_UP_ID, ordinal: WARM_UP_ID });
    if (loaded.status === 'ready') await unloadSource(engine, loaded);
  } catch {
    // Nothing to report: the user's loads work the same without it.
  }
}
