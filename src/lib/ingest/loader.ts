import type { Engine, Row } from '../engine/engine';
import { sqlIdent, sqlString } from '../sql/quote';
import { recogniseProcessTable, stripUtcSuffix, type TableShape } from './schema';
import { sniff, type TextEncoding } from './sniff';
import { readJsonDocument, readJsonLines, cellText, RECORDS_PER_POSITION, type JsonItem, type JsonMeta } from './json-reader';
import { canonicalSelect, col, eventsViewSql, materialiseSql, scanStatements, SCAN_STATS_SQL, ticksSql, type TimeStyle } from './scan-sql';
import { acceptedToDataRow, addScanRow, decideDayOrder, emptySummary, type ScanSummary } from './scan-stats';
import type { DayOrder, FailedSource, LoadedSource, RejectGroup, SkipGroup, SourceFormat } from './source';

/**
 * Reads one file into the engine: recognise it, scan it once for its statistics and candidate rows, then keep only
 * the candidates (with exact times) for the detections. Loads must run one at a time (they share scratch tables).
 */
export interface LoadContext {
  engine: Engine;
  /** The detections' candidate filter over canonical column names (a generous superset of what they count). */
  prefilter: string;
  onProgress?: (text: string) => void;
}

export interface LoadRequest {
  file: Blob;
  name: string;
  id: number;
  ordinal: number;
  displayOffsetMinutes?: number;
}

/** Source-internal state kept for later re-materialisation (day order flips, display zone). */
interface SourceInternals {
  summary: ScanSummary;
  localeColumns: number[];
  styles: Map<number, TimeStyle>;
  /** Rejects found while reading (CSV structure, invalid JSON), before the time column is judged. */
  structural: RejectGroup[];
  /** Where the scan's record number n is in the file (data row or line), for messages. */
  position: (record: number) => number;
  unit: RejectGroup['unit'];
  /** How to read the whole source again (for queries beyond the candidates, such as "around this alert"). */
  reread: Reread;
}

/** A CSV is read again from its registered file; JSON from the File (it is not kept in the engine). */
export type Reread =
  | { kind: 'csv'; relation: string }
  | { kind: 'json'; file: Blob; format: 'document' | 'lines'; encoding: TextEncoding; columns: string[] };
/**
 * Keyed by source id, not by object: the UI keeps sources in reactive state, which hands back proxies, and a
 * re-interpreted source is a new object for the same file.
 */
const byId = new Map<number, SourceInternals>();
const internals = {
  get: (s: LoadedSource) => byId.get(s.id),
  set: (s: LoadedSource, v: SourceInternals) => void byId.set(s.id, v),
  delete: (s: LoadedSource) => void byId.delete(s.id),
};

const JSON_BATCH_ROWS = 20_000;
const LOCALE_SAMPLE = /^\s*\d{1,2}[./-]\d{1,2}[./-]\d{4}/;
const DISPLAY_SAMPLE = /^\s*[A-Za-z]{3}[A-Za-z]*\.? \d{1,2}, \d{4}/;

export async function loadSource(ctx: LoadContext, req: LoadRequest): Promise<LoadedSource | FailedSource> {
  const fail = (problem: string): FailedSource => ({ status: 'failed', id: req.id, name: req.name, size: req.file.size, problem });
  try {
    const sniffed = await sniff(req.file);
    switch (sniffed.kind) {
      case 'unsupported': return fail(sniffed.problem);
      case 'csv': return await loadCsv(ctx, req, sniffed.header, sniffed.delimiter, sniffed.sample, sniffed.encoding);
      case 'json-document': {
        const { meta, items } = await readJsonDocument(req.file, sniffed.encoding);
        return await loadJson(ctx, req, meta, batchesOf(items), { format: 'document', encoding: sniffed.encoding });
      }
      case 'json-lines': {
        const meta: JsonMeta = { format: 'JSON lines' };
        return await loadJson(ctx, req, meta, (async function* () {
          for await (const batch of readJsonLines(req.file, JSON_BATCH_ROWS, sniffed.encoding)) {
            if (batch.streaming) meta.format = 'Defender streaming API JSON';
            ctx.onProgress?.(`read ${(batch.bytesRead / 1e6).toFixed(1)} of ${(req.file.size / 1e6).toFixed(1)} MB`);
            yield batch.items;
          }
        })(), { format: 'lines', encoding: sniffed.encoding });
      }
    }
  } catch (e) {
    return fail((e as Error).message ?? String(e));
  }
}

