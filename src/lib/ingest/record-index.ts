/**
 * Where each record of a CSV chunk starts, found while the chunk's quotes are counted anyway (to cut it on a
 * record boundary). With it the engine can read every row of a chunk for its statistics only, naming its few
 * candidates by record number, and the page copies out just those records for the engine to read whole
 * (loader.ts): packing every column of every row was about 40 % of native DuckDB's scan of a 1M-row export.
 */
import { countQuotes } from './csv-quotes';

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;

export interface RecordIndex {
  /**
   * Start of each non-empty record, ascending, the first at 0 if the chunk does not begin with a blank line; the
   * last entry is where the bytes after the last boundary start (the chunk's end, or an unfinished record). A
   * blank line (DuckDB skips them) is not a record.
   */
  starts: Int32Array;
  count: number;
  /**
   * The bytes are valid UTF-8 (RFC 3629, as DuckDB checks it). DuckDB checks only the columns a query reads, so a
   * chunk read for its statistics alone would keep rows that it rejects when read whole: such a chunk is read whole.
   */
  utf8: boolean;
  /**
   * Every quote stands where CSV puts one: opening a field (at its start), doubled inside a quoted field, or closing
   * it (before a delimiter or a line end); and every carriage return outside quotes ends a line with a line feed.
   * Otherwise DuckDB may cut records where quote parity does not (it keeps a quote inside an unquoted field as a
   * character; it ends a line at a lone carriage return), and neither this index nor the chunk's cut can be trusted.
   */
  regular: boolean;
  /**
   * Line feeds and carriage returns outside quotes (where quoting is regular, a carriage return outside quotes is
   * always before a line feed): the engine reads a later chunk with the header's line ending, and a line that ends
   * otherwise is read differently from one pass (loader.ts endsLikeHeader).
   */
  lineFeeds: number;
  carriageReturns: number;
  /** Where each record's fields are (the WebAssembly indexer only): see RecordFields. */
  fields?: RecordFields;
}

/**
 * The delimiters outside quotes of a chunk's records: `delimiters` holds their positions in order, and record r's
 * are `delimiters[before[r]]` up to (not including) `delimiters[before[r + 1]]`. Field j of record r starts at
 * its start (j = 0) or one past its j-th delimiter, and ends at its (j + 1)-th one.
 */
export interface RecordFields {
  delimiters: Int32Array;
  /** Per record, and one past the last: the delimiters before it. */
  before: Int32Array;
}

/**
 * Past the UTF-8 sequences from `from` (a sequence boundary) up to at least `upTo`, or -1 at an invalid one:
 * no overlong forms, no surrogates, nothing above U+10FFFF, nothing cut off at `to`.
 */
function utf8ValidTo(bytes: Uint8Array, from: number, upTo: number, to: number): number {
  let j = from;
  while (j < upTo) {
    const c = bytes[j]!;
    if (c < 0x80) { j++; continue; }
    let more: number;
    let low = 0x80;
    let high = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) more = 1;
    else if (c >= 0xe0 && c <= 0xef) { more = 2; if (c === 0xe0) low = 0xa0; else if (c === 0xed) high = 0x9f; }
    else if (c >= 0xf0 && c <= 0xf4) { more = 3; if (c === 0xf0) low = 0x90; else if (c === 0xf4) high = 0x8f; }
    else return -1;
    if (j + more >= to) return -1;
    const second = bytes[j + 1]!;
    if (second < low || second > high) return -1;
    for (let m = 2; m <= more; m++) if ((bytes[j + m]! & 0xc0) !== 0x80) return -1;
    j += more + 1;
  }
  return j;
}

/**
 * The records in bytes [0, end) of a chunk that starts on a record boundary, and whether those bytes are valid
 * UTF-8, read in steps (`scan`) so that a chunk is indexed in several short tasks: a line feed with an even number
 * of quotes before it ends a record, and at the end of the file (`finish(true)`) so do the bytes left. It also
 * checks that each quote and carriage return stands where DuckDB reads it as quote parity does (`regular`). Four
 * bytes at a time (see countQuotes for the lanes); only the rare bytes outside ASCII are checked one by one.
 */
