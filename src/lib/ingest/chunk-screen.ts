/**
 * A CSV chunk's scan statistics (scan-sql.ts) worked out on the page, from the record and field index the SIMD
 * indexer made while cutting the chunk (record-index.wat), so that the engine reads only the chunk's few possible
 * candidates instead of every row. On a 1M-row export nearly every chunk goes this way, and the engines' CSV parsing,
 * most of a large load's CPU, shrinks to the first chunk and the candidates.
 *
 * It answers only where it is sure to agree with the engine's scan row for row, and otherwise says so (null), and
 * the chunk is scanned by the engine as before: a record whose field count is not the header's (the engine
 * rejects it), a time the quick ISO form does not cover or that the calendar refuses (lh_iso_fast leaves those to
 * the full parser), a record over the engine's line limit, a last record still inside quotes (the index then has
 * no fields), bytes that are not UTF-8. Irregular quoting and lines that do not end as the header's never reach it:
 * the loader reads such a file in one pass. tests/formats/chunked.test.ts compares it with the engine's scan.
 *
 * Candidates are a superset: a record is kept when one of the prefilter hint's columns contains one of its
 * literals in any letter case (or holds bytes outside ASCII, whose lower case only the engine knows). The engine
 * reads the kept records whole and applies the exact prefilter.
 */
import type { Row } from '../engine/engine';
import { UNIX_EPOCH_TICKS, TICKS_PER_SECOND } from '../time/ticks';
import type { RecordIndex } from './record-index';
import { col } from './scan-sql';
import type { TableShape } from './schema';
import { yieldToPage } from './yield';

const QUOTE = 0x22;
/** The engine's max_line_size (loader.ts): a longer record is rejected there. */
const MAX_RECORD_BYTES = 16 * 1024 * 1024;
/**
 * Records screened per task: a 16 MiB chunk holds about 22,000 records of a Defender export, screened in a few
 * tasks of a few ms each (more before the page's code is optimised), never one long one.
 */
const RECORDS_PER_TASK = 4096;

/** Which fields of a record the statistics read, by column index; made once per source by screenPlan. */
export interface ScreenPlan {
  /** The header's field count: every record must have it. */
  fields: number;
  time: number;
  /** FileName as it is (net_rows counts the exact names), or null when the table has none. */
  fileName: number | null;
  /** The column whose non-empty value makes AccountUpn non-empty (upn_rows), or null when it is always empty. */
  account: number | null;
  /** The prefilter hint's columns and its literals (lower-case ASCII bytes). */
  hintColumns: number[];
  literals: Uint8Array[];
  /** Columns packed with each candidate, to check its record against its whole row (loader.ts pairingColumns). */
  pairBy: number[];
}

/** What the engine's scan row of a chunk would be, and its candidates packed as the scan would pack them. */
export interface ScreenedChunk {
  stats: Row;
  packed: Row[];
}

const NET_NAMES = ['net.exe', 'net1.exe'].map((n) => new TextEncoder().encode(n));

/**
 * The plan for a source, or null when its statistics need the engine: times that are not quick ISO ones, locale
 * columns, a row filter, columns the scan reads through a transform, a hint that is missing or not plain ASCII, or
 * a needed column that is the last one (its end is a line end, not a delimiter).
 */
export function screenPlan(o: {
  shape: TableShape; fields: number; quickTimes: boolean; localeColumns: number[]; hint: { columns: string[]; literals: string[] } | null | undefined;
  pairBy: number[];
}): ScreenPlan | null {
  const { shape, hint } = o;
  if (!o.quickTimes || o.localeColumns.length > 0 || shape.rowFilter || !hint || o.fields < 2) return null;
  const plain = (c: keyof TableShape['canonical']): number | null | undefined => {
    const f = shape.canonical[c];
    if (f === undefined) return null;
    return f.transform === 'value' ? f.index : undefined;
  };
  const fileName = plain('FileName');
  // AccountUpn as upnExpression (scan-sql.ts) builds it: the column itself, or empty exactly when the name is.
  const account = shape.canonical.AccountUpn !== undefined && !shape.upnDerived ? plain('AccountUpn') : plain('AccountName');
  const hintColumns: number[] = [];
  for (const c of hint.columns) {
    const i = plain(c as keyof TableShape['canonical']);
    if (i === undefined) return null;
    if (i !== null) hintColumns.push(i);
  }
  if (fileName === undefined || account === undefined) return null;
  if (hint.literals.some((l) => l === '' || !/^[\x20-\x21\x23-\x7e]*$/.test(l))) return null;
  const needed = [shape.timeIndex, fileName, account, ...hintColumns, ...o.pairBy].filter((i): i is number => i !== null);
  if (needed.some((i) => i < 0 || i >= o.fields - 1)) return null;
  return {
    fields: o.fields, time: shape.timeIndex, fileName, account, hintColumns,
    literals: hint.literals.map((l) => new TextEncoder().encode(l.toLowerCase())), pairBy: o.pairBy,
  };
}