/** Kusto renames a repeated column `Name1`, `Name2`, ...; an empty header gets a placeholder. */
function uniqueNames(names: string[]): string[] {
  const seen = new Set<string>();
  return names.map((raw, i) => {
    const base = raw.trim() === '' ? `Column${i + 1}` : raw;
    let name = base;
    for (let k = 1; seen.has(stripUtcSuffix(name).name); k++) name = `${base}${k}`;
    seen.add(stripUtcSuffix(name).name);
    return name;
  });
}

const ISO_SAMPLE = /^\s*\d{4}-\d{1,2}-\d{1,2}/;

/** The style of each datetime column, judged from its first non-empty sampled value. */
function sampleStyles(shape: TableShape, sampleValue: (i: number) => string | undefined) {
  const styles = new Map<number, TimeStyle>();
  shape.columns.forEach((c, i) => {
    if (c.type !== 'datetime') return;
    const v = sampleValue(i);
    styles.set(i, v === undefined ? 'any' : ISO_SAMPLE.test(v) ? 'iso' : DISPLAY_SAMPLE.test(v) ? 'display' : LOCALE_SAMPLE.test(v) ? 'locale' : 'any');
  });
  const locale = [...styles].filter(([, s]) => s === 'locale' || s === 'any').map(([i]) => i);
  const display = [...styles.values()].includes('display');
  return { styles, locale, display };
}

const CSV_ERRORS: Record<string, string> = {
  'MISSING COLUMNS': 'fewer fields than the header',
  'TOO MANY COLUMNS': 'more fields than the header',
  'UNQUOTED VALUE': 'a quote inside an unquoted field',
  'UNTERMINATED QUOTES': 'a quoted field that never ends',
  'LINE SIZE OVER MAXIMUM': 'a row longer than 16 MB',
  'INVALID UNICODE': 'text that is not valid UTF-8',
  'INVALID ENCODING': 'text that is not valid UTF-8',
};

async function loadCsv(ctx: LoadContext, req: LoadRequest, rawHeader: string[], delimiter: string, sample: string[][], encoding: TextEncoding) {
  const header = uniqueNames(rawHeader);
  const recognised = recogniseProcessTable(header);
  if (!recognised.ok) return { status: 'failed', id: req.id, name: req.name, size: req.file.size, problem: recognised.problem } as FailedSource;
  const shape = recognised.shape;
  const engineFile = `lh-src-${req.id}-${crypto.randomUUID()}.csv`;
  await ctx.engine.registerFile(engineFile, req.file);
  const rejectsTable = `lh_rejects_${req.id}`;
  const columns = header.map((_, i) => `${sqlString(col(i))}: 'VARCHAR'`).join(', ');
  const relation = `read_csv(${sqlString(engineFile)}, encoding = ${encoding === 'utf-16le' ? "'utf-16'" : "'utf-8'"}, header = true, auto_detect = false, delim = ${sqlString(delimiter)},
    quote = '"', escape = '"', columns = {${columns}}, max_line_size = 16777216,
    store_rejects = true, rejects_table = ${sqlString(rejectsTable)}, rejects_scan = ${sqlString(`${rejectsTable}_scan`)})`;
  const firstValue = (i: number) => sample.map((r) => r[i]).find((v) => v !== undefined && v.trim() !== '' && v !== 'Invalid date');
  const { styles, locale, display } = sampleStyles(shape, firstValue);
  const candidateTable = `lh_cand_${req.id}`;
  const summary = emptySummary();
  ctx.onProgress?.('reading');
  const offset = req.displayOffsetMinutes ?? 0;
  try {
    for (const sql of scanStatements({
      relation, recordExpr: 'row_number() OVER ()', shape, mainLocale: locale.includes(shape.timeIndex), localeColumns: locale,
      displayOffsetMinutes: offset, timeStyle: (i) => styles.get(i) ?? 'any', prefilter: ctx.prefilter, candidateTable, createCandidates: true,
    })) await ctx.engine.exec(sql);
  } catch (e) {
    await ctx.engine.dropFile(engineFile).catch(() => {});
    throw new Error(`could not be read as CSV: ${(e as Error).message}`);
  }
  const [stats] = await ctx.engine.query(SCAN_STATS_SQL);
  if (stats) addScanRow(summary, stats, locale);
  const rejects = await ctx.engine.query(`SELECT line::BIGINT AS line, error_type::VARCHAR AS error_type, error_message FROM ${rejectsTable} ORDER BY line`).catch(() => []);
  await ctx.engine.exec(`DROP TABLE IF EXISTS ${rejectsTable}`);
  await ctx.engine.exec(`DROP TABLE IF EXISTS ${rejectsTable}_scan`);
  // DuckDB writes one reject per offending column; a row counts once. Its `line` numbers records (header = 1).
  const byRow = new Map<number, string>();
  for (const r of rejects) {
    const row = Number(r.line) - 1;
    // DuckDB files an unterminated quote under UNQUOTED VALUE too; its message tells them apart.
    const type = /unterminated quote/i.test(String(r.error_message)) ? 'UNTERMINATED QUOTES' : String(r.error_type);
    if (!byRow.has(row)) byRow.set(row, CSV_ERRORS[type] ?? String(r.error_message));
  }
  const rejectedRows = [...byRow.keys()].sort((a, b) => a - b);
  const rejected = groupRejects(rejectedRows.map((row) => ({ reason: byRow.get(row)!, position: row })), 'data row');
  const format: SourceFormat = rawHeader.some((h) => stripUtcSuffix(h).utc) ? 'Sentinel / Log Analytics CSV' : 'Defender Advanced Hunting CSV';
  return finish(ctx, req, {
    format, shape, summary, localeColumns: locale, styles, hasDisplayTimes: display, structuralRejects: rejected, skipped: [],
    rowsRead: summary.rows + rejectedRows.length, engineFile, candidateTable,
    badTimePosition: (rec) => acceptedToDataRow(rec, rejectedRows), unit: 'data row',
    reread: { kind: 'csv', relation: relation.replace(/store_rejects = true.*\)$/s, 'ignore_errors = true)') },
  });
}

