import { parquetMetadataAsync, parquetRead, type AsyncBuffer, type ColumnData, type FileMetaData, type ParquetParsers, type SchemaElement } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { RECORDS_PER_POSITION, type JsonItem, type TextCell } from './json-reader';

/**
 * Reads .parquet files into row objects, one row group at a time.
 *
 * hyparquet is plain JavaScript (no eval, no Worker, no fetch unless given a URL). It reads through an AsyncBuffer
 * over `file.slice()`, so what is in memory at once is the footer metadata plus one row group: its column chunks as
 * read, decompressed and decoded, and one batch of row objects. hyparquet-compressors brings zstd, gzip, brotli and
 * lz4 in JavaScript, and snappy as a 3 KB WebAssembly module compiled when the module is imported
 * (`new WebAssembly.Module`, allowed by 'wasm-unsafe-eval').
 *
 * Every value becomes text:
 * - integers exactly (INT64 arrives as a BigInt and is printed from it, never through a float);
 * - FLOAT and DOUBLE as JavaScript prints them (FLOAT by its shortest 32-bit form: 0.1, not 0.10000000149011612);
 * - DECIMAL exactly, with its scale (`12.340` for scale 3), for top-level columns; inside a list or struct
 *   hyparquet has already made it a double;
 * - TIMESTAMP (millis, micros, nanos, INT96) as ISO 8601 with seven fractional digits and a `Z`, Kusto's 100 ns
 *   ticks; nanoseconds are truncated (floored), not rounded. No zone is applied either way: an isAdjustedToUTC
 *   value is UTC already, and a local (not adjusted) one is written as the wall-clock time it holds, the same
 *   convention as a zone-less Excel date;
 * - DATE as `yyyy-mm-ddT00:00:00.0000000Z`; TIME as `hh:mm:ss.fffffff` (a Kusto timespan);
 * - BOOLEAN as `true` / `false`; UUID in its usual dashed form;
 * - binary: UTF-8 text when the bytes are valid UTF-8, hex otherwise; a fixed-length binary column with no type
 *   (hashes, ids) always as hex; INTERVAL and BSON, which hyparquet does not decode, as hex;
 * - lists, structs and maps as JSON text (timestamps inside as ISO strings, 64-bit integers as exact JSON numbers).
 */

export interface ParquetBatch {
  items: JsonItem[];
  bytesRead: number;
}

export interface ParquetOptions {
  batchRows: number;
  signal?: AbortSignal;
}

/** A point in time as 100 ns ticks since 1970-01-01, so no precision is lost to a JS Date on the way. */
class Ticks {
  constructor(readonly ticks: bigint) {}
}
/** A DATE, days since 1970-01-01. */
class DayNumber {
  constructor(readonly days: number) {}
}
/** A JSON column's text, kept as written rather than parsed (a parse would round its big integers). */
class JsonText {
  constructor(readonly text: string) {}
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += HEX[b];
  return s;
}

/** Binary as text: as UTF-8 when it is valid UTF-8, otherwise as hex. */
function utf8OrHex(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return hex(bytes);
  }
}

const toBigInt = (v: unknown): bigint => (typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(v))));
/** Floor division, so a time before 1970 truncates toward the earlier tick, like one after it. */
function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b < 0n ? q - 1n : q;
}

const parsers: Partial<ParquetParsers> = {
  timestampFromMilliseconds: (v: bigint) => new Ticks(toBigInt(v) * 10_000n),
  timestampFromMicroseconds: (v: bigint) => new Ticks(toBigInt(v) * 10n),
  timestampFromNanoseconds: (v: bigint) => new Ticks(floorDiv(toBigInt(v), 100n)),
  dateFromDays: (days: number) => new DayNumber(days),
  stringFromBytes: (bytes: Uint8Array | undefined) => (bytes === undefined || bytes === null ? undefined : utf8OrHex(bytes)),
  jsonFromBytes: (bytes: Uint8Array | undefined) => (bytes === undefined || bytes === null ? undefined : new JsonText(utf8OrHex(bytes))),
};

// ---------------------------------------------------------------------------------------------------------------
// Text of values

const TICKS_PER_SECOND = 10_000_000n;
const TICKS_PER_DAY = 86_400n * TICKS_PER_SECOND;
const MS_PER_DAY = 86_400_000;
/** JS Dates reach ±100,000,000 days from 1970; beyond that a value is not a real time, so its number is shown. */
const MAX_DAYS = 100_000_000;

const pad = (n: number | bigint, width: number) => String(n).padStart(width, '0');

