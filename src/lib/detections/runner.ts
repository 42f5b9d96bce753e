import type { Cell, Engine, Row } from '../engine/engine';
import type { LoadedSource } from '../ingest/source';
import { sqlInt, sqlString } from '../sql/quote';
import { starColumns, uniqueNames, tupleValues } from './output';
import { ALL_HARDENING, HARDENING_SWITCHES, type Alert, type Detection, type DetectionResult, type HardenedSummary, type JsonCell, type OrderedRecord, type RunParams } from './types';
import { parseInstant } from '../time/ticks';

/** Code-unit order, the order JavaScript's `<` gives: exports and tests sort the same way. */
export const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The allowlist as a condition on AccountUpn: case-insensitive, `*` matches any run of characters. Entries are
 * user text: they become escaped literals, and LIKE's own wildcards in them are escaped.
 */
export function allowlistCondition(entries: readonly string[], column = 'AccountUpn'): string {
  if (entries.length === 0) return 'false';
  const terms = entries.map((entry) => {
    const lower = entry.toLowerCase();
    // Both sides folded by the engine: JavaScript and DuckDB lower-case some letters differently.
    if (!lower.includes('*')) return `lower(${column}) = lower(${sqlString(entry)})`;
    const pattern = lower.replace(/[\\%_]/g, (c) => `\\${c}`).replaceAll('*', '%');
    return `lower(${column}) LIKE lower(${sqlString(pattern)}) ESCAPE '\\'`;
  });
  return `coalesce(${terms.join(' OR ')}, false)`;
}

/** The numbers a parameter edit changes: a prepared statement's arguments (see queryBound), or literals. */
const NUMERIC_PARAMETERS = ['cutoff', 'bin', 'threshold', 'slice'] as const;
type NumericParameter = (typeof NUMERIC_PARAMETERS)[number];

/**
 * A template's `{{name}}` parameters filled in: the numbers as literals, or (`asArguments`) as the named
 * parameters of a prepared statement, `$cutoff::BIGINT`, with the values it needs. The allowlist and the
 * hardening switches are always written into the SQL.
 */
function fill(template: string, params: RunParams, extra: { slice?: bigint }, asArguments: boolean): { sql: string; args: Map<NumericParameter, bigint> } {
  const numbers: Record<NumericParameter, bigint | undefined> = { cutoff: params.cutoff, bin: params.binTicks, threshold: BigInt(params.threshold), slice: extra.slice };
  const values: Record<string, string> = { allowlisted: `(${allowlistCondition(params.allowlist)})` };
  for (const k of HARDENING_SWITCHES) values[`h_${k}`] = String((params.hardening ?? ALL_HARDENING)[k]);
  const args = new Map<NumericParameter, bigint>();
  // Only the SQL's code is filled in: a `{{name}}` in a comment stays as written (a value put into a comment could end
  // it at a carriage return), and one inside a string literal is text (an account name from a log, say).
  const sql = template.replace(/'(?:[^']|'')*'|--[^\n]*|\{\{(\w+)\}\}/g, (token: string, name: string | undefined) => {
    if (name === undefined) return token;
    if ((NUMERIC_PARAMETERS as readonly string[]).includes(name)) {
      const n = numbers[name as NumericParameter];
      if (n !== undefined) {
        if (!asArguments) return sqlInt(n);
        args.set(name as NumericParameter, n);
        return `$${name}::BIGINT`;
      }
    }
    const v = values[name];
    if (v === undefined) throw new Error(`unknown SQL parameter {{${name}}}`);
    return v;
  });
  return { sql, args };
}

export function bindSql(template: string, params: RunParams, extra: { slice?: bigint } = {}): string {
  return fill(template, params, extra, false).sql;
}

/** Prepared statements per engine, by their SQL, least recently run first; that one is let go past this many. */
const prepared = new WeakMap<Engine, Map<string, string>>();
const MAX_PREPARED = 32;
let preparedCount = 0;

/**
 * Run a template as bindSql would, through a prepared statement kept per engine: a parameter edit changes only the
 * arguments, so the engine skips parsing, binding and planning the whole detection again (about half of a re-run's
 * engine time in wasm). DuckDB binds a statement again by itself when the tables or views it reads changed.
 */