async function loadJson(ctx: LoadContext, req: LoadRequest, meta: JsonMeta, batches: AsyncIterable<JsonItem[]>,
  reread: { format: 'document' | 'lines'; encoding: TextEncoding }) {
  const names: string[] = (meta.schema ?? []).map((s) => s.name);
  const index = new Map(names.map((n, i) => [n, i]));
  const schemaTypes = () => names.map((n) => meta.schema?.find((s) => s.name === n)?.type);
  let shape: TableShape | null = null;
  let locale: number[] = [];
  let styles = new Map<number, TimeStyle>();
  let display = false;
  const summary = emptySummary();
  const candidateTable = `lh_cand_${req.id}`;
  const itemRejects: { reason: string; position: number }[] = [];
  const skips = new Map<string, number>();
  let items = 0;
  let candidateColumns = 0;
  for await (const batch of batches) {
    const rows: { record: number; row: Record<string, unknown> }[] = [];
    for (const item of batch) {
      items++;
      if (item.reject) itemRejects.push({ reason: item.reject, position: item.position });
      else if (item.skip) skips.set(item.skip, (skips.get(item.skip) ?? 0) + 1);
      else if (item.row) {
        rows.push({ record: item.record, row: item.row });
        for (const k of Object.keys(item.row)) if (!index.has(k)) { index.set(k, names.length); names.push(k); }
      }
    }
    if (rows.length === 0) continue;
    const recognised = recogniseProcessTable(names, schemaTypes());
    if (!recognised.ok) {
      if (shape === null) throw new Error(recognised.problem);
    } else {
      shape = recognised.shape;
    }
    const current = shape!;
    if (candidateColumns === 0) {
      const firstValue = (i: number) => rows.map((r) => cellText(r.row[names[i]!])).find((v) => v !== null && v.trim() !== '') ?? undefined;
      ({ styles, locale, display } = sampleStyles(current, firstValue));
    }
    const values: (string | null)[][] = names.map((n) => rows.map((r) => cellText(r.row[n])));
    values.push(rows.map((r) => String(r.record)));
    await ctx.engine.exec('DROP TABLE IF EXISTS lh_stage');
    await ctx.engine.insertStrings('lh_stage', [...names.map((_, i) => col(i)), 'lh_line'], values, true);
    if (candidateColumns > 0 && names.length > candidateColumns) {
      for (let i = candidateColumns; i < names.length; i++) await ctx.engine.exec(`ALTER TABLE ${candidateTable} ADD COLUMN ${col(i)} VARCHAR`);
    }
    for (const sql of scanStatements({
      relation: 'lh_stage', recordExpr: 'lh_line::BIGINT', shape: current, mainLocale: locale.includes(current.timeIndex), localeColumns: locale,
      timeStyle: (i) => styles.get(i) ?? 'any',
      displayOffsetMinutes: req.displayOffsetMinutes ?? 0, prefilter: ctx.prefilter, candidateTable, createCandidates: candidateColumns === 0,
    })) await ctx.engine.exec(sql);
    candidateColumns = names.length;
    const [stats] = await ctx.engine.query(SCAN_STATS_SQL);
    if (stats) addScanRow(summary, stats, locale);
  }
  await ctx.engine.exec('DROP TABLE IF EXISTS lh_stage');
  if (shape === null) {
    if (items === 0) throw new Error('the JSON holds no rows');
    if (skips.size > 0 && itemRejects.length === 0) {
      throw new Error(`holds no DeviceProcessEvents records (only ${[...skips.keys()].slice(0, 3).join(', ')})`);
    }
    throw new Error(`holds no row objects (${itemRejects[0]?.reason ?? 'nothing readable'})`);
  }
  const unit = meta.format === 'JSON lines' || meta.format === 'Defender streaming API JSON' ? 'line' : 'item';
  return finish(ctx, req, {
    format: meta.format, shape, summary, localeColumns: locale, styles, hasDisplayTimes: display,
    structuralRejects: groupRejects(itemRejects, unit), skipped: [...skips].map(([reason, count]) => ({ reason, count })),
    rowsRead: items, engineFile: null, candidateTable, badTimePosition: (rec) => Math.floor(rec / RECORDS_PER_POSITION), unit,
    reread: { kind: 'json', file: req.file, format: reread.format, encoding: reread.encoding, columns: [...names] },
  });
}

