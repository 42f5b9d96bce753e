import { CANONICAL, type FieldSource, type TableShape } from './schema';
import { sqlInt, sqlString } from '../sql/quote';

/**
 * SQL that turns a relation of all-VARCHAR columns c0..cN (a CSV file or a chunk of JSON rows) into the source's
 * statistics and its candidate rows, in one scan. Column names from the log never reach SQL: columns are addressed
 * by position-derived names chosen after the header was read by name.
 */

export const col = (i: number) => `c${i}`;

/** A canonical column's value from its source column. */
export function fieldSql(f: FieldSource): string {
  const c = col(f.index);
  switch (f.transform) {
    case 'value': return c;
    case 'leaf': return `regexp_extract(${c}, '[^\\\\/]*$')`;
    case 'account-name': return `CASE WHEN strpos(${c}, '\\') > 0 THEN substr(${c}, strpos(${c}, '\\') + 1) ELSE ${c} END`;
    case 'account-domain': return `CASE WHEN strpos(${c}, '\\') > 0 THEN substr(${c}, 1, strpos(${c}, '\\') - 1) END`;
  }
}

export function canonicalSelect(shape: TableShape): string[] {
  const out = CANONICAL.filter((c) => c !== 'AccountUpn').map((c) => {
    const f = shape.canonical[c];
    return f === undefined ? `NULL::VARCHAR AS ${c}` : `${fieldSql(f)} AS ${c}`;
  });
  out.push(`${upnExpression(shape)} AS AccountUpn`);
  return out;
}

/** Exact Kusto when the column exists; otherwise `AccountDomain\AccountName` (or the name alone without a domain). */
function upnExpression(shape: TableShape): string {
  const upn = shape.canonical.AccountUpn;
  if (upn !== undefined && !shape.upnDerived) return fieldSql(upn);
  const name = shape.canonical.AccountName;
  const domain = shape.canonical.AccountDomain;
  if (name === undefined) return "''";
  const n = `(${fieldSql(name)})`;
  if (domain === undefined) return `coalesce(${n}, '')`;
  const d = `(${fieldSql(domain)})`;
  return `CASE WHEN coalesce(${n}, '') = '' THEN '' WHEN coalesce(${d}, '') = '' THEN ${n} ELSE ${d} || '\\' || ${n} END`;
}

/** How a datetime column's values are written, judged from a sample; `any` tries every style per value. */
export type TimeStyle = 'iso' | 'iso-in-zone' | 'display' | 'locale' | 'any';

/**
 * Ticks of a time column. A known style calls only its own parser: the full macro expands to a large expression,
 * and binding it for every datetime column costs more than the scan of a small file.
 */
export function ticksSql(expr: string, style: TimeStyle, dayFirst: boolean, offsetMinutes: number): string {
  const off = sqlInt(offsetMinutes);
  switch (style) {
    case 'iso': return `lh_iso_ticks_fast(${expr})`;
    case 'iso-in-zone': return `lh_iso_ticks_in(${expr}, ${off})`;
    case 'display': return `lh_display_ticks(${expr}, ${off})`;
    case 'locale': return `lh_locale_ticks(${expr}, ${dayFirst})`;
    case 'any': return `lh_ticks(${expr}, ${dayFirst}, ${off})`;
  }
}

export interface ScanOptions {
  relation: string;
  recordExpr: string;
  shape: TableShape;
  /** Main time column holds locale-style (d/m/y) values, so both day orders are evaluated. */
  mainLocale: boolean;
  /** Datetime columns whose values look locale-style: gather evidence for their day order. */
  localeColumns: number[];
  displayOffsetMinutes: number;
  timeStyle: (columnIndex: number) => TimeStyle;
  /** The detections' candidate filter over canonical column names. */
  prefilter: string;
  candidateTable: string;
  createCandidates: boolean;
  /**
   * Pack only these columns of each candidate (with its record number); its whole row is read later from its
   * record copied out of the chunk (wholeRowsSql), and these columns check that it is the same row. Packing every
   * column of every row costs about as much as reading them. Omitted: whole rows.
   */
  packOnly?: number[];
  /**
   * Read the main time column with the quick ISO parser alone (lh_iso_fast: `2024-05-01T10:22:33.1234567Z`), not
   * the full macro, whose regular expression costs a chunk's scan more to plan than to run. Only where
   * quickTimesApply holds. A time it leaves unread counts as bad (bad_df), and the caller scans again without this
   * when there are any.
   */
  quickTimes?: boolean;
}