export async function queryBound(engine: Engine, template: string, params: RunParams, extra: { slice?: bigint } = {}): Promise<Row[]> {
  const { sql, args } = fill(template, params, extra, true);
  let statements = prepared.get(engine);
  if (!statements) prepared.set(engine, (statements = new Map()));
  let name = statements.get(sql);
  if (name !== undefined) {
    statements.delete(sql);
    statements.set(sql, name);
  } else {
    if (statements.size >= MAX_PREPARED) {
      const [oldest, oldName] = statements.entries().next().value!;
      statements.delete(oldest);
      await engine.exec(`DEALLOCATE ${oldName}`).catch(() => {});
    }
    name = `lh_prepared_${++preparedCount}`;
    await engine.exec(`PREPARE ${name} AS ${sql}`);
    statements.set(sql, name);
  }
  const list = [...args].map(([k, v]) => `${k} := ${sqlInt(v)}::BIGINT`).join(', ');
  return engine.query(`EXECUTE ${name}${list ? `(${list})` : ''}`);
}

const hardenedOf = (detection: Detection, params: RunParams) => (params.mode === 'hardened' ? detection.hardened ?? null : null);

/** The detection's stages as a `WITH` before `tail`, parameters not yet filled in. */
function stagesTemplate(detection: Detection, params: RunParams, tail: string): string {
  const stages = hardenedOf(detection, params)?.stagesSql ?? detection.stagesSql;
  return `WITH ${stages.trim()}\n${tail}`;
}

export function withStages(detection: Detection, params: RunParams, tail: string): string {
  return bindSql(stagesTemplate(detection, params, tail), params);
}

const summarizeTemplate = (detection: Detection, params: RunParams) =>
  stagesTemplate(detection, params, (hardenedOf(detection, params)?.summarizeSql ?? detection.summarizeSql).trim());

export function summarizeQuery(detection: Detection, params: RunParams): string {
  return bindSql(summarizeTemplate(detection, params), params);
}

/** Stage names and labels of the mode the run uses. */
export const stagesOf = (detection: Detection, params: RunParams) =>
  (hardenedOf(detection, params) ? detection.meta.hardenedStages : undefined) ?? detection.meta.stages;

const COUNT_COLUMNS = ['TotalEvents', 'TotalAccountsEvents', 'TotalGroupEvents', 'TotalLocalGroupEvents', 'TotalUserEvents'];

