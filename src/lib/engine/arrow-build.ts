import { makeData, makeVector, Table, Utf8, type Vector } from 'apache-arrow';

const NON_ASCII = /[^\x00-\x7f]/;

/** Bytes of `s` in UTF-8 as TextEncoder writes it: a lone surrogate becomes U+FFFD (3 bytes). */
function utf8Length(s: string): number {
  if (!NON_ASCII.test(s)) return s.length;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) { n += 4; i++; }
    else n += 3;
  }
  return n;
}

/** Cells joined for one encoding call hold at most this many characters (far below the engine's string limit). */
const RUN_CHARS = 1 << 24;

/**
 * Cells [from, to) as UTF-8 bytes, their end offsets written from `base` on. The run is encoded in one call (one
 * cell at a time cost more than the rest of a JSON load's Arrow work): the bytes of joined text are the joined bytes
 * of its cells, except where a cell ends in half a surrogate pair that the next cell completes; the length check
 * catches that, and those cells are encoded one by one.
 */
function encodeRun(encoder: TextEncoder, cells: readonly (string | null)[], from: number, to: number, offsets: Int32Array, base: number): Uint8Array {
  const run = from === 0 && to === cells.length ? cells : cells.slice(from, to);
  const joined = run.join(''); // null and undefined join as ''
  const data = encoder.encode(joined);
  let pos = base;
  if (data.length === joined.length) {
    for (let i = from; i < to; i++) offsets[i + 1] = pos += cells[i]?.length ?? 0;
    return data;
  }
  for (let i = from; i < to; i++) offsets[i + 1] = pos += cells[i] ? utf8Length(cells[i]!) : 0;
  if (pos - base === data.length) return data;
  const parts = run.map((v) => encoder.encode(v ?? ''));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  pos = 0;
  parts.forEach((p, i) => { out.set(p, pos); pos += p.length; offsets[from + i + 1] = base + pos; });
  return out;
}

/** A column's cells as UTF-8 bytes, with their Arrow offsets. */
function encodeColumn(encoder: TextEncoder, cells: readonly (string | null)[], offsets: Int32Array, runChars: number): Uint8Array {
  const runs: Uint8Array[] = [];
  let bytes = 0;
  for (let from = 0; from < cells.length;) {
    let to = from + 1;
    for (let chars = cells[from]?.length ?? 0; to < cells.length && chars + (cells[to]?.length ?? 0) <= runChars; to++) chars += cells[to]?.length ?? 0;
    const run = encodeRun(encoder, cells, from, to, offsets, bytes);
    runs.push(run);
    bytes += run.length;
    from = to;
  }
  if (runs.length === 1) return runs[0]!;
  const data = new Uint8Array(bytes);
  let pos = 0;
  for (const run of runs) { data.set(run, pos); pos += run.length; }
  return data;
}

/**
 * An Arrow table of text columns, typed Utf8 even when a column holds only nulls. Built from raw buffers: Arrow's
 * builders compile their null checks with `new Function`, which the page's Content-Security-Policy forbids.
 */
export function stringTable(columns: string[], values: (string | null)[][], runChars = RUN_CHARS): Table {
  const encoder = new TextEncoder();
  const vectors: Record<string, Vector<Utf8>> = {};
  columns.forEach((name, c) => {
    const cells = values[c] ?? [];
    const length = cells.length;
    const offsets = new Int32Array(length + 1);
    const validity = new Uint8Array(Math.ceil(length / 8));
    let nullCount = 0;
    for (let i = 0; i < length; i++) {
      if (cells[i] === null || cells[i] === undefined) nullCount++;
      else validity[i >> 3]! |= 1 << (i & 7);
    }
    const data = encodeColumn(encoder, cells, offsets, runChars);
    vectors[name] = makeVector(makeData({
      type: new Utf8(), length, nullCount, nullBitmap: nullCount ? validity : null, valueOffsets: offsets, data,
    }));
  });
  return new Table(vectors);
}
