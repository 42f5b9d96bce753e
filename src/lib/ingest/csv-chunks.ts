/**
 * A large CSV is handed to the engine in chunks that end on record boundaries, so that the engine parses bytes
 * already in memory (no synchronous file reads on its thread), the page can show progress and stop between chunks,
 * and memory holds a few chunks whatever the file's size (files beyond the 4 GB of wasm32 included).
 *
 * A record boundary is a line feed outside quotes. Quotes toggle "inside a field" (a doubled quote toggles twice),
 * so the parity of the quotes counted from a chunk's start, which is itself a boundary, tells which line feeds count.
 */

import { yieldToPage } from './yield';
import { ChunkBuffers } from './chunk-buffers';
import { countQuotes } from './csv-quotes';
import type { RecordIndex } from './record-index';
import { newRecordIndexer, recordIndexKernel } from './record-index-simd';

const LF = 0x0a;

/** Past this much unfinished record, cut at the last line feed anyway: an unterminated quote must not pull the rest of the file into memory (the engine then rejects the broken rows, as it would in one pass). */
export const MAX_CARRY_BYTES = 64 * 1024 * 1024;

/** Index just past the last record boundary in `bytes` (which starts on one), or 0 when there is none. */
export function lastRecordEnd(bytes: Uint8Array): number {
  const lf = bytes.lastIndexOf(LF);
  return lf < 0 ? 0 : boundaryAtOrBefore(bytes, lf, countQuotes(bytes, 0, lf));
}

/** Past the last line feed at or before `lf` (which has `quotes` before it) that is outside quotes; 0 if none. */
function boundaryAtOrBefore(bytes: Uint8Array, lf: number, quotes: number): number {
  while (quotes % 2 !== 0) {
    const prev = lf === 0 ? -1 : bytes.lastIndexOf(LF, lf - 1);
    if (prev < 0) return 0;
    quotes -= countQuotes(bytes, prev, lf);
    lf = prev;
  }
  return lf + 1;
}

/** Bytes indexed per task: a 16 MiB chunk is indexed in sixteen tasks of a few ms each (longer while the engines keep both cores busy), not in one. */
const INDEX_STEP_BYTES = 1024 * 1024;

async function indexInSteps(bytes: Uint8Array, end: number, final: boolean, delimiter: number): Promise<RecordIndex> {
  const indexer = newRecordIndexer(await recordIndexKernel(), bytes, end, delimiter);
  for (;;) {
    indexer.scan(INDEX_STEP_BYTES);
    if (indexer.done >= end) return indexer.finish(final);
    await yieldToPage();
  }
}

/** Index just past the first record boundary (the end of the header), or -1 when `bytes` holds none. */
export function firstRecordEnd(bytes: Uint8Array): number {
  let quotes = 0;
  let from = 0;
  for (;;) {
    const lf = bytes.indexOf(LF, from);
    if (lf < 0) return -1;
    quotes += countQuotes(bytes, from, lf);
    if (quotes % 2 === 0) return lf + 1;
    from = lf + 1;
  }
}

export interface CsvChunk {
  bytes: Uint8Array;
  /** Byte offset in the file just past this chunk. */
  end: number;
  /**
   * When asked for: where each of the chunk's records starts. Absent when the chunk was cut without knowing its
   * quotes (an unterminated quote).
   */
  index?: RecordIndex;
}

/**
 * The file from byte `start` (a record boundary) to its end, in chunks of about `chunkBytes` that each end on a
 * record boundary (the last one at the end of the file). Each chunk is one read of the file into a buffer of
 * `buffers`, handed on as it was read (no copy): the unfinished record at its end is read again as the start of the
 * next one. The consumer gives each chunk's buffer back to `buffers` when done with it. The next read is under way
 * while the caller works on a chunk. With `indexed` (the CSV's delimiter), each chunk comes with its record index
 * (one pass over the quotes finds both the cut and the records).
 */
export async function* csvChunks(file: Blob, start: number, chunkBytes: number, signal?: AbortSignal,
  buffers = new ChunkBuffers(), indexed?: { delimiter: number }): AsyncGenerator<CsvChunk> {
  const read = (from: number, size: number) => (from >= file.size ? null : buffers.read(file, from, Math.min(file.size, from + size)));
  let pos = start;
  let size = chunkBytes;
  let pending = read(pos, size);
  try {
    while (pending) {
      const bytes = await pending;
      pending = null;
      signal?.throwIfAborted();
      await yieldToPage(); // reading and scanning a chunk are two short tasks, not one long one
      if (pos + bytes.length >= file.size) {
        if (bytes.length > 0) yield { bytes, end: file.size, ...(indexed ? { index: await indexInSteps(bytes, bytes.length, true, indexed.delimiter) } : {}) };
        return;
      }
      const lf = bytes.lastIndexOf(LF);
      const index = indexed && lf >= 0 ? await indexInSteps(bytes, lf + 1, false, indexed.delimiter) : undefined;
      let cut = lf < 0 ? 0 : index ? index.starts[index.count]! : boundaryAtOrBefore(bytes, lf, countQuotes(bytes, 0, lf));
      const known = cut > 0;
      if (cut === 0 && bytes.length > MAX_CARRY_BYTES) cut = lf + 1 || bytes.length;
      if (cut === 0) {
        size = Math.min(size * 2, MAX_CARRY_BYTES + chunkBytes); // one record longer than a chunk: read more of it
        buffers.give(bytes.buffer as ArrayBuffer);
        pending = read(pos, size);
        continue;
      }
      pos += cut;
      size = chunkBytes;
      pending = read(pos, size);
      yield { bytes: cut === bytes.length ? bytes : bytes.subarray(0, cut), end: pos, ...(index && known ? { index } : {}) };
    }
  } finally {
    // Stopped early (cancelled, or a failed chunk): the read ahead is not left unhandled.
    pending?.catch(() => {});
  }
}
