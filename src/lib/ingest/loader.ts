import type { Engine, Row } from '../engine/engine';
import { sqlIdent, sqlInt, sqlString } from '../sql/quote';
import { csvChunks, firstRecordEnd, type CsvChunk } from './csv-chunks';
import { ChunkBuffers } from './chunk-buffers';
import { inLanes } from './lanes';
import { yieldToPage } from './yield';
import { headerSignature, recogniseProcessTable, shapeFromMapping, stripUtcSuffix, type CanonicalColumn, type ColumnMapping, type Recognition, type TableShape } from './schema';
import { sniff, type TextEncoding } from './sniff';
import { readJsonDocument, readJsonLines, cellText, RECORDS_PER_POSITION, type JsonItem } from './json-reader';
import { canonicalSelect, col, eventsViewSql, fieldSql, materialiseSql, quickTimesApply, rowFilterSql, scanStatements, SCAN_STATS_PACKED_SQL, SCAN_STATS_SQL, SCAN_TABLE, ticksSql, WHOLE_TABLE, wholeRowsSql, type TimeStyle } from './scan-sql';
import { copyRecords, type RecordIndex } from './record-index';
import { screenChunk, screenPlan, type ScreenPlan } from './chunk-screen';
import { acceptedToDataRow, addScanRow, decideDayOrder, emptySummary, type ScanSummary } from './scan-stats';
import type { DayOrder, FailedSource, LoadedSource, Mappable, RejectGroup, RemovedEvents, SkipGroup, SourceFormat } from './source';
import { classifyEvent, type EventContainer, type ProcessEventKind } from './windows-events';
import { readWindowsEventXml } from './windows-xml';
import { zipIsWorkbook } from './containers';
import { readEvtx } from './evtx-reader';
import type { EvtxReader } from './evtx-in-worker';
import { createKeysTableSql, droppedSql, eventKeysSql, keysTableName, REMOVED_COUNTS_SQL, windowsKeysInsertSql } from './merge';

/**
 * Reads one file into the engine: recognise it, scan it once for its statistics and candidate rows, then keep only
 * the candidates (with exact times) for the detections. Loads must run one at a time (they share scratch tables).
 */
export interface LoadContext {
  engine: Engine;
  /** The detections' candidate filter over canonical column names (a generous superset of what they count). */
  prefilter: string;
  onProgress?: (text: string, bytes?: { done: number; total: number }) => void;
  /** A mapping the user made earlier for a header with this signature, if any. */
  rememberedMapping?: (signature: string) => ColumnMapping | undefined;
  /** Stops the load between chunks or batches (the load then throws an AbortError). */
  signal?: AbortSignal;
  /** CSV chunk size; tests make it small to cut files in many places. */
  chunkBytes?: number;
  /** Candidate rows per piece moved into the source's table after a chunked scan; tests make it small. */
  handoverRows?: number;
  /** Reads .evtx files (the page's runs in a worker); without it they are read on this thread. */
  evtxReader?: EvtxReader;
  /** The detections' prefilter hint (registry.ts): rows that cannot be candidates are read narrow. */
  prefilterHint?: { columns: string[]; literals: string[] } | null;
  /** Starts a second engine that scans a large CSV's chunks beside `engine` (closed once every chunk is read). */
  startScanEngine?: () => Promise<Engine>;
  /** Every chunk of a large CSV is scanned by an engine, none screened on the page (tests of the engines' path). */
  engineScansEveryChunk?: boolean;
}

export interface LoadRequest {
  file: Blob;
  name: string;
  id: number;
  ordinal: number;
  displayOffsetMinutes?: number;
  /** Read the table with these columns (the mapping form's answer). */
  mapping?: ColumnMapping;
  /** A workbook's sheet to read instead of the first. */
  sheet?: string;
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
  /** Its keys table holds every row (mapped Windows events), not only the candidates. */
  keysFromAllRows: boolean;
  events: EventMix | null;
  remembered: boolean;
  readerNotes: string[];
}

/** A CSV is read again from its registered file; other formats from the File (they are not kept in the engine). */
export type Reread =
  | { kind: 'csv'; relation: string }
  | { kind: 'rows'; open: OpenRows; columns: string[] };

/** A batch of row objects from any reader other than CSV (JSON, XML, workbooks, Parquet). */
export interface RowBatch {
  items: JsonItem[];
  bytesRead: number;
  streaming?: boolean;
  sheet?: string;
  sheets?: string[];
  /** Damage a reader stepped over (an .evtx chunk skipped) and what it noticed (a file not closed cleanly). */
  problems?: { problem: string }[];
  notes?: string[];
}
export type OpenRows = () => AsyncIterable<RowBatch>;

/** A table whose columns are not recognised: the UI offers the mapping form for it. */
class UnrecognisedColumns extends Error {
  constructor(problem: string, readonly mappable: Mappable, readonly sheets?: string[], readonly sheet?: string) { super(problem); }
}
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

/** Only these event IDs are rendered whole from an .evtx file; the others are counted as skipped. */
const PROCESS_EVENT_IDS: ReadonlySet<string> = new Set(['1', '4688']);
/** An .evtx record is large in memory (several KB): smaller batches keep the page's memory low. */
const EVTX_BATCH = 2_000;
/** Rows per batch handed to the engine: small enough that building one batch never blocks the page for long. */
const ROW_BATCH = 5_000;
const LOCALE_SAMPLE = /^\s*\d{1,2}[./-]\d{1,2}[./-]\d{4}/;
const DISPLAY_SAMPLE = /^\s*[A-Za-z]{3}[A-Za-z]*\.? \d{1,2}, \d{4}/;

