import type { Engine } from '../engine/engine';
import { firstRecordEnd } from './csv-chunks';
import { loadSource, unloadSource } from './loader';

/** How much of the sample (repeated) one pass of the warm-up reads, in chunks of what size. */
export interface WarmUpPass {
  copies: number;
  chunkBytes: number;
}

/**
 * About 100 MB in all. The browser optimises a hot wasm function again each time its use roughly doubles (to inline
 * what it has seen called), so a warm-up of a few MB left most of that work (1.5 s of CPU on two cores) to the
 * user's first large file; 100 MB moves it into the idle moment (bench-data measured: a 721 MB file 5.6 s → 4.4–4.9 s
 * after the warm-up; the warm-up 2.5–3.5 s). The first pass is small and in small chunks: its code is not optimised
 * yet, and work the user brings waits for the chunk under way. The second reads the bulk in chunks that optimised
 * code scans in a few tens of ms.
 */
export const WARM_UP_PASSES: readonly WarmUpPass[] = [{ copies: 8, chunkBytes: 1 << 20 }, { copies: 56, chunkBytes: 4 << 20 }];
/** Never the id of a user's source (those count from 1). */
const WARM_UP_ID = 0;

/**
 * Read the sample export, repeated, through the large-CSV path, right after the engine starts, and forget it. The
 * browser compiles DuckDB's wasm quickly first and optimises the parts that turn out to be hot (CSV tokenising,
 * time parsing) while they run; doing that here, in the idle moment after start-up, spares the user's first large
 * file seconds of running unoptimised code. It stops (between its chunks) when the user brings work; failures are
 * ignored: it only saves time. `passes` is for tests, which need less.
 */
export async function warmUpEngine(engine: Engine, sample: Blob, prefilter: string, signal?: AbortSignal,
  passes: readonly WarmUpPass[] = WARM_UP_PASSES): Promise<void> {
  try {
    const head = new Uint8Array(await sample.slice(0, 1 << 16).arrayBuffer());
    const body = sample.slice(Math.max(0, firstRecordEnd(head)));
    for (const pass of passes) {
      if (signal?.aborted) return;
      const file = new Blob([sample, ...Array.from({ length: pass.copies - 1 }, () => body)]);
      const loaded = await loadSource({ engine, prefilter, chunkBytes: pass.chunkBytes, signal }, { file, name: 'warm-up.csv', id: WARM_UP_ID, ordinal: WARM_UP_ID });
      if (loaded.status === 'ready') await unloadSource(engine, loaded);
      else return;
    }
  } catch {
    // Nothing to report: the user's loads work the same without it.
  }
}
