/**
 * The record index (record-index.ts) with its byte loop in WebAssembly SIMD (record-index.wat): 64 bytes per step
 * instead of 4. Indexing was most of the page's own work on a large CSV (about 1.1 s of the 2 s it spent on a
 * 721 MB export), and the page shares the machine's cores with the two engines. Where WebAssembly SIMD is missing
 * (older browsers), RecordIndexer does the same in JavaScript.
 */
import kernelBytes from './record-index.wat';
import { closeIndex, grown, RecordIndexer, type RecordIndex, type RecordIndexing } from './record-index';

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;

interface IndexKernel {
  memory: WebAssembly.Memory;
  scan(win: number, n: number, base: number, end: number, starts: number, beforeRecords: number, delimiters: number): void;
  parity: WebAssembly.Global;
  last: WebAssembly.Global;
  valid: WebAssembly.Global;
  regular: WebAssembly.Global;
  written: WebAssembly.Global;
  delimiter: WebAssembly.Global;
  fields: WebAssembly.Global;
  fieldsAtLast: WebAssembly.Global;
  delimitersWritten: WebAssembly.Global;
  lineFeeds: WebAssembly.Global;
  carriageReturns: WebAssembly.Global;
}

let kernel: Promise<IndexKernel | null> | undefined;

/** The kernel, compiled once (asynchronously: a page may not compile wasm synchronously); null where it cannot run. */
export function recordIndexKernel(): Promise<IndexKernel | null> {
  kernel ??= WebAssembly.instantiate(kernelBytes)
    .then(({ instance }) => instance.exports as unknown as IndexKernel)
    .catch(() => null);
  return kernel;
}

/** A record indexer for `bytes` [0, end): the kernel's when there is one and the delimiter is one plain ASCII byte. */
export function newRecordIndexer(k: IndexKernel | null, bytes: Uint8Array, end: number, delimiter: number): RecordIndexing {
  const plain = delimiter > 0 && delimiter < 0x80 && delimiter !== QUOTE && delimiter !== LF && delimiter !== CR;
  return k && plain ? new SimdRecordIndexer(k, bytes, end, delimiter) : new RecordIndexer(bytes, end, delimiter);
}

/** Address of a window's first byte in the kernel's memory; the byte before it holds the chunk's previous byte. */
const WIN = 64;
/** Bytes the kernel may read past a window: its last 64-byte block and the byte after each. */
const SLACK = 192;
/** Bytes after a window that the kernel's rules look at: the next byte (line ends, closing quotes), and the rest of a UTF-8 sequence. */
const LOOKAHEAD = 4;

/** RecordIndexer's rules over the kernel: each step's bytes are copied into its memory and indexed there. */
export class SimdRecordIndexer implements RecordIndexing {
  private starts: Int32Array<ArrayBuffer>;
  /** In step with starts: the delimiters outside quotes before each record (RecordFields.before). */
  private before: Int32Array<ArrayBuffer>;
  private delimiters: Int32Array<ArrayBuffer>;
  private fields = 0;
  private fieldsAtLast = 0;
  private lineFeeds = 0;
  private carriageReturns = 0;
  private count = 0;
  private parity = 0;
  private last = 0;
  private valid = 0;
  private regular = 1;
  done = 0;

  constructor(private readonly k: IndexKernel, private readonly bytes: Uint8Array, readonly end: number, private readonly delimiter: number) {
    this.starts = new Int32Array(Math.max(64, end >> 9));
    this.before = new Int32Array(this.starts.length);
    this.delimiters = new Int32Array(Math.max(64, end >> 5));
  }

  scan(step: number): void {
    const { k, bytes, end } = this;
    const from = this.done;
    const to = Math.min(end, from + step);
    const n = to - from;
    // Every line feed of the window may end a record, and every byte may be a delimiter: room for one per byte.
    const startsAt = (WIN + n + SLACK + 15) & ~15;
    const beforeAt = startsAt + 4 * n;
    const delimitersAt = beforeAt + 4 * n;
    const need = delimitersAt + 4 * n;
    if (k.memory.buffer.byteLength < need) k.memory.grow(Math.ceil((need - k.memory.buffer.byteLength) / 65536));
    const memory = new Uint8Array(k.memory.buffer);
    memory[WIN - 1] = from === 0 ? LF : bytes[from - 1]!;
    const copied = Math.min(bytes.length, to + LOOKAHEAD) - from;
    memory.set(bytes.subarray(from, from + copied), WIN);
    // Past the buffer's end there is no byte (RecordIndexer reads undefined there): zeros match nothing.
    memory.fill(0, WIN + copied, WIN + n + LOOKAHEAD);
    k.parity.value = this.parity;
    k.last.value = this.last;
    k.valid.value = this.valid;
    k.regular.value = this.regular;
    k.delimiter.value = this.delimiter;
    k.fields.value = this.fields;
    k.fieldsAtLast.value = this.fieldsAtLast;
    k.lineFeeds.value = this.lineFeeds;
    k.carriageReturns.value = this.carriageReturns;
    k.scan(WIN, n, from, end, startsAt, beforeAt, delimitersAt);
    this.parity = k.parity.value as number;
    this.last = k.last.value as number;
    this.valid = k.valid.value as number;
    this.regular = k.regular.value as number;
    this.fieldsAtLast = k.fieldsAtLast.value as number;
    this.lineFeeds = k.lineFeeds.value as number;
    this.carriageReturns = k.carriageReturns.value as number;
    const written = k.written.value as number;
    while (this.count + written + 1 >= this.starts.length) this.starts = grown(this.starts);
    while (this.count + written + 1 >= this.before.length) this.before = grown(this.before);
    this.starts.set(new Int32Array(k.memory.buffer, startsAt, written), this.count);
    this.before.set(new Int32Array(k.memory.buffer, beforeAt, written), this.count);
    this.count += written;
    const delimiters = k.delimitersWritten.value as number;
    while (this.fields + delimiters >= this.delimiters.length) this.delimiters = grown(this.delimiters);
    this.delimiters.set(new Int32Array(k.memory.buffer, delimitersAt, delimiters), this.fields);
    this.fields += delimiters;
    this.done = to;
  }

  finish(final: boolean): RecordIndex {
    const index = closeIndex(this.bytes, this.end, final, this.starts, this.count, this.last, this.valid >= 0, this.regular === 1,
      { lineFeeds: this.lineFeeds, carriageReturns: this.carriageReturns });
    let before = this.before;
    while (index.count + 1 >= before.length) before = grown(before);
    // The file's last record, closed by its end rather than a line feed, holds the delimiters after the last one.
    if (index.count > this.count) before[this.count] = this.fieldsAtLast;
    before[index.count] = index.count > this.count ? this.fields : this.fieldsAtLast;
    // The file's last record still inside quotes at its end (a truncated file): the engine rejects it, and the
    // field index cannot say so.
    if (final && this.parity !== 0) return index;
    return { ...index, fields: { delimiters: this.delimiters, before } };
  }
}