export async function loadSource(ctx: LoadContext, req: LoadRequest): Promise<LoadedSource | FailedSource> {
  const fail = (problem: string, extra: Partial<FailedSource> = {}): FailedSource =>
    ({ status: 'failed', id: req.id, name: req.name, size: req.file.size, problem, ...extra });
  try {
    const sniffed = await sniff(req.file);
    const started = Date.now();
    const progress = (bytes: number) => ctx.onProgress?.(progressText(bytes, req.file.size, Date.now() - started), { done: bytes, total: req.file.size });
    switch (sniffed.kind) {
      case 'unsupported': return fail(sniffed.problem);
      case 'gzip': return fail('a gzip-compressed file: drop it into the page, which unpacks it');
      case 'csv': return await loadCsv(ctx, req, sniffed.header, sniffed.delimiter, sniffed.sample, sniffed.encoding);
      case 'json-document': {
        // The load uses the document parsed here; only a later re-read ("around this alert") parses it again.
        let parsed: Awaited<ReturnType<typeof readJsonDocument>> | null = await readJsonDocument(req.file, sniffed.encoding);
        const { meta } = parsed;
        const open: OpenRows = async function* () {
          const { items } = parsed ?? (await readJsonDocument(req.file, sniffed.encoding));
          parsed = null;
          for (let i = 0; i < items.length; i += ROW_BATCH) yield { items: items.slice(i, i + ROW_BATCH), bytesRead: req.file.size };
        };
        return await loadRows(ctx, req, { label: meta.format, schema: meta.schema, unit: meta.format === 'JSON lines' ? 'line' : 'item', open });
      }
      case 'json-lines': {
        const open: OpenRows = () => readJsonLines(req.file, ROW_BATCH, sniffed.encoding);
        return await loadRows(ctx, req, { label: 'JSON lines', unit: 'line', open, progress });
      }
      case 'xml': {
        const open: OpenRows = () => readWindowsEventXml(req.file, { batchRows: ROW_BATCH, encoding: sniffed.encoding });
        return await loadRows(ctx, req, { label: 'Windows event XML', unit: 'line', open, progress });
      }
      case 'parquet': {
        // Loaded on first use: the Parquet codecs (brotli's dictionary, snappy's wasm) are most of the reader's weight.
        const { readParquet } = await import('./parquet-reader');
        const open: OpenRows = () => readParquet(req.file, { batchRows: ROW_BATCH });
        return await loadRows(ctx, req, { label: 'Parquet', unit: 'data row', open, progress });
      }
      case 'evtx': {
        const reader: EvtxReader = ctx.evtxReader ?? ((file, opts) => readEvtx(file, opts));
        const open: OpenRows = () => reader(req.file, { batchRows: EVTX_BATCH, eventIds: PROCESS_EVENT_IDS, signal: ctx.signal });
        return await loadRows(ctx, req, { label: 'Windows event log (.evtx)', unit: 'record', open, progress });
      }
      case 'zip': {
        if (!(await zipIsWorkbook(req.file))) return fail('a zip archive: drop it into the page, which unpacks it and loads each file in it');
        const { readXlsx } = await import('./xlsx-reader');
        const open: OpenRows = () => readXlsx(req.file, { sheet: req.sheet, batchRows: ROW_BATCH });
        return await loadRows(ctx, req, { label: 'Excel workbook', unit: 'sheet row', open, progress });
      }
    }
  } catch (e) {
    // Whatever the load had built is dropped: a cancelled or failed load leaves nothing in the engine.
    for (const t of [`lh_cand_${req.id}`, keysTableName(req.id), 'lh_stage']) await ctx.engine.exec(`DROP TABLE IF EXISTS ${t}`).catch(() => {});
    if ((e as Error).name === 'AbortError') return fail('cancelled');
    if (e instanceof UnrecognisedColumns) return fail(e.message, { mappable: e.mappable, sheets: e.sheets, sheet: e.sheet });
    return fail((e as Error).message ?? String(e));
  }
}

/**
 * Recognise a table by its column names: the user's mapping for this file, else a known schema, else a mapping the
 * user made earlier for the same header; failing all three, the mapping form is offered.
 */