/** The last time read by readIsoTime: seconds since 1970 and the 100 ns ticks within the second. */
let timeSeconds = 0;
let timeTicks = 0;

const digit = (c: number | undefined) => (c === undefined ? -1 : c >= 0x30 && c <= 0x39 ? c - 0x30 : -1);
const two = (b: Uint8Array, i: number) => {
  const a = digit(b[i]);
  const c = digit(b[i + 1]);
  return a < 0 || c < 0 ? -1 : a * 10 + c;
};

/** Days since 1970-01-01 of a proleptic Gregorian date (the engine's calendar). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  return era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
}

const daysIn = (y: number, m: number) => (m === 2 ? ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28) : [31, 0, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!);

/**
 * `2024-05-01T10:22:33Z` or with 1 to 7 fractional digits, a real date and time of day, into timeSeconds and
 * timeTicks; false for anything else (then the engine decides). A strict part of what lh_iso_fast reads.
 */
function readIsoTime(b: Uint8Array, from: number, to: number): boolean {
  const length = to - from;
  if (length !== 20 && (length < 22 || length > 28)) return false;
  if (b[from + 4] !== 0x2d || b[from + 7] !== 0x2d || b[from + 10] !== 0x54 || b[from + 13] !== 0x3a || b[from + 16] !== 0x3a || b[to - 1] !== 0x5a) return false;
  const hi = two(b, from);
  const lo = two(b, from + 2);
  const month = two(b, from + 5);
  const day = two(b, from + 8);
  const hour = two(b, from + 11);
  const minute = two(b, from + 14);
  const second = two(b, from + 17);
  if (hi < 0 || lo < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return false;
  const year = hi * 100 + lo;
  if (year < 1 || day > daysIn(year, month)) return false;
  let ticks = 0;
  if (length > 20) {
    if (b[from + 19] !== 0x2e) return false;
    let scale = 1_000_000;
    for (let i = from + 20; i < to - 1; i++) {
      const v = digit(b[i]);
      if (v < 0) return false;
      ticks += v * scale;
      scale /= 10;
    }
  }
  timeSeconds = daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
  timeTicks = ticks;
  return true;
}

/** A field's value as the engine reads it: its text without the quotes around it, null when empty. */
function fieldValue(bytes: Uint8Array, from: number, to: number, decoder: TextDecoder): string | null {
  const quoted = bytes[from] === QUOTE;
  const text = decoder.decode(bytes.subarray(quoted ? from + 1 : from, quoted ? to - 1 : to));
  if (text === '') return null;
  return quoted ? text.replaceAll('""', '"') : text;
}

function equalsBytes(bytes: Uint8Array, from: number, to: number, word: Uint8Array): boolean {
  if (to - from !== word.length) return false;
  for (let i = 0; i < word.length; i++) if (bytes[from + i] !== word[i]) return false;
  return true;
}

/** Whether [from, to) contains one of the literals in any ASCII letter case, or any byte outside ASCII. */
function mayHold(bytes: Uint8Array, from: number, to: number, literals: Uint8Array[]): boolean {
  for (let i = from; i < to; i++) if (bytes[i]! >= 0x80) return true;
  for (const word of literals) {
    const last = to - word.length;
    for (let i = from; i <= last; i++) {
      let j = 0;
      while (j < word.length) {
        const c = bytes[i + j]!;
        if ((c >= 0x41 && c <= 0x5a ? c + 0x20 : c) !== word[j]) break;
        j++;
      }
      if (j === word.length) return true;
    }
  }
  return false;
}

/** Field j of the record that starts at `start` with its delimiters from `d` on: its start; it ends at its (j + 1)-th delimiter. */
const fieldStart = (delimiters: Int32Array, start: number, d: number, j: number) => (j === 0 ? start : delimiters[d + j - 1]! + 1);

const ticksText = (seconds: number, ticks: number) => (BigInt(seconds) * TICKS_PER_SECOND + BigInt(ticks) + UNIX_EPOCH_TICKS).toString();

/**
 * The scan row of a chunk whose index has its fields (see RecordFields), with its candidates packed, or null when
 * the engine must scan it. Record numbers count from 1 at the chunk's start, as the engine's scan of it does.
 */
export async function screenChunk(bytes: Uint8Array, index: RecordIndex, plan: ScreenPlan): Promise<ScreenedChunk | null> {
  const fields = index.fields;
  if (!fields || !index.utf8) return null;
  const { delimiters, before } = fields;
  const { starts, count } = index;
  const want = plan.fields - 1;
  // A byte order mark stays in the value (the engine keeps one that is not at its buffer's start).
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  let netRows = 0;
  let accountRows = 0;
  let minSeconds = Infinity;
  let minTicks = 0;
  let maxSeconds = -Infinity;
  let maxTicks = 0;
  const packed: Row[] = [];
  for (let r = 0; r < count; r++) {
    if (r % RECORDS_PER_TASK === RECORDS_PER_TASK - 1) await yieldToPage();
    const d = before[r]!;
    if (before[r + 1]! - d !== want || starts[r + 1]! - starts[r]! > MAX_RECORD_BYTES) return null;
    const start = starts[r]!;
    // Quoting is regular (the loader reads a chunk whose quoting is not in one pass): a quoted field is its quotes
    // and what lies between them.
    let tf = fieldStart(delimiters, start, d, plan.time);
    let tt = delimiters[d + plan.time]!;
    if (bytes[tf] === QUOTE) { tf++; tt--; }
    if (tt > tf) {
      if (!readIsoTime(bytes, tf, tt)) return null;
      if (timeSeconds < minSeconds || (timeSeconds === minSeconds && timeTicks < minTicks)) { minSeconds = timeSeconds; minTicks = timeTicks; }
      if (timeSeconds > maxSeconds || (timeSeconds === maxSeconds && timeTicks > maxTicks)) { maxSeconds = timeSeconds; maxTicks = timeTicks; }
    }
    if (plan.fileName !== null) {
      let ff = fieldStart(delimiters, start, d, plan.fileName);
      let ft = delimiters[d + plan.fileName]!;
      if (bytes[ff] === QUOTE) { ff++; ft--; }
      if (equalsBytes(bytes, ff, ft, NET_NAMES[0]!) || equalsBytes(bytes, ff, ft, NET_NAMES[1]!)) netRows++;
    }
    if (plan.account !== null) {
      const af = fieldStart(delimiters, start, d, plan.account);
      const at = delimiters[d + plan.account]!;
      if (at - af > (bytes[af] === QUOTE ? 2 : 0)) accountRows++;
    }
    let candidate = false;
    for (const j of plan.hintColumns) candidate ||= mayHold(bytes, fieldStart(delimiters, start, d, j), delimiters[d + j]!, plan.literals);
    if (candidate) {
      const row: Row = { lh_rec: r + 1 };
      for (const j of plan.pairBy) row[col(j)] = fieldValue(bytes, fieldStart(delimiters, start, d, j), delimiters[d + j]!, decoder);
      packed.push(row);
    }
  }
  const timed = minSeconds !== Infinity;
  const min = timed ? ticksText(minSeconds, minTicks) : null;
  const max = timed ? ticksText(maxSeconds, maxTicks) : null;
  return {
    stats: {
      n: count, net_rows: netRows, upn_rows: accountRows, min_df: min, max_df: max, min_mf: min, max_mf: max,
      bad_df: 0, bad_mf: 0, first_bad_df: [], first_bad_mf: [], bad_example: null, n_cand: packed.length,
    },
    packed,
  };
}