function groupRejects(list: { reason: string; position: number }[], unit: RejectGroup['unit']): RejectGroup[] {
  const groups = new Map<string, RejectGroup>();
  for (const r of list) {
    const g = groups.get(r.reason) ?? { reason: r.reason, count: 0, first: [], unit };
    g.count++;
    if (g.first.length < 5) g.first.push(r.position);
    groups.set(r.reason, g);
  }
  return [...groups.values()];
}

interface Finish {
  format: SourceFormat;
  shape: TableShape;
  summary: ScanSummary;
  localeColumns: number[];
  styles: Map<number, TimeStyle>;
  hasDisplayTimes: boolean;
  structuralRejects: RejectGroup[];
  skipped: SkipGroup[];
  rowsRead: number;
  engineFile: string | null;
  candidateTable: string;
  badTimePosition: (record: number) => number;
  unit: RejectGroup['unit'];
  reread: Reread;
}

async function* batchesOf(items: JsonItem[]): AsyncGenerator<JsonItem[]> {
  for (let i = 0; i < items.length; i += JSON_BATCH_ROWS) yield items.slice(i, i + JSON_BATCH_ROWS);
}

async function finish(ctx: LoadContext, req: LoadRequest, f: Finish): Promise<LoadedSource> {
  // A column judged `any` from an empty sample needs a day order only if the scan met locale-style values in it.
  const localeColumns = f.localeColumns.filter((i) => f.styles.get(i) === 'locale' || (f.summary.locale.get(i)?.f1 ?? 0) > 0);
  const dayOrders: DayOrder[] = localeColumns.map((i) =>
    decideDayOrder(f.shape.columns[i]!.name, f.summary.locale.get(i) ?? { f1: 0, f2: 0, ampm: false }));
  const source: LoadedSource = {
    status: 'ready', id: req.id, ordinal: req.ordinal, name: req.name, size: req.file.size, format: f.format,
    variant: f.shape.variant, shape: f.shape, rowsRead: f.rowsRead, rejected: [], skipped: f.skipped,
    minTime: null, maxTime: null, netRows: f.summary.netRows, upnNonEmpty: f.summary.upnRows,
    displayOffsetMinutes: req.displayOffsetMinutes ?? 0, hasDisplayTimes: f.hasDisplayTimes, dayOrders, notes: [],
    engineFile: f.engineFile, reread: f.reread.kind, candidateTable: f.candidateTable, eventsTable: `lh_ev_${req.id}`,
  };
  internals.set(source, {
    summary: f.summary, localeColumns: f.localeColumns, styles: f.styles, structural: f.structuralRejects, position: f.badTimePosition, unit: f.unit,
    reread: f.reread,
  });
  applyTimeStats(source);
  source.notes = notesFor(source);
  await materialise(ctx.engine, source);
  return source;
}