function recognise(ctx: LoadContext, req: LoadRequest, names: string[], preview: () => (string | null)[][], schemaTypes?: (string | undefined)[],
  sheet?: { sheets?: string[]; sheet?: string }): { shape: TableShape; remembered: boolean; mapping?: ColumnMapping } {
  if (req.mapping) {
    const r = shapeFromMapping(names, req.mapping);
    if (!r.ok) throw new UnrecognisedColumns(r.problem, { columns: names, preview: preview(), signature: headerSignature(names) }, sheet?.sheets, sheet?.sheet);
    return { shape: r.shape, remembered: false, mapping: req.mapping };
  }
  const known: Recognition = recogniseProcessTable(names, schemaTypes);
  if (known.ok) return { shape: known.shape, remembered: false };
  const signature = headerSignature(names);
  const remembered = ctx.rememberedMapping?.(signature);
  if (remembered) {
    const r = shapeFromMapping(names, remembered);
    if (r.ok) return { shape: r.shape, remembered: true, mapping: remembered };
  }
  throw new UnrecognisedColumns(`${known.problem}. Map its columns below to read it.`, { columns: names, preview: preview(), signature }, sheet?.sheets, sheet?.sheet);
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
  const iso: TimeStyle = shape.naiveTimesInZone ? 'iso-in-zone' : 'iso';
  shape.columns.forEach((c, i) => {
    if (c.type !== 'datetime') return;
    const v = sampleValue(i);
    styles.set(i, v === undefined ? 'any' : ISO_SAMPLE.test(v) ? iso : DISPLAY_SAMPLE.test(v) ? 'display' : LOCALE_SAMPLE.test(v) ? 'locale' : 'any');
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

/** Chunks of about this size go to the engine one after the other; smaller files are read in one pass. */
export const CSV_CHUNK_BYTES = 16 * 1024 * 1024;

/** What one chunk's scan left for the page to take up, its record numbers counted from the chunk's start. */
interface ChunkScan {
  stats: Row | undefined;
  rejects: Row[];
  /**
   * Its candidate rows: already in the source's table (chunk 0), as Arrow held by the page (with the chunk's
   * number) until every chunk has been read, or as their records copied out of the chunk with the few columns the
   * scan packed of each (read whole once every chunk has been read).
   */
  candidates: { table: string } | { ipc: Uint8Array; rows: number } | { records: Uint8Array; packed: Row[]; from: number; to: number; superset?: boolean } | null;
}

/**
 * Candidates of later chunks go into the source's table in pieces of about this many rows, once every chunk has
 * been read. Until then they wait on the page, not in the engine: rows kept in the engine between chunk scans pin
 * the memory each scan frees, and its heap (which never shrinks) grew with the file; and one move of them all was
 * the load's memory peak, as each row is copied several times on its way.
 */
const HANDOVER_ROWS = 4096;

/** Statistics that name records by number: counted from the chunk's start until the chunk is taken up. */
const RECORD_LISTS = ['first_bad_df', 'first_bad_mf'] as const;

/**
 * A chunk whose quotes or carriage returns stand where DuckDB may cut records differently from quote parity
 * (record-index.ts), or whose lines do not all end as the header's (checkChunkable): the file is read in one pass
 * instead.
 */
class IrregularQuoting extends Error {}

/**
 * Stop reading in chunks (IrregularQuoting) unless the chunk's records are cut as DuckDB cuts them (regular
 * quoting) and every line ends as the header's does: the engine reads later chunks with the header's line ending,
 * and a line that ends otherwise is read differently from one pass, and may take the next row with it.
 */
function checkChunkable(index: RecordIndex | undefined, crlf: boolean): void {
  if (index && (!index.regular || index.carriageReturns !== (crlf ? index.lineFeeds : 0))) throw new IrregularQuoting();
}

/** A line end as the header's: a blank line before a buffer's records. */
const lineEnd = (crlf: boolean) => (crlf ? new Uint8Array([0x0d, 0x0a]) : new Uint8Array([0x0a]));

/** DuckDB drops a byte order mark at the start of any buffer it reads, where one pass keeps it as text. */
const startsWithBom = (bytes: Uint8Array) => bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;

/** How one chunk is scanned: packing a few columns of each candidate or whole rows; filing its rejects or not. */
interface ChunkScanHow {
  packOnly?: number[];
  /** ISO times read by the quick parser alone (see ScanOptions.quickTimes). */
  quickTimes?: boolean;
  fileRejects: boolean;
}

/** Chunks after the first whose candidates came as records, in file order, waiting to be read whole. */
interface RecordsWaiting {
  k: number;
  /** Accepted records before the chunk. */
  before: number;
  records: Uint8Array;
  /** Per candidate, in file order: its record number in the chunk and the `pairBy` columns as the scan read them. */
  packed: Row[];
  /** The chunk's bytes in the file, to read it again whole if its records do not read back the same. */
  from: number;
  to: number;
  /** Its records were chosen on the page (chunk-screen.ts): some may not pass the prefilter, and are left out. */
  superset?: boolean;
}

/** How scanInChunks reads a CSV's chunks, made by loadCsv. */
interface ChunkedCsv {
  scanSql: (chunkFile: string, crlf: boolean, k: number, how: ChunkScanHow) => string[];
  /** Every row of a file of copied-out records, whole (see wholeRowsSql). */
  wholeSql: (recordsFile: string, crlf: boolean) => string;
  /** The columns a later chunk's scan packs of each candidate (see pairingColumns), checked against its whole row. */
  pairBy: number[];
  /** The field delimiter, one byte. */
  delimiter: number;
  /** Later chunks' times can be read by the quick ISO parser (quickTimesApply). */
  quickTimes: boolean;
  /** How the page works out a later chunk's statistics itself (chunk-screen.ts), or null when the engine must. */
  screen: ScreenPlan | null;
  rejectsTable: string;
  candidateTable: string;
  take: (stats: Row | undefined, rejects: Row[], rowsBefore: number) => { accepted: number; rows: number };
}

/**
 * Scan a CSV's data records in chunks that end on record boundaries (see csv-chunks.ts), on the shared engine and,
 * once it has started, on a helper engine of its own (the machine's other core): each takes the next chunk when
 * it is free. Record numbers are counted per chunk and shifted when the chunks are taken up, in file order, so the
 * result is the same as one pass. Reports bytes read and an estimate of the time left; stops between chunks when
 * the load is cancelled. The helper is closed once every chunk is read, giving its memory back.
 *
 * After the first chunk, a chunk is scanned for its statistics and a few columns of each candidate only (packing
 * every column of every row was about 40 % of the scan); the page copies the candidates' records out of the chunk
 * by the record index it made while cutting it, and once every chunk is read the engine reads those records whole,
 * in one pass, checked against what the scans packed. A chunk that cannot go this way (rejected rows, bytes that
 * are not UTF-8, an engine that keeps the chunk's buffer) packs whole rows, as Arrow held by the page.
 *
 * Most later chunks never reach an engine: the page works out their statistics and possible candidates itself from
 * the chunk's field index (chunk-screen.ts) and copies those records out the same way; their whole rows then drop
 * the records that only looked like candidates. The helper is started only once a later chunk needs an engine.
 */
async function scanInChunks(ctx: LoadContext, req: LoadRequest, chunkBytes: number, o: ChunkedCsv): Promise<void> {
  const head = new Uint8Array(await req.file.slice(0, Math.min(req.file.size, MAX_HEADER_BYTES)).arrayBuffer());
  const headerEnd = firstRecordEnd(head);
  if (headerEnd < 0) throw new Error('the header row does not end within 16 MB');
  const crlf = headerEnd >= 2 && head[headerEnd - 2] === 0x0d;
  const started = Date.now();
  const main = ctx.engine;
  // Only worth a second engine's start-up for a file of several chunks, and, where the page screens the chunks
  // itself, only once a later chunk needs an engine after all.
  const helperWanted = ctx.startScanEngine !== undefined && req.file.size > 3 * chunkBytes;
  let startHelper = () => {};
  const helper = helperWanted ? new Promise<Engine | null>((resolve) => {
    startHelper = () => {
      startHelper = () => {};
      resolve(ctx.startScanEngine!().then((e) => (e.queryArrow && e.registerBuffer ? e : (void e.close?.(), null))).catch(() => null));
    };
  }) : null;
  if (o.screen === null) startHelper();
  let helperClosed = false;
  /** Not awaited: a helper still starting is closed once it has started. */
  const closeHelper = () => {
    if (helperClosed) return;
    helperClosed = true;
    void helper?.then((h) => h?.close?.()).catch(() => {});
  };
  let accepted = 0;
  let rows = 0;
  const lastScanId = new Map<Engine, number>();
  const moved = `lh_part_${req.id}`;
  /** Later chunks' candidates, in file order: the chunk's number, the records before it, its rows as Arrow. */
  const waiting: { k: number; before: number; rows: number; ipc: Uint8Array }[] = [];
  const buffers = new ChunkBuffers(4, chunkBytes);
  const records: RecordsWaiting[] = [];
  try {
    await inLanes<CsvChunk, Engine, ChunkScan>({
      items: csvChunks(req.file, headerEnd, chunkBytes, ctx.signal, buffers, { delimiter: o.delimiter }),
      first: main,
      joining: helper ?? undefined,
      // A later chunk the page can screen needs no engine: only its possible candidates' records are kept.
      quick: async (chunk, k) => {
        if (k === 0 || o.screen === null || !chunk.index) return null;
        checkChunkable(chunk.index, crlf);
        const screened = await screenChunk(chunk.bytes, chunk.index, o.screen);
        if (screened === null) return null;
        const rows = screened.packed.map((p) => Number(p.lh_rec));
        const records = rows.length > 0 ? copyRecords(chunk.bytes, chunk.index, rows) : null;
        if (rows.length > 0 && records === null) return null;
        buffers.give(chunk.bytes.buffer as ArrayBuffer);
        const size = chunk.bytes.length;
        return {
          stats: screened.stats, rejects: [],
          candidates: records ? { records, packed: screened.packed, from: chunk.end - size, to: chunk.end, superset: true } : null,
        };
      },
      work: async (engine, chunk, k) => {
        checkChunkable(chunk.index, crlf);
        // A record that starts with a byte order mark would lose it in the chunk's read: such a file goes in one pass.
        if (startsWithBom(chunk.bytes)) throw new IrregularQuoting();
        if (k > 0) startHelper();
        const name = `lh-chunk-${req.id}-${k}-${crypto.randomUUID()}.csv`;
        const size = chunk.bytes.length;
        const back = await engine.registerBuffer!(name, chunk.bytes);
        // After the first chunk (whose scan creates the candidate table), a chunk whose records are indexed is
        // scanned packing a few columns of each candidate; its bytes, given back by the engine, are kept until
        // the candidates' records are copied out of them.
        const kept = back && k > 0 && chunk.index?.utf8 ? new Uint8Array(back, 0, size) : null;
        if (back && !kept) buffers.give(back);
        try {
          const quick = kept !== null && o.quickTimes;
          for (const sql of o.scanSql(name, crlf, k, { packOnly: kept ? o.pairBy : undefined, quickTimes: quick, fileRejects: true })) await engine.exec(sql);
          let [stats] = await engine.query(kept ? SCAN_STATS_PACKED_SQL : SCAN_STATS_SQL);
          if (quick && Number(stats?.bad_df ?? 0) > 0) {
            // Times the quick parser left unread (another ISO form, or no time at all): the full one decides. The
            // first scan's rejects stand (the same rows are skipped either way).
            for (const sql of o.scanSql(name, crlf, k, { packOnly: o.pairBy, fileRejects: false })) await engine.exec(sql);
            [stats] = await engine.query(SCAN_STATS_PACKED_SQL);
          }
          const packed = (stats?.cand ?? []) as Row[];
          if (stats) delete stats.cand;
          // DuckDB appends each scan's rejects to the table under a new scan id: this chunk's are those past the last seen.
          const rejects = await rejectsSince(engine, o.rejectsTable, lastScanId.get(engine) ?? -1);
          for (const r of rejects) lastScanId.set(engine, Math.max(lastScanId.get(engine) ?? -1, Number(r.scan_id)));
          const found = Number(stats?.n_cand ?? 0);
          let candidates: ChunkScan['candidates'] = null;
          if (k === 0) candidates = { table: o.candidateTable };
          else if (found > 0) {
            // Without rejects, the scan's record numbers are the index's records (both skip blank lines); the two
            // counts agree as a check of that.
            packed.sort((a, b) => Number(a.lh_rec) - Number(b.lh_rec));
            const copied = kept && rejects.length === 0 && packed.length === found && Number(stats?.n) === chunk.index!.count
              ? copyRecords(kept, chunk.index!, packed.map((p) => Number(p.lh_rec))) : null;
            if (copied) candidates = { records: copied, packed, from: chunk.end - size, to: chunk.end };
            else {
              if (kept) for (const sql of o.scanSql(name, crlf, k, { fileRejects: false })) await engine.exec(sql);
              candidates = { ipc: await engine.queryArrow!(`SELECT ${sqlInt(k)} AS lh_chunk, unnest(cand, recursive := true) FROM ${SCAN_TABLE}`), rows: found };
            }
          }
          return { stats, rejects, candidates };
        } finally {
          if (kept) buffers.give(back as ArrayBuffer);
          await engine.dropFile(name).catch(() => {});
        }
      },
      takeUp: async ({ stats, rejects, candidates }, chunk, k) => {
        let shifted: Row | undefined = stats;
        if (stats) {
          shifted = { ...stats };
          for (const c of RECORD_LISTS) {
            const list = stats[c];
            if (Array.isArray(list)) shifted[c] = list.map((r) => Number(r) + accepted);
          }
        }
        if (candidates && 'ipc' in candidates) waiting.push({ k, before: accepted, ...candidates });
        if (candidates && 'records' in candidates) records.push({ k, before: accepted, ...candidates });
        const done = o.take(shifted, rejects, rows);
        accepted += done.accepted;
        rows += done.rows;
        ctx.onProgress?.(progressText(chunk.end, req.file.size, Date.now() - started), { done: chunk.end, total: req.file.size });
      },
    });
    closeHelper();
    buffers.clear();
    // Each chunk's record numbers shifted by the records before it; the page lets go of each piece once moved.
    for (const piece of inPieces(waiting.splice(0), ctx.handoverRows ?? HANDOVER_ROWS)) {
      ctx.signal?.throwIfAborted();
      for (const [i, c] of piece.entries()) await main.insertArrow!(moved, c.ipc, i === 0);
      const offsets = piece.map((c) => `(${sqlInt(c.k)}, ${sqlInt(c.before)})`).join(', ');
      await main.exec(`INSERT INTO ${o.candidateTable} BY NAME SELECT c.* EXCLUDE (lh_chunk) REPLACE (c.lh_rec + o.before AS lh_rec)
        FROM ${moved} c JOIN (VALUES ${offsets}) o(k, before) ON c.lh_chunk = o.k`);
      await main.exec(`DROP TABLE ${moved}`);
    }
    if (records.length > 0) await readRecordsWhole(ctx, req, crlf, o, records.splice(0));
  } finally {
    await dropRejects(main, o.rejectsTable).catch(() => {});
    await main.exec(`DROP TABLE IF EXISTS ${moved}`).catch(() => {});
    closeHelper();
  }
}

/**
 * The waiting chunks' candidates, read whole from their records in one pass and given their scan's record
 * numbers. A chunk whose records do not read back as the rows its scan packed (a record boundary this page
 * and DuckDB see differently) is read again from the file, whole.
 */
async function readRecordsWhole(ctx: LoadContext, req: LoadRequest, crlf: boolean, o: ChunkedCsv, waiting: RecordsWaiting[]): Promise<void> {
  const main = ctx.engine;
  await main.exec(`DROP TABLE IF EXISTS ${WHOLE_TABLE}_numbers`);
  const name = `lh-records-${req.id}-${crypto.randomUUID()}.csv`;
  // A blank line first (DuckDB skips it): a first record that starts with a byte order mark keeps it.
  const lead = lineEnd(crlf);
  const all = new Uint8Array(lead.length + waiting.reduce((n, w) => n + w.records.length, 0));
  all.set(lead);
  let filled = lead.length;
  for (const w of waiting) {
    all.set(w.records, filled);
    filled += w.records.length;
  }
  await main.registerBuffer!(name, all);
  try {
    await main.exec(o.wholeSql(name, crlf));
    const pairBy = o.pairBy.map(col);
    const [counted] = await main.query(`SELECT count(*)::BIGINT AS n FROM ${WHOLE_TABLE}`);
    const aligned = Number(counted?.n) === waiting.reduce((n, w) => n + w.packed.length, 0);
    const again: RecordsWaiting[] = [];
    let at = 0;
    let created = false;
    // In pieces of about HANDOVER_ROWS rows, each its own short task: at 6M rows there are 60,000 candidates.
    for (const piece of inPieces(waiting.map((w) => ({ w, rows: w.packed.length })), ctx.handoverRows ?? HANDOVER_ROWS)) {
      ctx.signal?.throwIfAborted();
      const rows = piece.reduce((n, c) => n + c.rows, 0);
      const whole = aligned
        ? await main.query(`SELECT lh_cand, ${pairBy.join(', ')} FROM ${WHOLE_TABLE} WHERE lh_i > ${sqlInt(at)} AND lh_i <= ${sqlInt(at + rows)} ORDER BY lh_i`)
        : [];
      const numbers: string[][] = [[], []];
      let offset = 0;
      for (const { w } of piece) {
        const same = aligned && w.packed.every((p, i) => {
          const row = whole[offset + i];
          return row !== undefined && (w.superset || row.lh_cand === true) && pairBy.every((c) => row[c] === p[c]);
        });
        if (same) {
          w.packed.forEach((p, i) => {
            if (whole[offset + i]!.lh_cand !== true) return;
            numbers[0]!.push(String(at + offset + i + 1));
            numbers[1]!.push(String(w.before + Number(p.lh_rec)));
          });
        } else again.push(w);
        offset += w.packed.length;
      }
      at += rows;
      if (numbers[0]!.length === 0) continue;
      await main.insertStrings(`${WHOLE_TABLE}_numbers`, ['lh_i', 'lh_rec'], numbers, !created);
      created = true;
      await yieldToPage();
    }
    if (created) {
      await main.exec(`INSERT INTO ${o.candidateTable} BY NAME SELECT n.lh_rec::BIGINT AS lh_rec, w.* EXCLUDE (lh_i, lh_cand)
        FROM ${WHOLE_TABLE} w JOIN ${WHOLE_TABLE}_numbers n ON w.lh_i = n.lh_i::BIGINT`);
    }
    for (const w of again) {
      ctx.signal?.throwIfAborted();
      const chunkName = `lh-again-${req.id}-${w.k}-${crypto.randomUUID()}.csv`;
      await main.registerBuffer!(chunkName, new Uint8Array(await new Blob([lineEnd(crlf), req.file.slice(w.from, w.to)]).arrayBuffer()));
      try {
        for (const sql of o.scanSql(chunkName, crlf, w.k, { fileRejects: false })) await main.exec(sql);
        await main.exec(`INSERT INTO ${o.candidateTable} BY NAME SELECT * REPLACE (lh_rec + ${sqlInt(w.before)} AS lh_rec)
          FROM (SELECT unnest(cand, recursive := true) FROM ${SCAN_TABLE})`);
      } finally {
        await main.dropFile(chunkName).catch(() => {});
      }
    }
  } finally {
    await main.exec(`DROP TABLE IF EXISTS ${WHOLE_TABLE}`).catch(() => {});
    await main.exec(`DROP TABLE IF EXISTS ${WHOLE_TABLE}_numbers`).catch(() => {});
    await main.dropFile(name).catch(() => {});
  }
}

/** The columns that tell two readings of a candidate apart: its time, file names and account. */
function pairingColumns(shape: TableShape): number[] {
  const columns = (['FileName', 'ProcessVersionInfoOriginalFileName', 'AccountName'] as const).flatMap((c) => {
    const f = shape.canonical[c];
    return f ? [f.index] : [];
  });
  return [...new Set([shape.timeIndex, ...columns])];
}

/** Consecutive runs of `chunks` holding about `rows` candidates each (a chunk with more is a run of its own). */
function inPieces<T extends { rows: number }>(chunks: T[], rows: number): T[][] {
  const pieces: T[][] = [];
  let current: T[] = [];
  let held = 0;
  for (const c of chunks) {
    if (current.length > 0 && held + c.rows > rows) {
      pieces.push(current);
      current = [];
      held = 0;
    }
    current.push(c);
    held += c.rows;
  }
  if (current.length > 0) pieces.push(current);
  return pieces;
}

/** The rejects DuckDB filed in `table` by scans after `scanId` (-1: all), in line order. */
function rejectsSince(engine: Engine, table: string, scanId: number): Promise<Row[]> {
  return engine.query(`SELECT scan_id::BIGINT AS scan_id, line::BIGINT AS line, error_type::VARCHAR AS error_type, error_message
    FROM ${table} WHERE scan_id > ${sqlInt(scanId)} ORDER BY line`).catch(() => []);
}

async function dropRejects(engine: Engine, table: string): Promise<void> {
  await engine.exec(`DROP TABLE IF EXISTS ${table}`);
  await engine.exec(`DROP TABLE IF EXISTS ${table}_scan`);
}

const MAX_HEADER_BYTES = 16 * 1024 * 1024;

/** `read 120.0 of 693.0 MB · about 4 s left` */
export function progressText(done: number, total: number, elapsedMs: number): string {
  const left = done > 0 && done < total ? ((total - done) * elapsedMs) / done / 1000 : null;
  return `read ${(done / 1e6).toFixed(1)} of ${(total / 1e6).toFixed(1)} MB${left === null ? '' : ` · about ${left < 10 ? left.toFixed(1) : Math.round(left)} s left`}`;
}

async function loadCsv(ctx: LoadContext, req: LoadRequest, rawHeader: string[], delimiter: string, sample: string[][], encoding: TextEncoding) {
  const header = uniqueNames(rawHeader);
  const recognised = recognise(ctx, req, header, () => sample.slice(0, PREVIEW_ROWS).map((r) => header.map((_, i) => r[i] ?? null)));
  const { shape, remembered } = recognised;
  req = { ...req, mapping: recognised.mapping };
  const engineFile = `lh-src-${req.id}-${crypto.randomUUID()}.csv`;
  await ctx.engine.registerFile(engineFile, req.file);
  const rejectsTable = `lh_rejects_${req.id}`;
  const columns = header.map((_, i) => `${sqlString(col(i))}: 'VARCHAR'`).join(', ');
  // A chunk after the first cannot show DuckDB the file's line ends (its first one may be a CR inside quotes): the
  // header's are passed on.
  const csvRelation = (file: string, withHeader: boolean, newLine?: string, fileRejects = true) => `read_csv(${sqlString(file)}, encoding = ${encoding === 'utf-16le' ? "'utf-16'" : "'utf-8'"}, header = ${withHeader}, auto_detect = false, delim = ${sqlString(delimiter)},
    quote = '"', escape = '"', columns = {${columns}}, max_line_size = 16777216,${newLine ? ` new_line = ${sqlString(newLine)},` : ''}
    ${fileRejects ? `store_rejects = true, rejects_table = ${sqlString(rejectsTable)}, rejects_scan = ${sqlString(`${rejectsTable}_scan`)}` : 'ignore_errors = true'})`;
  const relation = csvRelation(engineFile, true);
  const firstValue = (i: number) => sample.map((r) => r[i]).find((v) => v !== undefined && v.trim() !== '' && v !== 'Invalid date');
  const { styles, locale, display } = sampleStyles(shape, firstValue);
  const candidateTable = `lh_cand_${req.id}`;
  const summary = emptySummary();
  ctx.onProgress?.('reading');
  const offset = offsetOf(req);
  const scan = (rel: string, recordExpr: string, createCandidates: boolean, packOnly?: number[], quickTimes?: boolean) => scanStatements({
    relation: rel, recordExpr, shape, mainLocale: locale.includes(shape.timeIndex), localeColumns: locale,
    displayOffsetMinutes: offset, timeStyle: (i) => styles.get(i) ?? 'any', prefilter: ctx.prefilter, candidateTable, createCandidates, packOnly, quickTimes,
  });
  // DuckDB writes one reject per offending column; a row counts once. Its `line` numbers the records it read.
  const byRow = new Map<number, string>();
  /** Files DuckDB's rejects (line n of a scan) under data row n + rowsBefore; returns how many rows they are. */
  const fileRejects = (rejects: Row[], rowsBefore: number) => {
    const rows = new Set<number>();
    for (const r of rejects) {
      const row = Number(r.line) + rowsBefore;
      // DuckDB files an unterminated quote under UNQUOTED VALUE too; its message tells them apart.
      const type = /unterminated quote/i.test(String(r.error_message)) ? 'UNTERMINATED QUOTES' : String(r.error_type);
      if (!byRow.has(row)) byRow.set(row, CSV_ERRORS[type] ?? String(r.error_message));
      rows.add(row);
    }
    return rows.size;
  };
  const chunkBytes = ctx.chunkBytes ?? CSV_CHUNK_BYTES;
  const chunked = ctx.engine.registerBuffer !== undefined && ctx.engine.queryArrow !== undefined && ctx.engine.insertArrow !== undefined && encoding === 'utf-8' && !shape.rowFilter && req.file.size > chunkBytes;
  const onePass = async () => {
    for (const sql of scan(relation, 'row_number() OVER ()', true)) await ctx.engine.exec(sql);
    const [stats] = await ctx.engine.query(SCAN_STATS_SQL);
    if (stats) addScanRow(summary, stats, locale);
    // With the header, DuckDB's record 1 is the header: data row n is its record n + 1.
    const rejects = await rejectsSince(ctx.engine, rejectsTable, -1);
    await dropRejects(ctx.engine, rejectsTable);
    fileRejects(rejects, -1);
  };
  try {
    if (!chunked) await onePass();
    else {
      const newLine = (crlf: boolean) => (crlf ? '\\r\\n' : '\\n');
      const quickTimes = quickTimesApply(styles.get(shape.timeIndex) ?? 'any', locale.includes(shape.timeIndex));
      await scanInChunks(ctx, req, chunkBytes, {
        rejectsTable, candidateTable, pairBy: pairingColumns(shape), delimiter: delimiter.length === 1 ? delimiter.charCodeAt(0) : -1,
        quickTimes,
        screen: ctx.engineScansEveryChunk ? null
          : screenPlan({ shape, fields: header.length, quickTimes, localeColumns: locale, hint: ctx.prefilterHint, pairBy: pairingColumns(shape) }),
        // Chunk 0 creates the source's candidate table; the others' candidates are taken up in file order.
        scanSql: (name, crlf, k, how) => scan(csvRelation(name, false, newLine(crlf), how.fileRejects), 'row_number() OVER ()', true, how.packOnly, how.quickTimes).slice(0, k === 0 ? 2 : 1),
        wholeSql: (name, crlf) => wholeRowsSql({ relation: csvRelation(name, false, newLine(crlf), false), shape, prefilter: ctx.prefilter }),
        take: (stats, rejects, rowsBefore) => {
          if (stats) addScanRow(summary, stats, locale);
          const accepted = Number(stats?.n ?? 0);
          return { accepted, rows: accepted + fileRejects(rejects, rowsBefore) };
        },
      }).catch(async (e: unknown) => {
        if (!(e instanceof IrregularQuoting)) throw e;
        // A file whose quoting the page cannot follow is read by DuckDB in one pass, as a small one is.
        Object.assign(summary, emptySummary());
        byRow.clear();
        await onePass();
      });
    }
  } catch (e) {
    await ctx.engine.dropFile(engineFile).catch(() => {});
    await ctx.engine.exec(`DROP TABLE IF EXISTS ${candidateTable}`).catch(() => {});
    if ((e as Error).name === 'AbortError') throw e;
    throw new Error(`could not be read as CSV: ${(e as Error).message}`);
  }
  const rejectedRows = [...byRow.keys()].sort((a, b) => a - b);
  const rejected = groupRejects(rejectedRows.map((row) => ({ reason: byRow.get(row)!, position: row })), 'data row');
  const rereadRelation = relation.replace(/store_rejects = true.*\)$/s, 'ignore_errors = true)');
  // A table that holds other events too (SecurityEvent): the rows its filter left out are counted, not lost.
  let filtered = 0;
  if (shape.rowFilter) {
    const [all] = await ctx.engine.query(`SELECT count(*)::BIGINT AS n FROM ${rereadRelation}`);
    filtered = Number(all?.n ?? 0) - summary.rows;
  }
  const format: SourceFormat = shape.profile === 'SecurityEvent' ? 'Sentinel SecurityEvent CSV (Security 4688)'
    : shape.profile === 'mapped' ? 'CSV (columns mapped by you)'
    : rawHeader.some((h) => stripUtcSuffix(h).utc) ? 'Sentinel / Log Analytics CSV' : 'Defender Advanced Hunting CSV';
  return finish(ctx, req, {
    format, shape, summary, localeColumns: locale, styles, hasDisplayTimes: display, structuralRejects: rejected,
    skipped: filtered > 0 && shape.rowFilter ? [{ reason: shape.rowFilter.skipReason, count: filtered }] : [],
    rowsRead: summary.rows + filtered + rejectedRows.length, engineFile, candidateTable, remembered,
    badTimePosition: (rec) => acceptedToDataRow(rec, rejectedRows), unit: 'data row',
    reread: { kind: 'csv', relation: rereadRelation }, fieldsUsed: fieldsOfShape(shape), events: null,
  });
}

/** How a row reader's output is labelled and positioned. */
interface RowsPlan {
  label: string;
  unit: RejectGroup['unit'];
  open: OpenRows;
  schema?: { name: string; type?: string }[];
  progress?: (bytesRead: number) => void;
}

/** Windows / Elastic process events met while reading, for the format label, the notes and "fields used". */
export interface EventMix {
  kinds: Map<ProcessEventKind, number>;
  containers: Set<EventContainer>;
  used: Map<string, Set<string>>;
}

/** Map the reader's objects that are Windows or Elastic events onto process-event rows; other events are skipped. */
function classify(items: JsonItem[], mix: EventMix | null): JsonItem[] {
  return items.map((item) => {
    if (!item.row) return item;
    const c = classifyEvent(item.row);
    if (c === null) return item;
    if ('skip' in c) return { position: item.position, record: item.record, skip: c.skip };
    if (mix) {
      mix.kinds.set(c.mapped.kind, (mix.kinds.get(c.mapped.kind) ?? 0) + 1);
      mix.containers.add(c.mapped.container);
      for (const [column, from] of Object.entries(c.mapped.used)) {
        const set = mix.used.get(column) ?? new Set<string>();
        set.add(from);
        mix.used.set(column, set);
      }
    }
    return { position: item.position, record: item.record, row: c.mapped.row };
  });
}

const PREVIEW_ROWS = 5;

async function loadRows(ctx: LoadContext, req: LoadRequest, plan: RowsPlan) {
  const names: string[] = (plan.schema ?? []).map((s) => s.name);
  const index = new Map(names.map((n, i) => [n, i]));
  const schemaTypes = () => names.map((n) => plan.schema?.find((s) => s.name === n)?.type);
  let shape: TableShape | null = null;
  let remembered = false;
  let locale: number[] = [];
  let styles = new Map<number, TimeStyle>();
  let display = false;
  const summary = emptySummary();
  const candidateTable = `lh_cand_${req.id}`;
  const keysTable = keysTableName(req.id);
  let keysCreated = false;
  const itemRejects: { reason: string; position: number }[] = [];
  const skips = new Map<string, number>();
  const mix: EventMix = { kinds: new Map(), containers: new Set(), used: new Map() };
  const readerNotes: string[] = [];
  let items = 0;
  let streaming = false;
  let sheet: { sheet?: string; sheets?: string[] } = {};
  let candidateColumns = 0;
  // The next batch is read (on this thread) while the engine works on the current one (in its worker).
  const batches = plan.open()[Symbol.asyncIterator]();
  let ahead = batches.next();
  for (;;) {
    const step = await ahead;
    if (step.done) break;
    const batch = step.value;
    ahead = batches.next();
    ahead.catch(() => {}); // a read that fails after a cancel is not this load's problem any more
    ctx.signal?.throwIfAborted();
    plan.progress?.(batch.bytesRead);
    streaming ||= batch.streaming === true;
    for (const p of batch.problems ?? []) readerNotes.push(p.problem);
    for (const n of batch.notes ?? []) readerNotes.push(n);
    if (batch.sheets) sheet = { sheet: batch.sheet, sheets: batch.sheets };
    const rows: { record: number; row: Record<string, unknown> }[] = [];
    for (const item of classify(batch.items, mix)) {
      items++;
      if (item.reject) itemRejects.push({ reason: item.reject, position: item.position });
      else if (item.skip) skips.set(item.skip, (skips.get(item.skip) ?? 0) + 1);
      else if (item.row) {
        rows.push({ record: item.record, row: item.row });
        for (const k of Object.keys(item.row)) if (!index.has(k)) { index.set(k, names.length); names.push(k); }
      }
    }
    if (rows.length === 0) continue;
    await yieldToPage();
    if (shape === null) {
      const preview = () => rows.slice(0, PREVIEW_ROWS).map((r) => names.map((n) => cellText(r.row[n])));
      const recognised = recognise(ctx, req, [...names], preview, schemaTypes(), sheet);
      ({ shape, remembered } = recognised);
      req = { ...req, mapping: recognised.mapping };
    } else if (!req.mapping && !remembered) {
      // Later rows may add columns (JSON objects need not share keys): recognise again over all names.
      const again = recogniseProcessTable(names, schemaTypes());
      if (again.ok) shape = again.shape;
    }
    const current: TableShape = shape.columns.length === names.length ? shape : { ...shape, columns: [...shape.columns, ...names.slice(shape.columns.length).map((n) => ({ name: n, original: n, type: 'string' as const }))] };
    shape = current;
    if (candidateColumns === 0) {
      const firstValue = (i: number) => rows.map((r) => cellText(r.row[names[i]!])).find((v) => v !== null && v.trim() !== '') ?? undefined;
      ({ styles, locale, display } = sampleStyles(current, firstValue));
    }
    const whole = wholeRowTest(ctx.prefilterHint, current, names);
    const always = whole ? columnsAlwaysRead(current, names, locale, mix.kinds.size > 0) : null;
    const wholeRows = whole ? rows.map((r) => whole(r.row)) : null;
    const values: (string | null)[][] = names.map((n, i) =>
      always && !always.has(i) ? rows.map((r, k) => (wholeRows![k] ? cellText(r.row[n]) : null)) : rows.map((r) => cellText(r.row[n])));
    values.push(rows.map((r) => String(r.record)));
    await yieldToPage(); // gathering the values and encoding them as Arrow are two tasks, not one long one
    await ctx.engine.exec('DROP TABLE IF EXISTS lh_stage');
    await ctx.engine.insertStrings('lh_stage', [...names.map((_, i) => col(i)), 'lh_line'], values, true);
    if (candidateColumns > 0 && names.length > candidateColumns) {
      for (let i = candidateColumns; i < names.length; i++) await ctx.engine.exec(`ALTER TABLE ${candidateTable} ADD COLUMN ${col(i)} VARCHAR`);
    }
    for (const sql of scanStatements({
      relation: 'lh_stage', recordExpr: 'lh_line::BIGINT', shape: current, mainLocale: locale.includes(current.timeIndex), localeColumns: locale,
      timeStyle: (i) => styles.get(i) ?? 'any',
      displayOffsetMinutes: offsetOf(req), prefilter: ctx.prefilter, candidateTable, createCandidates: candidateColumns === 0,
    })) await ctx.engine.exec(sql);
    candidateColumns = names.length;
    if (mix.kinds.size > 0 && index.has('SourceEvent')) {
      if (!keysCreated) { await ctx.engine.exec(createKeysTableSql(keysTable)); keysCreated = true; }
      await ctx.engine.exec(windowsKeysInsertSql(keysTable, req.ordinal, (n) => index.get(n), 'lh_stage', 'lh_line::BIGINT'));
    }
    const [stats] = await ctx.engine.query(SCAN_STATS_SQL);
    if (stats) addScanRow(summary, stats, locale);
    if (current.rowFilter) {
      const left = rows.length - Number(stats?.n ?? 0);
      if (left > 0) skips.set(current.rowFilter.skipReason, (skips.get(current.rowFilter.skipReason) ?? 0) + left);
    }
  }
  await ctx.engine.exec('DROP TABLE IF EXISTS lh_stage');
  if (shape === null) {
    if (items === 0) throw new Error(plan.label === 'Windows event XML' ? 'the XML holds no events' : 'the file holds no rows');
    if (skips.size > 0 && itemRejects.length === 0) {
      throw new Error(`holds no process events (only ${[...skips.keys()].slice(0, 3).join(', ')})`);
    }
    throw new Error(`holds no row objects (${itemRejects[0]?.reason ?? 'nothing readable'})`);
  }
  const format = formatOf(plan.label, streaming, mix, sheet.sheet);
  return finish(ctx, req, {
    format, shape, summary, localeColumns: locale, styles, hasDisplayTimes: display,
    structuralRejects: groupRejects(itemRejects, plan.unit), skipped: [...skips].map(([reason, count]) => ({ reason, count })),
    rowsRead: items, engineFile: null, candidateTable, badTimePosition: (rec) => Math.floor(rec / RECORDS_PER_POSITION), unit: plan.unit,
    reread: { kind: 'rows', open: plan.open, columns: [...names] }, remembered,
    fieldsUsed: mix.kinds.size > 0 ? fieldsOfMix(mix) : fieldsOfShape(shape), events: mix.kinds.size > 0 ? mix : null,
    keysTable: keysCreated ? keysTable : undefined, sheets: sheet.sheets, sheet: sheet.sheet, readerNotes,
  });
}

/**
 * Whether a row must be read whole because it may be a candidate: one of the hint's columns (as the table maps
 * them) contains one of its literals, in any letter case. Null when there is no hint.
 */
function wholeRowTest(hint: LoadContext['prefilterHint'], shape: TableShape, names: string[]): ((row: Record<string, unknown>) => boolean) | null {
  if (!hint) return null;
  const keys = hint.columns.flatMap((c) => {
    const f = shape.canonical[c as CanonicalColumn];
    return f ? [names[f.index]!] : [];
  });
  return (row) => keys.some((k) => {
    const v = cellText(row[k]);
    if (v === null) return false;
    const lower = v.toLowerCase();
    return hint.literals.some((l) => lower.includes(l));
  });
}

/**
 * Columns every row needs, candidate or not: what the statistics read (the time, FileName, the account columns,
 * locale-style times), the row filter, and for Windows events the columns their twin and duplicate keys read.
 */
function columnsAlwaysRead(shape: TableShape, names: string[], localeColumns: number[], windows: boolean): Set<number> {
  const keep = new Set<number>([shape.timeIndex, ...localeColumns]);
  for (const c of ['FileName', 'ProcessVersionInfoOriginalFileName', 'AccountUpn', 'AccountName', 'AccountDomain'] as const) {
    const f = shape.canonical[c];
    if (f) keep.add(f.index);
  }
  if (shape.rowFilter) keep.add(shape.rowFilter.index);
  if (windows) {
    for (const n of ['DeviceName', 'ProcessId', 'InitiatingProcessId', 'FolderPath', 'Timestamp', 'EventTime', 'SourceEvent', 'EventRecordID']) {
      const i = names.indexOf(n);
      if (i >= 0) keep.add(i);
    }
  }
  return keep;
}

function formatOf(label: string, streaming: boolean, mix: EventMix, sheet: string | undefined): SourceFormat {
  const base = streaming ? 'Defender streaming API JSON' : label === 'Excel workbook' && sheet !== undefined ? `Excel workbook (sheet "${sheet}")` : label;
  if (mix.kinds.size === 0) return base;
  // XML and .evtx are read into evtx_dump's shape: that is how they were read, not what the file is.
  const containers = [...mix.containers].filter((c) => !((label === 'Windows event XML' || label === 'Windows event log (.evtx)') && c === 'evtx_dump JSON'));
  const kinds = [...mix.kinds.keys()].map((k) => (k === 'ECS process start' ? 'process start events' : k)).join(', ');
  if (label === 'JSON lines' || label === 'JSON array of rows') return `${containers.join(' + ') || label} (${kinds})`;
  return `${base}${containers.length ? `, ${containers.join(' + ')}` : ''} (${kinds})`;
}

const TRANSFORM_WORDS: Record<string, string> = { value: '', leaf: ' (last path segment)', 'account-name': ' (after \\)', 'account-domain': ' (before \\)' };

function fieldsOfShape(shape: TableShape): { column: string; from: string }[] {
  const out = [{ column: 'Timestamp', from: shape.columns[shape.timeIndex]!.name }];
  for (const [column, f] of Object.entries(shape.canonical)) {
    if (!f || (column === 'AccountUpn' && shape.upnDerived)) continue;
    out.push({ column, from: `${shape.columns[f.index]!.name}${TRANSFORM_WORDS[f.transform]}` });
  }
  if (shape.upnDerived) out.push({ column: 'AccountUpn', from: shape.canonical.AccountDomain ? 'AccountDomain\\AccountName (derived)' : 'AccountName (derived)' });
  return out;
}

function fieldsOfMix(mix: EventMix): { column: string; from: string }[] {
  const out = [...mix.used].map(([column, from]) => ({ column, from: [...from].join(' / ') }));
  out.push({ column: 'AccountUpn', from: 'AccountDomain\\AccountName (derived)' });
  return out;
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
  /** Read with a mapping remembered for this header. */
  remembered: boolean;
  fieldsUsed: { column: string; from: string }[];
  events: EventMix | null;
  /** Keys of every row, when the reader made them (mapped Windows events). */
  keysTable?: string;
  readerNotes?: string[];
  sheets?: string[];
  sheet?: string;
}

/** Times without a zone in a mapped table are in the zone chosen in the form; display-style times in the chosen one. */
const offsetOf = (req: LoadRequest) => req.mapping?.zoneMinutes ?? req.displayOffsetMinutes ?? 0;

async function finish(ctx: LoadContext, req: LoadRequest, f: Finish): Promise<LoadedSource> {
  // A column judged `any` from an empty sample needs a day order only if the scan met locale-style values in it.
  const localeColumns = f.localeColumns.filter((i) => f.styles.get(i) === 'locale' || (f.summary.locale.get(i)?.f1 ?? 0) > 0);
  const dayOrders: DayOrder[] = localeColumns.map((i) =>
    decideDayOrder(f.shape.columns[i]!.name, f.summary.locale.get(i) ?? { f1: 0, f2: 0, ampm: false }));
  const mapping = req.mapping;
  const source: LoadedSource = {
    status: 'ready', id: req.id, ordinal: req.ordinal, name: req.name, size: req.file.size, format: f.format,
    variant: f.shape.variant, shape: f.shape, rowsRead: f.rowsRead, rejected: [], skipped: f.skipped,
    minTime: null, maxTime: null, netRows: f.summary.netRows, upnNonEmpty: f.summary.upnRows,
    displayOffsetMinutes: offsetOf(req), hasDisplayTimes: f.hasDisplayTimes, dayOrders, notes: [],
    engineFile: f.engineFile, reread: f.reread.kind, candidateTable: f.candidateTable, eventsTable: `lh_ev_${req.id}`,
    keysTable: f.keysTable ?? null, fieldsUsed: f.fieldsUsed, removed: { twins: 0, duplicates: 0, net: 0 },
    sheets: f.sheets, sheet: f.sheet, mapping: req.mapping,
  };
  internals.set(source, {
    summary: f.summary, localeColumns: f.localeColumns, styles: f.styles, structural: f.structuralRejects, position: f.badTimePosition, unit: f.unit,
    reread: f.reread, keysFromAllRows: f.keysTable !== undefined, events: f.events, remembered: f.remembered, readerNotes: f.readerNotes ?? [],
  });
  applyTimeStats(source);
  source.notes = [...(f.readerNotes ?? []), ...notesFor(source, f.events, f.remembered)];
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

function notesFor(s: LoadedSource, events: EventMix | null, remembered: boolean): string[] {
  const notes: string[] = [];
  if (remembered) notes.push('Columns mapped as you mapped this header before ("Change mapping" to redo it).');
  if (events) {
    notes.push(`Process events: ${[...events.kinds].map(([k, n]) => `${n.toLocaleString('en-US')} ${k}`).join(', ')}.`);
    if (events.kinds.has('Security 4688') && events.used.get('Timestamp')?.has('@timestamp')) {
      notes.push('Security 4688 records shipped by NXLog carry no UTC event time: their @timestamp (the collector\'s clock, a few seconds late) is used. EventTime is the host\'s local time and is never used as the event time.');
    }
  }
  if (s.rowsRead === 0) notes.push('The file has a header but no data rows.');
  // Advanced Hunting returns at most 30,000 rows in the portal and 100,000 through the API.
  if (s.rowsRead === 30_000 || s.rowsRead === 100_000) {
    notes.push(`Exactly ${s.rowsRead.toLocaleString('en-US')} rows: the ${s.rowsRead === 30_000 ? 'Defender portal' : 'hunting API'} stops there, so this export was probably truncated. Export shorter time ranges.`);
  }
  const timeName = s.shape.columns[s.shape.timeIndex]!.name;
  if (!events) {
    notes.push(s.variant === 'sentinel'
      ? `Sentinel variant: the detection reads ${timeName}.`
      : `Defender variant: the detection reads ${timeName}.`);
  }
  if (events || s.shape.profile === 'SecurityEvent') {
    notes.push(events?.kinds.has('ECS process start')
      ? 'Elastic events carry no UPN: accounts are keyed by user.domain\\user.name (the name alone without a domain).'
      : 'Windows events carry no UPN: accounts are keyed by DOMAIN\\name (Sysmon: User; Security 4688: SubjectDomainName\\SubjectUserName).');
  } else if (s.shape.upnDerived) {
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
  if (internals.get(source)?.keysFromAllRows) return;
  // Keys of the candidates follow their (re-interpreted) times.
  const table = keysTableName(source.id);
  const keys = eventKeysSql(table, source.eventsTable, source.shape);
  if (keys === null) return;
  await engine.exec(createKeysTableSql(table));
  await engine.exec(keys);
  source.keysTable = table;
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
  const inner = internals.get(next)!;
  next.notes = [...inner.readerNotes, ...notesFor(next, inner.events, inner.remembered)];
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
  const canonical = (relation: string) => `(SELECT ${canonicalSelect(source.shape).join(', ')}, ${time} AS lh_time FROM ${relation}${rowFilterSql(source.shape)})`;
  const reread = inner.reread;
  if (reread.kind === 'csv') return engine.query(select(canonical(reread.relation)));
  const out: Row[] = [];
  for await (const batch of reread.open()) {
    const rows = classify(batch.items, null).filter((i) => i.row).map((i) => i.row!);
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
  await engine.exec(`DROP TABLE IF EXISTS ${keysTableName(source.id)}`);
  if (source.engineFile) await engine.dropFile(source.engineFile);
}

/**
 * Point the events view at these sources, leaving out duplicates and Sysmon/Security twins among them. Returns, by
 * source id, how many of its events were left out (sources absent from the map lost none).
 */
export async function refreshEventsView(engine: Engine, sources: readonly LoadedSource[]): Promise<Map<number, RemovedEvents>> {
  await engine.exec(droppedSql(sources.flatMap((s) => (s.keysTable ? [s.keysTable] : []))));
  const byOrdinal = new Map(sources.map((s) => [s.ordinal, s.id]));
  const removed = new Map<number, RemovedEvents>();
  const counts = await engine.query(REMOVED_COUNTS_SQL);
  for (const r of counts) {
    const id = byOrdinal.get(Number(r.lh_src));
    if (id !== undefined) removed.set(id, { twins: Number(r.twins), duplicates: Number(r.duplicates), net: Number(r.net) });
  }
  await engine.exec(eventsViewSql(sources.map((s) => s.eventsTable), counts.length > 0));
  return removed;
}