function dateText(days: number): string | null {
  if (!Number.isInteger(days) || Math.abs(days) > MAX_DAYS) return null;
  const d = new Date(days * MS_PER_DAY);
  const y = d.getUTCFullYear();
  const year = y >= 0 && y <= 9999 ? pad(y, 4) : `${y < 0 ? '-' : '+'}${pad(Math.abs(y), 6)}`;
  return `${year}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
}

/** Time of day from ticks within a day: `hh:mm:ss.fffffff`. */
function clockText(ticksOfDay: bigint): string {
  const seconds = ticksOfDay / TICKS_PER_SECOND;
  return `${pad(seconds / 3600n, 2)}:${pad((seconds / 60n) % 60n, 2)}:${pad(seconds % 60n, 2)}.${pad(ticksOfDay % TICKS_PER_SECOND, 7)}`;
}

export function ticksToIso(ticks: bigint): string {
  const days = floorDiv(ticks, TICKS_PER_DAY);
  const date = dateText(Number(days));
  if (date === null) return ticks.toString();
  return `${date}T${clockText(ticks - days * TICKS_PER_DAY)}Z`;
}

/** An unscaled integer and a scale → exact decimal text (`-1234`, 3 → `-1.234`). */
function decimalText(unscaled: bigint, scale: number): string {
  if (scale <= 0) return (unscaled * 10n ** BigInt(-scale)).toString();
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

/** A big-endian two's-complement integer (DECIMAL in BYTE_ARRAY / FIXED_LEN_BYTE_ARRAY). */
function signedBigEndian(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  if (bytes.length > 0 && ((bytes[0] as number) & 0x80) !== 0) v -= 1n << BigInt(bytes.length * 8);
  return v;
}

/** The shortest decimal that reads back as the same 32-bit float. */
function float32Text(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  for (let p = 1; p <= 9; p++) {
    const s = Number(n.toPrecision(p));
    if (Math.fround(s) === n) return String(s);
  }
  return String(n);
}

function jsonOf(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'string': return JSON.stringify(v);
    case 'number': return Number.isFinite(v) ? String(v) : JSON.stringify(String(v));
    case 'bigint': return v.toString();
    case 'boolean': return v ? 'true' : 'false';
    default: break;
  }
  if (v instanceof Ticks) return JSON.stringify(ticksToIso(v.ticks));
  if (v instanceof DayNumber) return JSON.stringify(dayIso(v.days));
  if (v instanceof JsonText) {
    try {
      JSON.parse(v.text);
      return v.text.trim();
    } catch {
      return JSON.stringify(v.text);
    }
  }
  if (v instanceof Uint8Array) return JSON.stringify(utf8OrHex(v));
  if (v instanceof Date) return JSON.stringify(Number.isNaN(v.getTime()) ? null : v.toISOString());
  if (Array.isArray(v)) return `[${v.map(jsonOf).join(',')}]`;
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    return `[${Array.from(v as unknown as ArrayLike<unknown>, jsonOf).join(',')}]`;
  }
  if (v instanceof Map) return `{${[...v].map(([k, x]) => `${JSON.stringify(String(k))}:${jsonOf(x)}`).join(',')}}`;
  if (typeof v === 'object') {
    return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}:${jsonOf(x)}`).join(',')}}`;
  }
  return JSON.stringify(String(v));
}

const dayIso = (days: number): string => {
  const d = dateText(days);
  return d === null ? String(days) : `${d}T00:00:00.0000000Z`;
};

/** Any decoded value as a cell: the generic rules, used for columns with no special handling. */
function valueText(v: unknown): TextCell {
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case 'string': return v;
    case 'number': return String(v);
    case 'bigint': return v.toString();
    case 'boolean': return v ? 'true' : 'false';
    default: break;
  }
  if (v instanceof Ticks) return ticksToIso(v.ticks);
  if (v instanceof DayNumber) return dayIso(v.days);
  if (v instanceof JsonText) return v.text;
  if (v instanceof Uint8Array) return utf8OrHex(v);
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  return jsonOf(v);
}

// ---------------------------------------------------------------------------------------------------------------
// Columns

/** How a top-level column's raw values become text, where the generic rules are not enough. */
type ColumnKind =
  | { kind: 'generic' }
  | { kind: 'decimal'; scale: number }
  | { kind: 'hex' }
  | { kind: 'float32' }
  | { kind: 'time'; ticksPerUnit: bigint };

interface Column {
  /** The name hyparquet reports chunks under. */
  source: string;
  /** The name after the header rules. */
  name: string;
  kind: ColumnKind;
}

/**
 * Column names: trimmed; an empty one becomes `Column<N>` (N the 1-based column); a repeat gets 1, 2, … appended
 * (Kusto's rule), found case-insensitively since the names become DuckDB columns. The same rule as the workbook
 * reader's; kept here too so that neither module pulls the other's libraries into its bundle chunk.
 */
function uniqueNames(raw: string[]): string[] {
  const taken = new Set<string>();
  return raw.map((r, i) => {
    const base = r.trim() || `Column${i + 1}`;
    let name = base;
    for (let k = 1; taken.has(name.toLowerCase()); k++) name = `${base}${k}`;
    taken.add(name.toLowerCase());
    return name;
  });
}

function kindOf(el: SchemaElement): ColumnKind {
  const ctype = el.converted_type;
  const ltype = el.logical_type;
  if (ctype === 'DECIMAL' || ltype?.type === 'DECIMAL') {
    const scale = ltype?.type === 'DECIMAL' ? ltype.scale : el.scale ?? 0;
    return { kind: 'decimal', scale };
  }
  if (ctype === 'INTERVAL' || ltype?.type === 'INTERVAL' || ctype === 'BSON' || ltype?.type === 'BSON') return { kind: 'hex' };
  if (ctype === 'TIME_MILLIS') return { kind: 'time', ticksPerUnit: 10_000n };
  if (ctype === 'TIME_MICROS') return { kind: 'time', ticksPerUnit: 10n };
  if (ltype?.type === 'TIME') return { kind: 'time', ticksPerUnit: ltype.unit === 'MILLIS' ? 10_000n : ltype.unit === 'MICROS' ? 10n : 0n };
  if (el.type === 'FIXED_LEN_BYTE_ARRAY' && !ctype && !ltype) return { kind: 'hex' };
  if (el.type === 'FLOAT' && !ctype && !ltype) return { kind: 'float32' };
  return { kind: 'generic' };
}

function cellText(v: unknown, kind: ColumnKind): TextCell {
  if (v === null || v === undefined) return null;
  switch (kind.kind) {
    case 'decimal':
      if (v instanceof Uint8Array) return decimalText(signedBigEndian(v), kind.scale);
      if (typeof v === 'bigint' || typeof v === 'number') return decimalText(toBigInt(v), kind.scale);
      break;
    case 'hex':
      if (v instanceof Uint8Array) return hex(v);
      break;
    case 'float32':
      if (typeof v === 'number') return float32Text(v);
      break;
    case 'time': {
      if (typeof v !== 'bigint' && typeof v !== 'number') break;
      // NANOS: floor to 100 ns ticks; the others scale up exactly.
      const ticks = kind.ticksPerUnit === 0n ? floorDiv(toBigInt(v), 100n) : toBigInt(v) * kind.ticksPerUnit;
      return ticks >= 0n && ticks < TICKS_PER_DAY ? clockText(ticks) : ticks.toString();
    }
    default: break;
  }
  return valueText(v);
}

/**
 * The top-level columns, and the metadata to read with: hyparquet turns a DECIMAL into a double and refuses
 * INTERVAL and BSON, so for top-level primitive columns of those types the annotation is removed and the raw
 * integers or bytes are turned into text here instead.
 */
function planColumns(metadata: FileMetaData): { columns: Column[]; readMetadata: FileMetaData } {
  const schema = metadata.schema;
  const root = schema[0];
  const top: number[] = [];
  // Walk the flattened schema tree: each top-level field is followed by its whole subtree.
  const subtree = (i: number): number => {
    let next = i + 1;
    for (let c = 0; c < (schema[i]?.num_children ?? 0); c++) next = subtree(next);
    return next;
  };
  for (let c = 0, i = 1; c < (root?.num_children ?? 0) && i < schema.length; c++) {
    top.push(i);
    i = subtree(i);
  }
  const names = uniqueNames(top.map((i) => schema[i]?.name ?? ''));
  const stripped = new Set<number>();
  const columns = top.map((i, k): Column => {
    const el = schema[i] as SchemaElement;
    const leaf = !el.num_children;
    const kind = leaf ? kindOf(el) : { kind: 'generic' as const };
    if (leaf && (kind.kind === 'decimal' || (kind.kind === 'hex' && (el.converted_type || el.logical_type)))) stripped.add(i);
    return { source: el.name, name: names[k] as string, kind };
  });
  const readMetadata: FileMetaData = stripped.size === 0 ? metadata : {
    ...metadata,
    schema: schema.map((el, i) => (stripped.has(i) ? { ...el, converted_type: undefined, logical_type: undefined } : el)),
  };
  return { columns, readMetadata };
}

// ---------------------------------------------------------------------------------------------------------------
// Reading

const abortReason = (signal: AbortSignal): Error => (signal.reason instanceof Error ? signal.reason : new DOMException('aborted', 'AbortError'));

async function checkMagic(file: Blob): Promise<void> {
  if (file.size < 12) throw new Error('not a Parquet file: it is too short to hold a Parquet footer');
  const head = new TextDecoder('latin1').decode(await file.slice(0, 4).arrayBuffer());
  const tail = new TextDecoder('latin1').decode(await file.slice(file.size - 4).arrayBuffer());
  if (head !== 'PAR1' && head !== 'PARE') throw new Error('not a Parquet file: it does not start with PAR1');
  if (tail === 'PARE') throw new Error('this Parquet file is encrypted; decrypt it first');
  if (tail !== 'PAR1') throw new Error('damaged Parquet file: its footer is missing (was the file cut short?)');
}

/** Byte just past a row group's last column chunk, for progress. */
function groupEnd(metadata: FileMetaData, g: number): number {
  let end = 0;
  for (const c of metadata.row_groups[g]?.columns ?? []) {
    const m = c.meta_data;
    if (!m) continue;
    const dict = m.dictionary_page_offset;
    const start = dict !== undefined && dict > 0n && dict < m.data_page_offset ? dict : m.data_page_offset;
    end = Math.max(end, Number(start + m.total_compressed_size));
  }
  return end;
}

/**
 * Read a Parquet file as row objects: `position` is the 1-based row number. Rows are read one row group at a time
 * through `file.slice()`; the whole file is never one ArrayBuffer.
 */
export async function* readParquet(file: Blob, opts: ParquetOptions): AsyncGenerator<ParquetBatch> {
  const { signal } = opts;
  const batchRows = Math.max(1, Math.floor(opts.batchRows));
  signal?.throwIfAborted();
  await checkMagic(file);
  const buffer: AsyncBuffer = {
    byteLength: file.size,
    slice: async (start: number, end?: number) => {
      // Checked on every read, so an abort stops a row group part-way rather than after it.
      if (signal?.aborted) throw abortReason(signal);
      return file.slice(start, end).arrayBuffer();
    },
  };

  let metadata: FileMetaData;
  try {
    // The footer is read from the end; 64 KiB holds most footers, and hyparquet reads further back when not.
    metadata = await parquetMetadataAsync(buffer, { parsers, initialFetchSize: 1 << 16 });
  } catch (e) {
    if (signal?.aborted) throw abortReason(signal);
    throw new Error(`damaged Parquet file: its metadata cannot be read (${(e as Error).message})`);
  }
  const { columns, readMetadata } = planColumns(metadata);
  const bySource = new Map<string, number>();
  columns.forEach((c, i) => { if (!bySource.has(c.source)) bySource.set(c.source, i); });

  let items: JsonItem[] = [];
  let groupStart = 0;
  let doneBytes = 0;
  const groups = metadata.row_groups.length;
  for (let g = 0; g < groups; g++) {
    if (signal?.aborted) throw abortReason(signal);
    const groupRows = Number(metadata.row_groups[g]?.num_rows ?? 0n);
    const endByte = Math.max(doneBytes, groupEnd(metadata, g));
    if (groupRows === 0) continue;

    const segments: ColumnData[][] = columns.map(() => []);
    try {
      await parquetRead({
        file: buffer,
        metadata: readMetadata,
        rowStart: groupStart,
        rowEnd: groupStart + groupRows,
        compressors,
        parsers,
        // Binary columns with no string type stay bytes, to be shown as text or hex by content.
        utf8: false,
        onChunk: (chunk) => {
          const i = bySource.get(chunk.columnName);
          if (i !== undefined) segments[i]?.push(chunk);
        },
      });
    } catch (e) {
      if (signal?.aborted) throw abortReason(signal);
      throw new Error(`damaged or unsupported Parquet file: row group ${g + 1} of ${groups} cannot be read (${(e as Error).message})`);
    }
    for (const s of segments) s.sort((a, b) => a.rowStart - b.rowStart);

    const cursors = columns.map(() => 0);
    const valueAt = (c: number, row: number): unknown => {
      const segs = segments[c] as ColumnData[];
      let k = cursors[c] as number;
      while (k < segs.length && (segs[k] as ColumnData).rowEnd <= row) k++;
      cursors[c] = k;
      const seg = segs[k];
      if (!seg || seg.rowStart > row) return null;
      const data: ArrayLike<unknown> = seg.columnData;
      return data[row - seg.rowStart];
    };

    for (let i = 0; i < groupRows; i++) {
      const abs = groupStart + i;
      const position = abs + 1;
      const row: Record<string, TextCell> = {};
      for (let c = 0; c < columns.length; c++) {
        const col = columns[c] as Column;
        row[col.name] = cellText(valueAt(c, abs), col.kind);
      }
      items.push({ position, record: position * RECORDS_PER_POSITION, row });
      if (items.length >= batchRows) {
        const bytesRead = Math.round(doneBytes + ((endByte - doneBytes) * (i + 1)) / groupRows);
        yield { items, bytesRead: Math.min(bytesRead, file.size) };
        items = [];
        if (signal?.aborted) throw abortReason(signal);
      }
    }
    groupStart += groupRows;
    doneBytes = endByte;
  }
  if (signal?.aborted) throw abortReason(signal);
  yield { items, bytesRead: file.size };
}