function mainDayFirst(source: LoadedSource): boolean {
  const name = source.shape.columns[source.shape.timeIndex]!.name;
  return source.dayOrders.find((d) => d.column === name)?.dayFirst ?? true;
}

/** Time range and time rejects follow the main column's day order, which the user may flip. */
function applyTimeStats(source: LoadedSource) {
  const { summary, structural, position, unit } = internals.get(source)!;
  const main = mainDayFirst(source) ? summary.dayFirst : summary.monthFirst;
  source.minTime = main.min;
  source.maxTime = main.max;
  const timeName = source.shape.columns[source.shape.timeIndex]!.name;
  const bad: RejectGroup[] = main.bad > 0 ? [{
    reason: `unreadable ${timeName} value${summary.badExample ? ` (e.g. "${summary.badExample.slice(0, 60)}")` : ''}`,
    count: main.bad, first: main.firstBad.map(position), unit,
  }] : [];
  source.rejected = [...structural, ...bad];
}

function notesFor(s: LoadedSource): string[] {
  const notes: string[] = [];
  if (s.rowsRead === 0) notes.push('The file has a header but no data rows.');
  // Advanced Hunting returns at most 30,000 rows in the portal and 100,000 through the API.
  if (s.rowsRead === 30_000 || s.rowsRead === 100_000) {
    notes.push(`Exactly ${s.rowsRead.toLocaleString('en-US')} rows: the ${s.rowsRead === 30_000 ? 'Defender portal' : 'hunting API'} stops there, so this export was probably truncated. Export shorter time ranges.`);
  }
  const timeName = s.shape.columns[s.shape.timeIndex]!.name;
  notes.push(s.variant === 'sentinel'
    ? `Sentinel variant: the detection reads ${timeName}.`
    : `Defender variant: the detection reads ${timeName}.`);
  if (s.shape.upnDerived) {
    notes.push(s.shape.canonical.AccountDomain === undefined
      ? 'No AccountUpn column (Kusto would reject the query): accounts are keyed by AccountName.'
      : 'No AccountUpn column (Kusto would reject the query): accounts are keyed by AccountDomain\\AccountName.');
  } else if (s.rowsRead > 0 && s.upnNonEmpty === 0) {
    notes.push('AccountUpn is empty on every row: exact mode (Kusto\'s isnotempty(AccountUpn)) drops all of this file\'s rows, so it cannot raise an alert.');
  }
  if (s.hasDisplayTimes) {
    notes.push('Times are in the portal\'s display style, which has no zone: they are read as shown in the zone chosen below (UTC unless you change it).');
  }
  for (const d of s.dayOrders) {
    if (d.basis === 'default') notes.push(`${d.column}: no value tells day-first from month-first; read as day/month. Flip it if the export was month-first.`);
    if (d.basis === 'am-pm') notes.push(`${d.column}: no value tells day-first from month-first; read as month/day because times use AM/PM. Flip it if wrong.`);
    if (d.basis === 'conflict') notes.push(`${d.column}: values contradict each other (both fields exceed 12 somewhere); read as day/month, rows that do not fit are rejected.`);
  }
  return notes;
}

export async function materialise(engine: Engine, source: LoadedSource): Promise<void> {
  const byName = new Map(source.dayOrders.map((d) => [d.column, d.dayFirst]));
  await engine.exec(materialiseSql({
    shape: source.shape, ordinal: source.ordinal, candidateTable: source.candidateTable, eventsTable: source.eventsTable,
    displayOffsetMinutes: source.displayOffsetMinutes, dayFirst: (i) => byName.get(source.shape.columns[i]!.name) ?? true,
    timeStyle: (i) => internals.get(source)?.styles.get(i) ?? 'any',
  }));
}