/** Whether ScanOptions.quickTimes changes how the main time column is read: ISO times, not locale-style ones. */
export const quickTimesApply = (mainStyle: TimeStyle, mainLocale: boolean) => mainStyle === 'iso' && !mainLocale;

export const SCAN_TABLE = 'lh_scan';
const MAX_FIRST = 5;

export function scanStatements(o: ScanOptions): string[] {
  const t = col(o.shape.timeIndex);
  const style = o.timeStyle(o.shape.timeIndex);
  const mf = o.mainLocale ? ticksSql(t, style, false, o.displayOffsetMinutes) : 'lh_t_df';
  const upn = "AccountUpn IS NOT NULL AND AccountUpn <> ''";
  const localeAggs = o.localeColumns.flatMap((i) => [
    `max(lh_locale_field(${col(i)}, 1)) AS f1_${i}`,
    `max(lh_locale_field(${col(i)}, 2)) AS f2_${i}`,
    `coalesce(bool_or(lh_locale_ampm(${col(i)})), false) AS ampm_${i}`,
  ]);
  const struct = packedStruct(o.packOnly ?? o.shape.columns.map((_, i) => i));
  const dfTicks = o.quickTimes ? `lh_iso_fast(${t})` : ticksSql(t, style, true, o.displayOffsetMinutes);
  const badMf = o.mainLocale ? 'lh_bad_mf_only' : 'lh_bad_df';
  const scan = `CREATE OR REPLACE TEMP TABLE ${SCAN_TABLE} AS
WITH numbered AS (SELECT ${o.recordExpr} AS lh_rec, * FROM ${o.relation}),
src AS (SELECT * FROM numbered${rowFilterSql(o.shape)}),
canon AS (SELECT *, ${canonicalSelect(o.shape).join(', ')}, ${dfTicks} AS lh_t_df FROM src),
timed AS (SELECT *, ${mf} AS lh_t_mf FROM canon),
-- Each judged once per row: a time that is present but unreadable. The candidate's whole row is packed only for
-- candidates (packing every row's columns would cost as much as reading them).
judged AS (SELECT *, lh_time_bad(${t}, lh_t_df) AS lh_bad_df, ${o.mainLocale ? `lh_time_bad(${t}, lh_t_mf)` : 'NULL::BOOLEAN'} AS lh_bad_mf_only,
  coalesce(${o.prefilter}, false) AS lh_cand FROM timed)
-- Lists are sorted after aggregating (a few elements) rather than by ORDER BY inside the aggregate, with which
-- DuckDB sorts the scan's rows.
SELECT count(*)::BIGINT AS n,
  count(*) FILTER (WHERE FileName IN ('net.exe', 'net1.exe'))::BIGINT AS net_rows,
  count(*) FILTER (WHERE ${upn})::BIGINT AS upn_rows,
  min(lh_t_df)::VARCHAR AS min_df, max(lh_t_df)::VARCHAR AS max_df,
  min(lh_t_mf)::VARCHAR AS min_mf, max(lh_t_mf)::VARCHAR AS max_mf,
  count(*) FILTER (WHERE lh_bad_df)::BIGINT AS bad_df,
  count(*) FILTER (WHERE ${badMf})::BIGINT AS bad_mf,
  list_sort(list(lh_rec) FILTER (WHERE lh_bad_df))[1:${MAX_FIRST}] AS first_bad_df,
  list_sort(list(lh_rec) FILTER (WHERE ${badMf}))[1:${MAX_FIRST}] AS first_bad_mf,
  CASE WHEN count(*) FILTER (WHERE lh_bad_df) > 0 THEN [arg_min(${t}, lh_rec) FILTER (WHERE lh_bad_df)] END AS bad_example,
  ${localeAggs.length ? localeAggs.join(',\n  ') + ',' : ''}
  list(CASE WHEN lh_cand THEN {${struct}} END) FILTER (WHERE lh_cand) AS cand
FROM judged`;
  const fill = o.createCandidates
    ? `CREATE OR REPLACE TABLE ${o.candidateTable} AS SELECT unnest(cand, recursive := true) FROM ${SCAN_TABLE}`
    : `INSERT INTO ${o.candidateTable} BY NAME SELECT unnest(cand, recursive := true) FROM ${SCAN_TABLE}`;
  return [scan, fill];
}

const packedStruct = (columns: number[]) => ['lh_rec', ...columns.map(col)].map((c) => `${sqlString(c)}: ${c}`).join(', ');

export const WHOLE_TABLE = 'lh_whole';

/**
 * Every row of `relation` (the records a chunked scan named as candidates, copied out of their chunks), whole,
 * numbered in file order as lh_i, with whether it passes the prefilter, into WHOLE_TABLE.
 */
