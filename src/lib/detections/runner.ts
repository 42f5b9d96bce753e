import type { Cell, Engine, Row } from '../engine/engine';
import type { LoadedSource } from '../ingest/source';
import { sqlInt, sqlString, sqlStringList } from '../sql/quote';
import { starColumns, suffixedNames, tupleValues } from './output';
import type { Alert, Detection, DetectionResult, JsonCell, OrderedRecord, RunParams } from './types';
import { parseInstant } from '../time/ticks';

/** Code-unit order, the order JavaScript's `<` gives: exports and tests sort the same way. */
export const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function bindSql(template: string, params: RunParams): string {
  const values: Record<string, string> = {
    cutoff: sqlInt(params.cutoff),
    bin: sqlInt(params.binTicks),
    threshold: sqlInt(params.threshold),
    allowlist: sqlStringList(params.allowlist.map((a) => a.toLowerCase())),
  };
  return template.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const v = values[name];
    if (v === undefined) throw new Error(`unknown SQL parameter {{${name}}}`);
    return v;
  });
}

export function withStages(detection: Detection, params: RunParams, tail: string): string {
  return bindSql(`WITH ${detection.stagesSql.trim()}\n${tail}`, params);
}

export function summarizeQuery(detection: Detection, params: RunParams): string {
  return withStages(detection, params, detection.summarizeSql.trim());
}

const COUNT_COLUMNS = ['TotalEvents', 'TotalAccountsEvents', 'TotalGroupEvents', 'TotalLocalGroupEvents', 'TotalUserEvents'];

export async function runDetection(engine: Engine, detection: Detection, params: RunParams, sources: readonly LoadedSource[]): Promise<DetectionResult> {
  const sql = summarizeQuery(detection, params);
  const rows = await engine.query(sql);
  const variants = new Set(sources.map((s) => s.variant));
  const mixedVariants = variants.size > 1;
  const binColumn = !mixedVariants && variants.has('sentinel') ? 'TimeGenerated' : 'Timestamp';
  const { meta } = detection;
  const star = starColumns(sources, meta.groupKey, meta.extendedColumns);
  const leading = meta.output.map((c) => (c === '$bin' ? binColumn : c));
  const firstNames = star.map((c) => c.name);
  const secondNames = suffixedNames(firstNames, new Set([...leading, ...firstNames]));
  const columns = [...leading, ...firstNames, ...secondNames];
  const byOrdinal = new Map(sources.map((s) => [s.ordinal, s]));

  const alerts: Alert[] = rows.map((row) => {
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
    };
  });
  alerts.sort((a, b) => byCodeUnit(a.bin, b.bin) || byCodeUnit(a.account, b.account));
  return { alerts, columns, binColumn, mixedVariants, sql };
}

export interface CountedEvent {
  time: string;
  device: string;
  fileName: string;
  commandLine: string;
  parentFileName: string;
  parentCommandLine: string;
  action: string;
}

/** The rows one alert counted, in time order (then source order). */
export async function countedEvents(engine: Engine, detection: Detection, params: RunParams, alert: Alert): Promise<CountedEvent[]> {
  const sql = withStages(detection, params, `SELECT lh_fmt(lh_time) AS t, DeviceName, FileName, ProcessCommandLine,
    InitiatingProcessFileName, InitiatingProcessCommandLine, NetActionType
  FROM counted WHERE ${detection.meta.groupKey} = ${sqlString(alert.account)} AND (lh_time // {{bin}}) * {{bin}} = ${sqlInt(alert.binTicks)}
  ORDER BY lh_time, lh_seq`);
  const text = (v: Cell | undefined) => (v === null || v === undefined ? '' : String(v));
  return (await engine.query(sql)).map((r: Row) => ({
    time: text(r.t), device: text(r.DeviceName), fileName: text(r.FileName), commandLine: text(r.ProcessCommandLine),
    parentFileName: text(r.InitiatingProcessFileName), parentCommandLine: text(r.InitiatingProcessCommandLine), action: text(r.NetActionType),
  }));
}

export interface StageCount {
  name: string;
  label: string;
  rows: number;
}

/** Rows left after each operator, and the largest group, to say why nothing (or little) matched. */
export async function stageCounts(engine: Engine, detection: Detection, params: RunParams): Promise<{ stages: StageCount[]; largestGroup: number }> {
  const stages = detection.meta.stages;
  const select = stages.map((s) => `(SELECT count(*) FROM ${s.name}) AS ${s.name}`).join(', ');
  const sql = withStages(detection, params, `SELECT ${select}, (SELECT coalesce(max(n), 0) FROM
    (SELECT count(*) AS n FROM counted GROUP BY ${detection.meta.groupKey}, (lh_time // {{bin}}) * {{bin}})) AS lh_largest`);
  const [row] = await engine.query(sql);
  return {
    stages: stages.map((s) => ({ name: s.name, label: s.label, rows: Number(row?.[s.name] ?? 0) })),
    largestGroup: Number(row?.lh_largest ?? 0),
  };
}
