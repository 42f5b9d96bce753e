import type { Engine } from '../engine/engine';
import { firstRecordEnd } from './csv-chunks';
import { loadSource, unloadSource } from './loader';

/** The sample repeated this many times: a few MB, read in chunks of WARM_UP_CHUNK_BYTES. */
const WARM_UP_COPIES = 8;
const WARM_UP_CHUNK_BYTES = 1 << 20;
/** Never the id of a user's source (those count from 1). */
const WARM_UP_ID = 0;

/**
 * Read a few MB of the sample export through the large-CSV path once, right after the engine starts, and forget
 * it. The browser compiles DuckDB's wasm quickly first and optimises the parts that turn out to be hot (CSV
 * tokenising, time parsing) while they run; doing that here, in the idle moment after start-up, spares the
 * user's first large file seconds of running unoptimised code. It stops (between its 1 MiB chunks) when the user
 * brings work; failures are ignored: it only saves time.
 */
export async function warmUpEngine(engine: Engine, sample: Blob, prefilter: string, signal?: AbortSignal): Promise<void> {
  try {
    const head = new Uint8Array(await sample.slice(0, 1 << 16).arrayBuffer());
    const body = sample.slice(Math.max(0, firstRecordEnd(head)));
    const file = new Blob([sample, ...Array.from({ length: WARM_UP_COPIES - 1 }, () => body)]);
    const loaded = await loadSource({ engine, prefilter, chunkBytes: WARM_UP_CHUNK_BYTES, signal }, { file, name: 'warm-up.csv', id: WARM_UP_ID, ordinal: WARM_UP_ID });
    if (loaded.status === 'ready') await unloadSource(engine, loaded);
  } catch {
    // Nothing to report: the user's loads work the same without it.
  }
}
