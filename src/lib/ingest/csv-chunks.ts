/**
 * A large CSV is handed to the engine in chunks that end on record boundaries, so that the engine parses bytes
 * already in memory (no synchronous file reads on its thread), the page can show progress and stop between chunks,
 * and memory holds a few chunks whatever the file's size (files beyond the 4 GB of wasm32 included).
 *
 * A record boundary is a line feed outside quotes. Quotes toggle "inside a field" (a doubled quote toggles twice),
 * so the parity of the quotes counted from a chunk's start, which is itself a boundary, tells which line feeds count.
 */

import { yieldToPage } from './yield';

const QUOTE = 0x22;
const LF = 0x0a;

/** Past this much unfinished record, cut at the last line feed anyway: an unterminated quote must not pull the rest of the file into memory (the engine then rejects the broken rows, as it would in one pass). */
export const MAX_CARRY_BYTES = 64 * 1024 * 1024;

/**
 * Quotes in bytes [from, to). Exports are full of quotes, so this runs four bytes at a time: each byte equal to `"`
 * becomes 0x80 in its lane (an exact per-byte zero test on w ^ 0x22222222, without the borrow of the classic
 * trick), and the lanes are summed with one multiplication.
 */
export function countQuotes(bytes: Uint8Array, from: number, to: number): number {
  let n = 0;
  let i = from;
  const aligned = Math.min(to, ((bytes.byteOffset + i + 3) & ~3) - bytes.byteOffset);
  for (; i < aligned; i++) if (bytes[i] === QUOTE) n++;
  const words = Math.max(0, Math.floor((to - i) / 4));
  if (words > 0) {
    const view = new Uint32Array(bytes.buffer, bytes.byteOffset + i, words);
    for (let k = 0; k < words; k++) {
      const x = view[k]! ^ 0x22222222;
      const lanes = ~(((x & 0x7f7f7f7f) + 0x7f7f7f7f) | x | 0x7f7f7f7f);
      if (lanes !== 0) n += Math.imul(lanes >>> 7, 0x01010101) >>> 24;
    }
    i += words * 4;
  }
  for (; i < to; i++) if (bytes[i] === QUOTE) n++;
  return n;
}

/** Index just past the last record boundary in `bytes` (which starts on one), or 0 when there is none. */
export function lastRecordEnd(bytes: Uint8Array): number {
  let lf = bytes.lastIndexOf(LF);
  if (lf < 0) return 0;
  let quotes = countQuotes(bytes, 0, lf);
  while (quotes % 2 !== 0) {
    const prev = lf === 0 ? -1 : bytes.lastIndexOf(LF, lf - 1);
    if (prev < 0) return 0;
    quotes -= countQuotes(bytes, prev, lf);
    lf = prev;
  }
  return lf + 1;
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
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * The file from byte `start` (a record boundary) to its end, in chunks of about `chunkBytes` that each end on a
 * record boundary (the last one at the end of the file). The next slice is read while the caller works on a chunk.
 */
export async function* csvChunks(file: Blob, start: number, chunkBytes: number, signal?: AbortSignal): AsyncGenerator<CsvChunk> {
  const read = (from: number) => (from >= file.size ? null : file.slice(from, Math.min(file.size, from + chunkBytes)).arrayBuffer());
  let pos = start;
  let pending = read(pos);
  let carry: Uint8Array = new Uint8Array(0);
  let carryStart = start;
  while (pending) {
    const bytes = new Uint8Array(await pending);
    signal?.throwIfAborted();
    pos += bytes.length;
    pending = read(pos);
    const data = concat(carry, bytes);
    await yieldToPage(); // copying and scanning a chunk are two short tasks, not one long one
    if (pos >= file.size) {
      if (data.length > 0) yield { bytes: data, end: file.size };
      return;
    }
    let cut = lastRecordEnd(data);
    if (cut === 0 && data.length > MAX_CARRY_BYTES) cut = data.lastIndexOf(LF) + 1 || data.length;
    if (cut === 0) {
      carry = data; // one record longer than a chunk: keep reading
      continue;
    }
    // The tail is copied out first: the engine takes the chunk's whole buffer over (a view of it is enough).
    carry = data.slice(cut);
    const chunk = cut === data.length ? data : data.subarray(0, cut);
    carryStart += cut;
    yield { bytes: chunk, end: carryStart };
  }
}