/** Re-read a source's candidates after the user flipped a day order or set the zone its display times were shown in. */
export async function reinterpret(engine: Engine, source: LoadedSource, change: { dayOrder?: { column: string; dayFirst: boolean }; displayOffsetMinutes?: number }): Promise<LoadedSource> {
  const next: LoadedSource = { ...source, dayOrders: source.dayOrders.map((d) => ({ ...d })) };
  internals.set(next, internals.get(source)!);
  if (change.dayOrder) {
    const d = next.dayOrders.find((o) => o.column === change.dayOrder!.column);
    if (d) { d.dayFirst = change.dayOrder.dayFirst; d.basis = d.basis === 'values' ? 'values' : 'default'; }
  }
  applyTimeStats(next);
  if (change.displayOffsetMinutes !== undefined) {
    // Display-style values move by the change of zone; the scan's min/max are shifted the same way.
    const delta = BigInt(change.displayOffsetMinutes - source.displayOffsetMinutes) * 600_000_000n;
    next.displayOffsetMinutes = change.displayOffsetMinutes;
    if (next.hasDisplayTimes) {
      next.minTime = next.minTime === null ? null : next.minTime - delta;
      next.maxTime = next.maxTime === null ? null : next.maxTime - delta;
      const s = internals.get(next)!.summary;
      for (const m of [s.dayFirst, s.monthFirst]) {
        m.min = m.min === null ? null : m.min - delta;
        m.max = m.max === null ? null : m.max - delta;
      }
    }
  }
  next.notes = notesFor(next);
  await materialise(engine, next);
  return next;
}

/**
 * Run `select` (over canonical columns plus lh_time) against every row of a source, not only its candidates.
 * `select` is SQL with the placeholder {{rows}} for the relation to read from.
 */
export async function queryWholeSource(engine: Engine, source: LoadedSource, select: (rows: string) => string): Promise<Row[]> {
  const inner = internals.get(source)!;
  const byName = new Map(source.dayOrders.map((d) => [d.column, d.dayFirst]));
  const t = source.shape.timeIndex;
  const time = ticksSql(col(t), inner.styles.get(t) ?? 'any', byName.get(source.shape.columns[t]!.name) ?? true, source.displayOffsetMinutes);
  const canonical = (relation: string) => `(SELECT ${canonicalSelect(source.shape).join(', ')}, ${time} AS lh_time FROM ${relation})`;
  const reread = inner.reread;
  if (reread.kind === 'csv') return engine.query(select(canonical(reread.relation)));
  const out: Row[] = [];
  const batches = reread.format === 'document'
    ? batchesOf((await readJsonDocument(reread.file, reread.encoding)).items)
    : (async function* () { for await (const b of readJsonLines(reread.file, JSON_BATCH_ROWS, reread.encoding)) yield b.items; })();
  for await (const batch of batches) {
    const rows = batch.filter((i) => i.row).map((i) => i.row!);
    if (rows.length === 0) continue;
    await engine.exec('DROP TABLE IF EXISTS lh_reread');
    await engine.insertStrings('lh_reread', reread.columns.map((_, i) => col(i)), reread.columns.map((n) => rows.map((r) => cellText(r[n]))), true);
    out.push(...(await engine.query(select(canonical('lh_reread')))));
  }
  await engine.exec('DROP TABLE IF EXISTS lh_reread');
  return out;
}

/** A view over a CSV source's whole file, with its own column names (for the SQL console); null for JSON sources. */
export function sourceViewSql(source: LoadedSource, view: string): string | null {
  const reread = internals.get(source)?.reread;
  if (reread?.kind !== 'csv') return null;
  // A header may hold NUL, which no SQL identifier can: it is shown as U+FFFD in the view.
  const columns = source.shape.columns.map((c, i) => `${col(i)} AS ${sqlIdent(c.name.replaceAll('\0', '\uFFFD'))}`).join(', ');
  return `CREATE OR REPLACE VIEW ${sqlIdent(view)} AS SELECT ${columns} FROM ${reread.relation}`;
}

export async function unloadSource(engine: Engine, source: LoadedSource): Promise<void> {
  internals.delete(source);
  await engine.exec(`DROP TABLE IF EXISTS ${source.eventsTable}`);
  await engine.exec(`DROP TABLE IF EXISTS ${source.candidateTable}`);
  if (source.engineFile) await engine.dropFile(source.engineFile);
}

export async function refreshEventsView(engine: Engine, sources: readonly LoadedSource[]): Promise<void> {
  await engine.exec(eventsViewSql(sources.map((s) => s.eventsTable)));
}