export function wholeRowsSql(o: { relation: string; shape: TableShape; prefilter: string }): string {
  return `CREATE OR REPLACE TEMP TABLE ${WHOLE_TABLE} AS
WITH numbered AS (SELECT row_number() OVER () AS lh_i, * FROM ${o.relation}),
canon AS (SELECT *, ${canonicalSelect(o.shape).join(', ')} FROM numbered)
SELECT lh_i, coalesce(${o.prefilter}, false) AS lh_cand, ${o.shape.columns.map((_, i) => col(i)).join(', ')} FROM canon`;
}

/** ` WHERE ...` keeping only the rows a table's row filter admits (a SecurityEvent table: EventID 4688), or ''. */
export function rowFilterSql(shape: TableShape): string {
  const f = shape.rowFilter;
  return f ? ` WHERE trim(${col(f.index)}) = ${sqlString(f.equals)}` : '';
}

export const SCAN_STATS_SQL = `SELECT * EXCLUDE (cand), coalesce(len(cand), 0) AS n_cand FROM ${SCAN_TABLE}`;
/**
 * With the candidates as packed (a few columns each), when they are few enough to come along in one short task;
 * otherwise `cand` is NULL (the chunk's candidates are then packed whole, as Arrow).
 */
export const SCAN_STATS_PACKED_SQL = `SELECT * REPLACE (CASE WHEN len(cand) <= 8192 THEN cand END AS cand), coalesce(len(cand), 0) AS n_cand FROM ${SCAN_TABLE}`;

export interface MaterialiseOptions {
  shape: TableShape;
  ordinal: number;
  candidateTable: string;
  eventsTable: string;
  displayOffsetMinutes: number;
  timeStyle: (columnIndex: number) => TimeStyle;
  /** Day order per datetime column index (locale-style columns only; others ignore it). */
  dayFirst: (columnIndex: number) => boolean;
}

/**
 * Bits of lh_seq left for the record number: source order is (ordinal, record). Records of JSON, XML, .evtx and
 * Parquet are position × 2^20 + index, so 51 bits hold 2^31 lines; 12 bits are left for 4,096 sources per session.
 */
export const SEQ_SHIFT = 51;

/** The source's candidate rows with exact times and canonical columns, as the detections read them. */
export function materialiseSql(o: MaterialiseOptions): string {
  const t = col(o.shape.timeIndex);
  const values = o.shape.columns.map((c, i) =>
    c.type === 'datetime' ? `lh_fmt(${ticksSql(col(i), o.timeStyle(i), o.dayFirst(i), o.displayOffsetMinutes)})` : col(i));
  return `CREATE OR REPLACE TABLE ${o.eventsTable} AS
WITH timed AS (SELECT *, ${ticksSql(t, o.timeStyle(o.shape.timeIndex), o.dayFirst(o.shape.timeIndex), o.displayOffsetMinutes)} AS lh_time FROM ${o.candidateTable})
SELECT ${sqlInt(o.ordinal)}::INTEGER AS lh_src, (${sqlInt(o.ordinal)}::BIGINT << ${SEQ_SHIFT}) + lh_rec::BIGINT AS lh_seq, lh_time,
  ${canonicalSelect(o.shape).join(', ')},
  [${values.join(', ')}]::VARCHAR[] AS lh_values
FROM timed WHERE NOT lh_time_bad(${t}, lh_time)`;
}

/** The shape every events table has, for the empty union. */
export const EMPTY_EVENTS_SQL = `SELECT NULL::INTEGER AS lh_src, NULL::BIGINT AS lh_seq, NULL::BIGINT AS lh_time,
  ${CANONICAL.filter((c) => c !== 'AccountUpn').map((c) => `NULL::VARCHAR AS ${c}`).join(', ')}, NULL::VARCHAR AS AccountUpn,
  NULL::VARCHAR[] AS lh_values WHERE false`;

export function eventsViewSql(eventsTables: string[], anyDropped = true): string {
  const body = eventsTables.length ? eventsTables.map((t) => `SELECT * FROM ${t}`).join('\nUNION ALL\n') : EMPTY_EVENTS_SQL;
  // Duplicates and Sysmon/Security twins (merge.ts) are left out here, so every detection and view agrees; with
  // none to leave out, the view skips the anti-join every run would otherwise pay for.
  return anyDropped
    ? `CREATE OR REPLACE VIEW lh_events AS SELECT * FROM (${body}) WHERE lh_seq NOT IN (SELECT lh_seq FROM lh_dropped)`
    : `CREATE OR REPLACE VIEW lh_events AS ${body}`;
}
