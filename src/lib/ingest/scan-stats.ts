import type { Row } from '../engine/engine';
import type { DayOrder, DayOrderBasis } from './source';

/** What one scan (a CSV file, or every chunk of a JSON file added up) learned about a source. */
export interface ScanSummary {
  rows: number;
  netRows: number;
  upnRows: number;
  candidates: number;
  dayFirst: MainTimeStats;
  monthFirst: MainTimeStats;
  badExample: string | null;
  /** Evidence for the day order of each locale-style datetime column, by column index. */
  locale: Map<number, { f1: number; f2: number; ampm: boolean }>;
}

export interface MainTimeStats {
  min: bigint | null;
  max: bigint | null;
  bad: number;
  /** Record numbers (as the scan numbered them) of the first rows with an unreadable time. */
  firstBad: number[];
}

const big = (v: unknown): bigint | null => (v === null || v === undefined ? null : BigInt(String(v)));
const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const nums = (v: unknown): number[] => (Array.isArray(v) ? v.map(Number) : []);

export function emptySummary(): ScanSummary {
  const empty = (): MainTimeStats => ({ min: null, max: null, bad: 0, firstBad: [] });
  return { rows: 0, netRows: 0, upnRows: 0, candidates: 0, dayFirst: empty(), monthFirst: empty(), badExample: null, locale: new Map() };
}

const minB = (a: bigint | null, b: bigint | null) => (a === null ? b : b === null ? a : a < b ? a : b);
const maxB = (a: bigint | null, b: bigint | null) => (a === null ? b : b === null ? a : a > b ? a : b);

/** Add one scan's statistics row (see scan-sql.ts) to a running summary. */
export function addScanRow(into: ScanSummary, row: Row, localeColumns: number[]): void {
  into.rows += num(row.n);
  into.netRows += num(row.net_rows);
  into.upnRows += num(row.upn_rows);
  into.candidates += num(row.n_cand);
  const merge = (s: MainTimeStats, suffix: 'df' | 'mf') => {
    s.min = minB(s.min, big(row[`min_${suffix}`]));
    s.max = maxB(s.max, big(row[`max_${suffix}`]));
    s.bad += num(row[`bad_${suffix}`]);
    s.firstBad = [...s.firstBad, ...nums(row[`first_bad_${suffix}`])].slice(0, 5);
  };
  merge(into.dayFirst, 'df');
  merge(into.monthFirst, 'mf');
  const example = Array.isArray(row.bad_example) ? row.bad_example[0] : null;
  if (into.badExample === null && typeof example === 'string') into.badExample = example;
  for (const i of localeColumns) {
    const prev = into.locale.get(i) ?? { f1: 0, f2: 0, ampm: false };
    into.locale.set(i, {
      f1: Math.max(prev.f1, num(row[`f1_${i}`])),
      f2: Math.max(prev.f2, num(row[`f2_${i}`])),
      ampm: prev.ampm || row[`ampm_${i}`] === true,
    });
  }
}

/**
 * Day order of a locale-style column: a first field above 12 means day-first, a second field above 12 means
 * month-first; otherwise AM/PM suggests month-first (US locale), else day-first. Only the first two are certain.
 */
export function decideDayOrder(column: string, evidence: { f1: number; f2: number; ampm: boolean }): DayOrder {
  const dayFirstSeen = evidence.f1 > 12;
  const monthFirstSeen = evidence.f2 > 12;
  let dayFirst: boolean;
  let basis: DayOrderBasis;
  if (dayFirstSeen && monthFirstSeen) { dayFirst = true; basis = 'conflict'; }
  else if (dayFirstSeen) { dayFirst = true; basis = 'values'; }
  else if (monthFirstSeen) { dayFirst = false; basis = 'values'; }
  else if (evidence.ampm) { dayFirst = false; basis = 'am-pm'; }
  else { dayFirst = true; basis = 'default'; }
  return { column, dayFirst, basis };
}

/**
 * Map the scan's record numbers (which count only rows the CSV reader accepted) to data-row numbers of the file,
 * given the data rows the reader rejected.
 */
export function acceptedToDataRow(accepted: number, rejectedDataRows: readonly number[]): number {
  let row = accepted;
  for (const r of rejectedDataRows) {
    if (r <= row) row++;
    else break;
  }
  return row;
}