export class RecordIndexer implements RecordIndexing {
  private starts: Int32Array<ArrayBuffer>;
  private count = 0;
  /** Where the record being read started. */
  private last = 0;
  /** Bytes before this are valid UTF-8 (-1: an invalid sequence was met). */
  private validTo = 0;
  private quotes = 0;
  private regular = true;
  private lineFeeds = 0;
  private carriageReturns = 0;
  /** Bytes scanned so far. */
  done = 0;

  /** `delimiter`: the CSV's field delimiter, one byte. */
  constructor(private readonly bytes: Uint8Array, readonly end: number, private readonly delimiter = 0x2c) {
    this.starts = new Int32Array(Math.max(64, end >> 9));
  }

  /** The next `step` bytes (or what is left). */
  scan(step: number): void {
    // Plain locals, the common case inline and the rare work out of line: this runs over every byte of the file.
    const { bytes, end } = this;
    let { validTo } = this;
    const to = Math.min(end, this.done + step);
    let i = this.done;
    const aligned = Math.min(to, ((bytes.byteOffset + i + 3) & ~3) - bytes.byteOffset);
    const words = Math.max(0, Math.floor((to - aligned) / 4));
    const view = words > 0 ? new Uint32Array(bytes.buffer, bytes.byteOffset + aligned, words) : new Uint32Array(0);
    const tail = aligned + words * 4;
    for (; i < aligned; i++) {
      const c = bytes[i]!;
      if (c === QUOTE || c === LF || c === CR) this.special(i, c);
      else if (c >= 0x80 && validTo >= 0 && i >= validTo) validTo = utf8ValidTo(bytes, i, i + 1, end);
    }
    // The word loop keeps the state in locals (written back below): it runs for every four bytes of the file.
    let { quotes, last, regular } = this;
    const delimiter = this.delimiter;
    for (let k = 0; k < words; k++) {
      const w = view[k]!;
      const at = aligned + k * 4;
      if ((w & 0x80808080) !== 0 && validTo >= 0 && at + 4 > validTo) validTo = utf8ValidTo(bytes, Math.max(at, validTo), at + 4, end);
      // Words without a quote, line feed or carriage return (nearly all) need nothing more; words with quotes but
      // no line end (most of the rest) have each quote checked in its lane.
      const xq = w ^ 0x22222222;
      const xl = w ^ 0x0a0a0a0a;
      const xr = w ^ 0x0d0d0d0d;
      const q = ~(((xq & 0x7f7f7f7f) + 0x7f7f7f7f) | xq | 0x7f7f7f7f);
      const ends = (~(((xl & 0x7f7f7f7f) + 0x7f7f7f7f) | xl | 0x7f7f7f7f)) | (~(((xr & 0x7f7f7f7f) + 0x7f7f7f7f) | xr | 0x7f7f7f7f));
      if ((q | ends) === 0) continue;
      if (ends === 0) {
        for (let lanes = q; regular && lanes !== 0; lanes &= lanes - 1) {
          const low = lanes & -lanes;
          const inside = ((quotes + (Math.imul((q & (low - 1)) >>> 7, 0x01010101) >>> 24)) & 1) === 1;
          regular = quoteFits(bytes, at + ((31 - Math.clz32(low)) >> 3), inside, last, end, delimiter);
        }
        quotes += Math.imul(q >>> 7, 0x01010101) >>> 24;
        continue;
      }
      // A word with a line end (one in a few hundred): its bytes one by one, with the state in the fields.
      this.quotes = quotes;
      this.last = last;
      this.regular = regular;
      for (let j = at; j < at + 4; j++) {
        const c = bytes[j]!;
        if (c === QUOTE || c === LF || c === CR) this.special(j, c);
      }
      quotes = this.quotes;
      last = this.last;
      regular = this.regular;
    }
    Object.assign(this, { quotes, last, regular });
    for (i = tail; i < to; i++) {
      const c = bytes[i]!;
      if (c === QUOTE || c === LF || c === CR) this.special(i, c);
      else if (c >= 0x80 && validTo >= 0 && i >= validTo) validTo = utf8ValidTo(bytes, i, i + 1, end);
    }
    this.validTo = validTo;
    this.done = to;
  }