export async function runDetection(engine: Engine, detection: Detection, params: RunParams, sources: readonly LoadedSource[]): Promise<DetectionResult> {
  const sql = summarizeQuery(detection, params);
  const rows = await queryBound(engine, summarizeTemplate(detection, params), params);
  const variants = new Set(sources.map((s) => s.variant));
  const mixedVariants = variants.size > 1;
  const binColumn = !mixedVariants && variants.has('sentinel') ? 'TimeGenerated' : 'Timestamp';
  const { meta } = detection;
  const star = starColumns(sources, meta.groupKey, meta.extendedColumns);
  const leading = meta.output.map((c) => (c === '$bin' ? binColumn : c));
  // Kusto's unique naming over the whole output: a source column named like an output column (TotalEvents) or
  // repeated by arg_min gets the next free suffix (TotalEvents1, SHA11, ...), never a duplicate key.
  const taken = new Set(leading);
  const firstNames = uniqueNames(star.map((c) => c.name), taken);
  const secondNames = uniqueNames(star.map((c) => c.name), taken);
  const columns = [...leading, ...firstNames, ...secondNames];
  const byOrdinal = new Map(sources.map((s) => [s.ordinal, s]));

  const hardened = hardenedOf(detection, params) !== null;
  const all = rows.map((row) => {
    const commands = (Array.isArray(row.ExecutedCommands) ? row.ExecutedCommands : []).map(String).sort(byCodeUnit);
    const account = String(row[meta.groupKey] ?? '');
    const bin = String(row.lh_bin);
    const record: OrderedRecord = leading.map((name): [string, JsonCell] => {
      if (name === binColumn) return [name, bin];
      if (name === 'ExecutedCommands') return [name, commands];
      return [name, row[name] ?? null];
    });
    const tuple = (cell: Cell | undefined) => {
      const t = (cell ?? {}) as Record<string, Cell>;
      const ext = Array.isArray(t.ext) ? t.ext : [];
      const extended = Object.fromEntries(meta.extendedColumns.map((c, i) => [c, ext[i] ?? null]));
      return tupleValues(star, byOrdinal.get(Number(t.src)), t.values ?? null, extended);
    };
    tuple(row.lh_last).forEach((v, i) => record.push([firstNames[i]!, v]));
    tuple(row.lh_first).forEach((v, i) => record.push([secondNames[i]!, v]));
    return {
      key: `${account}\u0000${bin}`,
      account,
      bin,
      binTicks: parseInstant(bin) ?? 0n,
      firstEvent: String(row.FirstEvent),
      lastEvent: String(row.LastEvent),
      total: Number(row.TotalEvents),
      counts: Object.fromEntries(COUNT_COLUMNS.map((c) => [c, Number(row[c])])),
      commands,
      record,
      suppressed: row.lh_suppressed === true,
      ...(hardened ? {
        reasons: (Array.isArray(row.lh_reasons) ? row.lh_reasons : []).map(String),
        newEvents: Number(row.lh_new_events ?? 0),
        noise: row.lh_noise === null || row.lh_noise === undefined ? null : String(row.lh_noise),
      } : {}),
    };
  });
  all.sort((a, b) => byCodeUnit(a.bin, b.bin) || byCodeUnit(a.account, b.account));
  const strip = ({ suppressed: _, ...alert }: Alert & { suppressed: boolean }): Alert => alert;
  const alerts = all.filter((a) => !a.suppressed && !a.noise).map(strip);
  const result: DetectionResult = {
    alerts,
    suppressed: all.filter((a) => a.suppressed && !a.noise).map(strip),
    noise: all.filter((a) => a.noise).map(strip),
    columns, binColumn, mixedVariants, sql, mode: hardened ? 'hardened' : 'exact',
  };
  if (hardened) result.hardened = await compareWithExact(engine, detection, params, result);
  return result;
}

/** What hardened mode adds to (and takes from) exact mode's result on the same rows and parameters. */
async function compareWithExact(engine: Engine, detection: Detection, params: RunParams, result: DetectionResult): Promise<HardenedSummary> {
  const exactParams: RunParams = { ...params, mode: 'exact' };
  const exactRows = await queryBound(engine, summarizeTemplate(detection, exactParams), exactParams);
  const exactKeys = new Set(exactRows.filter((r) => r.lh_suppressed !== true).map((r) => `${String(r[detection.meta.groupKey] ?? '')}\u0000${String(r.lh_bin)}`));
  for (const a of result.alerts) a.notInExact = !exactKeys.has(a.key);
  const hardenedKeys = new Set(result.alerts.map((a) => a.key));
  const [counts] = await queryBound(engine, stagesTemplate(detection, params, `SELECT
    (SELECT count(*) FROM counted WHERE len(lh_reasons) > 0) AS added,
    (SELECT count(*) FROM children) AS paired,
    (SELECT count(*) FROM counted_all WHERE lh_noise IS NOT NULL) AS noise`), params);
  return {
    addedAlerts: result.alerts.filter((a) => a.notInExact).length,
    removedAlerts: [...exactKeys].filter((k) => !hardenedKeys.has(k)).length,
    addedEvents: Number(counts?.added ?? 0),
    pairedChildren: Number(counts?.paired ?? 0),
    noiseEvents: Number(counts?.noise ?? 0),
  };
}

/** The columns of an event row, as grids and evidence exports show them. */
export const EVENT_COLUMNS = ['Timestamp', 'DeviceName', 'FileName', 'ProcessCommandLine', 'InitiatingProcessFileName',
  'InitiatingProcessCommandLine', 'AccountDomain', 'AccountName', 'AccountUpn'] as const;
export type EventRow = Record<string, string>;

const text = (v: Cell | undefined) => (v === null || v === undefined ? '' : String(v));

export function eventRows(rows: Row[], extra: readonly string[] = []): EventRow[] {
  return rows.map((r) => Object.fromEntries([...EVENT_COLUMNS, ...extra].map((c) => [c, text(r[c])])));
}