  /** A quote, line feed or carriage return at `i`. */
  private special(i: number, c: number): void {
    const { bytes } = this;
    const inside = (this.quotes & 1) === 1;
    if (c === QUOTE) {
      if (this.regular) this.regular = quoteFits(bytes, i, inside, this.last, this.end, this.delimiter);
      this.quotes++;
    } else if (c === LF) {
      if (inside) return;
      this.lineFeeds++;
      if (this.count + 1 >= this.starts.length) this.starts = grown(this.starts);
      if (isRecord(bytes, this.last, i)) this.starts[this.count++] = this.last;
      this.last = i + 1;
    } else if (!inside) {
      this.carriageReturns++;
      if (bytes[i + 1] !== LF) this.regular = false;
    }
  }

  finish(final: boolean): RecordIndex {
    return closeIndex(this.bytes, this.end, final, this.starts, this.count, this.last, this.validTo >= 0, this.regular,
      { lineFeeds: this.lineFeeds, carriageReturns: this.carriageReturns });
  }
}

/** What indexes a chunk's records in steps: RecordIndexer here, or the same rules in WebAssembly (record-index-simd.ts). */
export interface RecordIndexing {
  /** Bytes scanned so far. */
  readonly done: number;
  /** The next `step` bytes (or what is left). */
  scan(step: number): void;
  /** The index, once every byte is scanned; `final`: the bytes after the last line feed are the file's last record. */
  finish(final: boolean): RecordIndex;
}

/** The index from an indexer's state once its bytes are scanned (see RecordIndexing.finish). */
export function closeIndex(bytes: Uint8Array, end: number, final: boolean, starts: Int32Array<ArrayBuffer>, count: number, last: number,
  utf8: boolean, regular: boolean, lineEnds: { lineFeeds: number; carriageReturns: number }): RecordIndex {
  if (count + 1 >= starts.length) starts = grown(starts);
  if (final && last < end) {
    if (isRecord(bytes, last, end)) starts[count++] = last;
    last = end;
  }
  starts[count] = last;
  return { starts, count, utf8, regular, ...lineEnds };
}

/**
 * Whether the quote at `i` stands where CSV puts one: outside a field (`inside` false) it opens one, so it comes at
 * the record's start (`recordStart`), after a delimiter, or after a quote (the second of a doubled one); inside,
 * it closes the field or is the first of a doubled quote, so a quote, delimiter or line end follows.
 */
function quoteFits(bytes: Uint8Array, i: number, inside: boolean, recordStart: number, end: number, delimiter: number): boolean {
  if (!inside) {
    const before = i === recordStart ? LF : bytes[i - 1];
    return before === delimiter || before === LF || before === QUOTE;
  }
  const after = i + 1 < end ? bytes[i + 1] : LF;
  return after === QUOTE || after === delimiter || after === LF || after === CR;
}

/** A record of nothing but a line end (a blank line) is skipped by DuckDB: it starts no record here either. */
const isRecord = (bytes: Uint8Array, from: number, lineEnd: number) => lineEnd !== from && !(lineEnd === from + 1 && bytes[from] === CR);

export function grown(starts: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const more = new Int32Array(starts.length * 2);
  more.set(starts);
  return more;
}

/**
 * The data rows `rows` (1-based, ascending) of an indexed chunk, copied into one buffer in order: a CSV without
 * header, read as the chunk's own lines are. Null when a row is not in the index.
 */
export function copyRecords(bytes: Uint8Array, index: RecordIndex, rows: readonly number[]): Uint8Array | null {
  let total = 0;
  for (const r of rows) {
    if (!(r >= 1 && r <= index.count)) return null;
    total += index.starts[r]! - index.starts[r - 1]!;
  }
  const out = new Uint8Array(total);
  let o = 0;
  for (const r of rows) {
    const from = index.starts[r - 1]!;
    const to = index.starts[r]!;
    out.set(bytes.subarray(from, to), o);
    o += to - from;
  }
  return out;
}