const EVENT_SELECT = `lh_fmt(lh_time) AS Timestamp, ${EVENT_COLUMNS.slice(1).join(', ')}`;

/** The rows one alert counted, in time order (then source order). */
export async function countedEvents(engine: Engine, detection: Detection, params: RunParams, alert: Alert, suppressed = false): Promise<EventRow[]> {
  const group = `${detection.meta.groupKey} = ${sqlString(alert.account)} AND (lh_time // {{bin}}) * {{bin}} = ${sqlInt(alert.binTicks)}`;
  if (hardenedOf(detection, params)) {
    // Hardened mode: the group's own rows (noise, suppressed or counted), with what exact mode would have missed.
    const which = alert.noise ? 'lh_noise IS NOT NULL' : `lh_noise IS NULL AND ${suppressed ? '' : 'NOT '}{{allowlisted}}`;
    const sql = withStages(detection, params, `SELECT ${EVENT_SELECT}, NetActionType, array_to_string(lh_reasons, '; ') AS ExactMisses
  FROM counted_all WHERE ${group} AND ${which} ORDER BY lh_time, lh_seq`);
    return eventRows(await engine.query(sql), ['NetActionType', 'ExactMisses']);
  }
  const stage = suppressed ? 'with_account' : 'counted';
  const sql = withStages(detection, params, `SELECT ${EVENT_SELECT}, NetActionType
  FROM ${stage} WHERE ${group} ORDER BY lh_time, lh_seq`);
  return eventRows(await engine.query(sql), ['NetActionType']);
}

export interface StageCount {
  name: string;
  label: string;
  rows: number;
}

/** Rows left after each operator, and the largest group, to say why nothing (or little) matched. */
export async function stageCounts(engine: Engine, detection: Detection, params: RunParams): Promise<{ stages: StageCount[]; largestGroup: number }> {
  const stages = stagesOf(detection, params);
  const select = stages.map((s) => `(SELECT count(*) FROM ${s.name}) AS ${s.name}`).join(', ');
  const [row] = await queryBound(engine, stagesTemplate(detection, params, `SELECT ${select}, (SELECT coalesce(max(n), 0) FROM
    (SELECT count(*) AS n FROM counted GROUP BY ${detection.meta.groupKey}, (lh_time // {{bin}}) * {{bin}})) AS lh_largest`), params);
  return {
    stages: stages.map((s) => ({ name: s.name, label: s.label, rows: Number(row?.[s.name] ?? 0) })),
    largestGroup: Number(row?.lh_largest ?? 0),
  };
}

export interface ChartData {
  /** Counted events per group (account and bin), for every group, not only those that alerted. */
  groups: { account: string; bin: string; count: number }[];
  /** Counted events per time slice and action type. */
  timeline: { time: string; action: string; count: number }[];
  sliceTicks: bigint;
}

const HOUR = 36_000_000_000n;

/** The data behind the charts: small aggregates over the counted rows, computed with each run. */
export async function chartData(engine: Engine, detection: Detection, params: RunParams, range: { min: bigint; max: bigint } | null): Promise<ChartData> {
  const key = detection.meta.groupKey;
  const groups = await queryBound(engine, stagesTemplate(detection, params, `SELECT ${key} AS account, lh_fmt((lh_time // {{bin}}) * {{bin}}) AS bin, count(*) AS n
    FROM counted GROUP BY ALL ORDER BY bin, account`), params);
  // About 200 slices across the window, whole hours at least.
  const span = range ? range.max - (range.min > params.cutoff ? range.min : params.cutoff) : 0n;
  const slice = span > 200n * HOUR ? ((span / 200n + HOUR - 1n) / HOUR) * HOUR : HOUR;
  const timeline = await queryBound(engine, stagesTemplate(detection, params, `SELECT lh_fmt((lh_time // {{slice}}) * {{slice}}) AS t,
    NetActionType AS action, count(*) AS n FROM counted GROUP BY ALL ORDER BY t, action`), params, { slice });
  return {
    groups: groups.map((r) => ({ account: String(r.account ?? ''), bin: String(r.bin), count: Number(r.n) })),
    timeline: timeline.map((r) => ({ time: String(r.t), action: String(r.action), count: Number(r.n) })),
    sliceTicks: slice,
  };
}
