import { BlobReader, ZipReader, configure, type Entry, type FileEntry } from '@zip.js/zip.js/lib/zip-core-custom.js';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { RECORDS_PER_POSITION, type JsonItem, type TextCell } from './json-reader';

/**
 * Reads .xlsx workbooks into row objects, streaming the chosen sheet.
 *
 * Why not read-excel-file: its browser build reads the whole file into one ArrayBuffer, inflates every XML part of
 * the workbook at once and builds the whole sheet as an array before returning anything, so a large export needs
 * several times its size in memory; and fflate's async unzip (which it uses) runs every part over 512 KB in a Worker
 * made from a blob: URL of stringified code, which the served build's CSP (workers from 'self' only) refuses.
 *
 * Here zip.js reads the archive through Blob slices (only the central directory and the parts read are touched) and
 * inflates with the browser's own DecompressionStream ('deflate-raw'), on this thread: no Worker, no wasm, no eval.
 * The entry `lib/zip-core-custom.js` is zip.js without its bundled fallback codecs (an inline worker script and an
 * inline zlib wasm), which this app would never use. What stays in memory: the shared-strings table (cells refer
 * to it by index, so it must be whole), the styles' number formats, and one batch of rows.
 */

/** The shared-strings part is held whole as JS strings; past this it would not fit a tab reliably. */
const MAX_SHARED_STRINGS_BYTES = 1024 ** 3;

export interface XlsxBatch {
  items: JsonItem[];
  /** Approximate: the share of the sheet's XML inflated so far, scaled to the file's size. */
  bytesRead: number;
  sheet: string;
  sheets: string[];
}

export interface XlsxOptions {
  /** The sheet to read; the first one when not given. */
  sheet?: string;
  batchRows: number;
  signal?: AbortSignal;
}

let configured = false;
/** zip.js is configured globally; the app never wants its workers (the CSP forbids their URLs anyway). */
function zipJs(): void {
  if (configured) return;
  configure({ useWebWorkers: false });
  configured = true;
}

const CFB_MAGIC = [0xd0, 0xcf, 0x11, 0xe0];
const ZIP_MAGIC = [0x50, 0x4b];

async function checkContainer(file: Blob): Promise<void> {
  const head = new Uint8Array(await file.slice(0, 8).arrayBuffer());
  if (CFB_MAGIC.every((b, i) => head[i] === b)) {
    // Office encrypts a workbook by wrapping it in a Compound File; a legacy .xls is one too.
    throw new Error('password-protected or legacy .xls workbook: save it as .xlsx without a password');
  }
  if (!ZIP_MAGIC.every((b, i) => head[i] === b)) throw new Error('not an .xlsx workbook: the file is not a ZIP archive');
}

// ---------------------------------------------------------------------------------------------------------------
// XML plumbing

/** Element and attribute names without their namespace prefix (some writers use `x:row`, Strict uses other URIs). */
const local = (name: string): string => {
  const i = name.indexOf(':');
  return i < 0 ? name : name.slice(i + 1);
};

function attr(tag: SaxesTagPlain, name: string): string | undefined {
  const direct = tag.attributes[name];
  if (direct !== undefined) return direct;
  for (const [k, v] of Object.entries(tag.attributes)) if (local(k) === name && !k.startsWith('xmlns')) return v;
  return undefined;
}

interface XmlHandlers {
  open?: (name: string, tag: SaxesTagPlain) => void;
  close?: (name: string) => void;
  text?: (text: string) => void;
}

function xmlParser(h: XmlHandlers): SaxesParser {
  const p = new SaxesParser({ position: false });
  p.on('error', (e) => { throw e; });
  if (h.open) { const open = h.open; p.on('opentag', (t) => open(local(t.name), t as SaxesTagPlain)); }
  if (h.close) { const close = h.close; p.on('closetag', (t) => close(local(t.name))); }
  if (h.text) { const text = h.text; p.on('text', text); p.on('cdata', text); }
  return p;
}

/**
 * Inflates one part and yields its text as it comes, with the number of inflated bytes each chunk stood for. The
 * TransformStream gives back-pressure: zip.js reads and inflates only as fast as the caller consumes.
 */
async function* partText(entry: FileEntry, signal?: AbortSignal): AsyncGenerator<{ text: string; bytes: number }> {
  const pipe = new TransformStream<Uint8Array, Uint8Array>();
  const done = entry.getData(pipe.writable, { signal, useWebWorkers: false });
  // A failing inflate may not error the readable side; racing the task's own promise surfaces it either way.
  const failed = done.then(() => new Promise<never>(() => {}));
  failed.catch(() => {});
  const reader = pipe.readable.getReader();
  const decoder = new TextDecoder('utf-8');
  let finished = false;
  try {
    for (;;) {
      signal?.throwIfAborted();
      const { done: end, value } = await Promise.race([reader.read(), failed]);
      if (end) break;
      yield { text: decoder.decode(value, { stream: true }), bytes: value.byteLength };
    }
    const tail = decoder.decode();
    if (tail) yield { text: tail, bytes: 0 };
    await done;
    finished = true;
  } finally {
    if (!finished) await reader.cancel().catch(() => {});
  }
}

async function parsePart(entry: FileEntry, h: XmlHandlers, signal?: AbortSignal): Promise<void> {
  const p = xmlParser(h);
  for await (const { text } of partText(entry, signal)) p.write(text);
  p.close();
}

// ---------------------------------------------------------------------------------------------------------------
// Package structure: workbook, relationships, shared strings, styles

/** Resolve a relationship target against the folder of the part that holds the relationship. */
function resolveTarget(baseFolder: string, target: string): string {
  const parts = (target.startsWith('/') ? target.slice(1) : `${baseFolder}${target}`).split('/');
  const out: string[] = [];
  for (const p of parts) {
    if (p === '..') out.pop();
    else if (p !== '.' && p !== '') out.push(p);
  }
  return out.join('/');
}

const folderOf = (path: string): string => path.slice(0, path.lastIndexOf('/') + 1);
const relsPathOf = (path: string): string => `${folderOf(path)}_rels/${path.slice(path.lastIndexOf('/') + 1)}.rels`;

interface Relationship { type: string; target: string }

interface Workbook {
  entries: Map<string, FileEntry>;
  sheets: { name: string; path: string | undefined }[];
  date1904: boolean;
  sharedStringsPath: string | undefined;
  stylesPath: string | undefined;
}

class Package {
  readonly entries = new Map<string, FileEntry>();
  constructor(list: Entry[]) {
    // Part names are case-insensitive in OPC; some writers use backslashes.
    for (const e of list) if (!e.directory) this.entries.set(e.filename.replace(/\\/g, '/').replace(/^\//, '').toLowerCase(), e);
  }
  get(path: string): FileEntry | undefined {
    return this.entries.get(path.toLowerCase());
  }
  async rels(path: string, signal?: AbortSignal): Promise<Map<string, Relationship>> {
    const out = new Map<string, Relationship>();
    const entry = this.get(relsPathOf(path));
    if (!entry) return out;
    const base = folderOf(path);
    await parsePart(entry, {
      open: (name, t) => {
        if (name !== 'Relationship' || attr(t, 'TargetMode') === 'External') return;
        const id = attr(t, 'Id');
        const target = attr(t, 'Target');
        if (id && target) out.set(id, { type: attr(t, 'Type') ?? '', target: resolveTarget(base, target) });
      },
    }, signal);
    return out;
  }
}

async function openWorkbook(file: Blob, signal?: AbortSignal): Promise<{ zip: ZipReader<unknown>; book: Workbook }> {
  zipJs();
  signal?.throwIfAborted();
  await checkContainer(file);
  const zip = new ZipReader(new BlobReader(file), { useWebWorkers: false });
  try {
    let list: Entry[];
    try {
      list = await zip.getEntries();
    } catch (e) {
      if (signal?.aborted) throw e;
      throw new Error(`not a readable .xlsx workbook: the ZIP archive is damaged (${(e as Error).message})`);
    }
    signal?.throwIfAborted();
    const pkg = new Package(list);
    const rootRels = await pkg.rels('', signal).catch(() => new Map<string, Relationship>());
    const officeDocument = [...rootRels.values()].find((r) => r.type.endsWith('/officeDocument'))?.target;
    const workbookPath = officeDocument && pkg.get(officeDocument) ? officeDocument : 'xl/workbook.xml';
    const workbookEntry = pkg.get(workbookPath);
    if (!workbookEntry) {
      if (pkg.get('xl/workbook.bin')) throw new Error('this is a binary .xlsb workbook: save it as .xlsx');
      if (pkg.get('content.xml')) throw new Error('this is an OpenDocument spreadsheet: save it as .xlsx');
      throw new Error('not an .xlsx workbook: the archive has no xl/workbook.xml');
    }
    if (workbookEntry.encrypted) throw new Error('password-protected workbook: save it as .xlsx without a password');

    const rawSheets: { name: string; rid: string | undefined }[] = [];
    let date1904 = false;
    await parsePart(workbookEntry, {
      open: (name, t) => {
        if (name === 'workbookPr') {
          const v = (attr(t, 'date1904') ?? '').toLowerCase();
          date1904 = v === '1' || v === 'true';
        } else if (name === 'sheet') {
          rawSheets.push({ name: attr(t, 'name') ?? `Sheet${rawSheets.length + 1}`, rid: attr(t, 'id') });
        }
      },
    }, signal);
    const rels = await pkg.rels(workbookPath, signal);
    const ofType = (suffix: string) => [...rels.values()].find((r) => r.type.endsWith(suffix))?.target;
    const guess = (path: string) => (pkg.get(path) ? path : undefined);
    const book: Workbook = {
      entries: pkg.entries,
      sheets: rawSheets.map((s) => ({ name: s.name, path: s.rid ? rels.get(s.rid)?.target : undefined })),
      date1904,
      sharedStringsPath: ofType('/sharedStrings') ?? guess(`${folderOf(workbookPath)}sharedStrings.xml`),
      stylesPath: ofType('/styles') ?? guess(`${folderOf(workbookPath)}styles.xml`),
    };
    return { zip, book };
  } catch (e) {
    await zip.close().catch(() => {});
    throw rethrowable(e, signal);
  }
}

/** Abort errors pass through as they are; anything else not already ours is a damaged workbook. */
function rethrowable(e: unknown, signal?: AbortSignal): Error {
  if (signal?.aborted) return signal.reason instanceof Error ? signal.reason : new DOMException('aborted', 'AbortError');
  if (e instanceof Error && OUR_ERROR.test(e.message)) return e;
  return new Error(`not a readable .xlsx workbook: ${e instanceof Error ? e.message : String(e)}`);
}
const OUR_ERROR = /^(not a readable \.xlsx|not an \.xlsx|password-protected|this is a|no sheet named|the shared strings)/;

/**
 * OOXML escapes characters XML cannot hold as `_xHHHH_` (a literal `_x` sequence is itself escaped as `_x005F_`).
 */
function unescapeOoxml(s: string): string {
  if (!s.includes('_x')) return s;
  return s.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

async function readSharedStrings(pkg: Map<string, FileEntry>, path: string | undefined, signal?: AbortSignal): Promise<string[]> {
  const entry = path ? pkg.get(path.toLowerCase()) : undefined;
  if (!entry) return [];
  if (entry.uncompressedSize > MAX_SHARED_STRINGS_BYTES) {
    throw new Error(`the shared strings table is ${(entry.uncompressedSize / 1024 ** 3).toFixed(1)} GB; at most 1 GB can be held. Save the sheet as CSV instead.`);
  }
  const out: string[] = [];
  let inSi = false;
  let phonetic = 0;
  let inT = false;
  let text = '';
  await parsePart(entry, {
    open: (name) => {
      if (name === 'si') { inSi = true; text = ''; }
      else if (name === 'rPh') phonetic++; // phonetic guides (furigana) are not part of the value
      else if (name === 't' && inSi && phonetic === 0) inT = true;
    },
    close: (name) => {
      if (name === 'si') { out.push(unescapeOoxml(text)); inSi = false; }
      else if (name === 'rPh') phonetic--;
      else if (name === 't') inT = false;
    },
    text: (t) => { if (inT) text += t; },
  }, signal);
  return out;
}

/** How a numeric cell's format shows it: as a date and time, a date alone, or not as a date. */
export type DateKind = 'datetime' | 'date' | 'none';

/**
 * Built-in number formats that are dates or times (ECMA-376 18.8.30). 27–36 and 50–58 are East Asian date and
 * time formats whose exact pattern depends on the locale, so their time part is kept. 46 (`[h]:mm:ss`) is an
 * elapsed duration, not a point in time, and stays a number.
 */
function builtinKind(id: number): DateKind {
  if (id >= 14 && id <= 17) return 'date';
  if ((id >= 18 && id <= 22) || id === 45 || id === 47 || (id >= 27 && id <= 36) || (id >= 50 && id <= 58)) return 'datetime';
  return 'none';
}

/** Classify a custom number format: strip what is not a date/time token, then look for y/m/d and h/s. */
export function formatKind(code: string): DateKind {
  // The first section formats positive numbers, which is what a date is.
  let section = '';
  let quoted = false;
  for (let i = 0; i < code.length; i++) {
    const c = code[i] as string;
    if (c === '"') quoted = !quoted;
    else if (c === '\\' || c === '_' || c === '*') { if (!quoted) { i++; continue; } }
    else if (c === ';' && !quoted) break;
    if (!quoted && c !== '"') section += c;
  }
  // [h] [mm] [ss]: elapsed time, a duration. Other brackets are colours, locales and conditions.
  if (/\[(h+|m+|s+)\]/i.test(section)) return 'none';
  let s = section.replace(/\[[^\]]*\]/g, '').replace(/general/gi, '');
  const ampm = /am\/pm|a\/p/i.test(s);
  s = s.replace(/am\/pm|a\/p/gi, '').toLowerCase();
  const time = ampm || /[hs]/.test(s);
  if (time) return 'datetime';
  return /[ymd]/.test(s) ? 'date' : 'none';
}

async function readStyles(pkg: Map<string, FileEntry>, path: string | undefined, signal?: AbortSignal): Promise<DateKind[]> {
  const entry = path ? pkg.get(path.toLowerCase()) : undefined;
  if (!entry) return [];
  const custom = new Map<number, string>();
  const xfFormats: number[] = [];
  let inCellXfs = false;
  await parsePart(entry, {
    open: (name, t) => {
      if (name === 'numFmt') custom.set(Number(attr(t, 'numFmtId')), attr(t, 'formatCode') ?? '');
      else if (name === 'cellXfs') inCellXfs = true;
      else if (name === 'xf' && inCellXfs) xfFormats.push(Number(attr(t, 'numFmtId') ?? 0));
    },
    close: (name) => { if (name === 'cellXfs') inCellXfs = false; },
  }, signal);
  return xfFormats.map((id) => {
    const code = custom.get(id);
    return code !== undefined ? formatKind(code) : builtinKind(id);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Cell values

const MS_PER_DAY = 86_400_000;
/** 1899-12-30, the day before Excel's day 1 once its fictional 29 Feb 1900 is accounted for. */
const EPOCH_1900 = Date.UTC(1899, 11, 30);
const EPOCH_1904 = Date.UTC(1904, 0, 1);

/**
 * Excel serial date → ISO 8601 UTC. Serials carry no zone: the wall-clock time is written with a `Z`, as it was
 * typed or exported. In the 1900 system Excel believes 1900 was a leap year, so serials 1–59 (before its fictional
 * 29 Feb) sit one day later than 1899-12-30 + n; serial 60 itself reads as 28 Feb.
 */
export function excelSerialToIso(serial: number, date1904: boolean, dateOnly: boolean): string | null {
  if (!Number.isFinite(serial)) return null;
  let ms = Math.round(serial * MS_PER_DAY);
  if (dateOnly) ms = Math.floor(ms / MS_PER_DAY) * MS_PER_DAY;
  let epoch = date1904 ? EPOCH_1904 : EPOCH_1900;
  if (!date1904 && serial >= 1 && serial < 60) epoch += MS_PER_DAY;
  const d = new Date(epoch + ms);
  const year = d.getUTCFullYear();
  if (Number.isNaN(d.getTime()) || year < 0 || year > 9999) return null;
  return d.toISOString();
}

/** A number as text: integers exactly as written (no float round trip), others as JavaScript prints them. */
function numberText(v: string): string {
  const t = v.trim();
  if (/^-?\d+$/.test(t)) return t;
  const n = Number(t);
  return Number.isFinite(n) ? String(n) : t;
}

/** `t="d"` cells hold ISO 8601 text; one without a zone is wall-clock time, written as UTC like serials are. */
function isoCellText(v: string): string {
  const t = v.trim();
  const zoned = /(Z|[+-]\d\d:?\d\d)$/i.test(t) || !t.includes('T') ? t : `${t}Z`;
  const ms = Date.parse(/T/.test(zoned) ? zoned : `${zoned}T00:00:00Z`);
  return Number.isNaN(ms) ? t : new Date(ms).toISOString();
}

// ---------------------------------------------------------------------------------------------------------------
// Header names

/**
 * Column names from header cells: trimmed; an empty one becomes `Column<N>` (N the 1-based column); a repeat gets
 * 1, 2, … appended, as Kusto names repeated columns. Repeats are found case-insensitively because the names become
 * DuckDB columns, and DuckDB would take `Name` and `name` for the same one.
 */
class ColumnNamer {
  private readonly taken = new Set<string>();
  name(raw: TextCell, index: number): string {
    const base = (raw ?? '').trim() || `Column${index + 1}`;
    let name = base;
    for (let k = 1; this.taken.has(name.toLowerCase()); k++) name = `${base}${k}`;
    this.taken.add(name.toLowerCase());
    return name;
  }
}

/** `AB12` → 27 (0-based column of the reference), or -1 when it has no letters. */
function columnOf(ref: string): number {
  let n = 0;
  let i = 0;
  for (; i < ref.length; i++) {
    const c = ref.charCodeAt(i) | 0x20; // lower-case
    if (c < 0x61 || c > 0x7a) break;
    n = n * 26 + (c - 0x60);
  }
  return i === 0 ? -1 : n - 1;
}

// ---------------------------------------------------------------------------------------------------------------
// The sheet

interface SheetRow { r: number; cells: Map<number, string> }

/** Streams `<row>` elements of a sheet part into `SheetRow`s; values are already text. */
function sheetParser(strings: string[], kinds: DateKind[], date1904: boolean, out: SheetRow[]): SaxesParser {
  let inSheetData = false;
  let row: SheetRow | null = null;
  let lastRow = 0;
  let nextCol = 0;
  let cellCol = 0;
  let cellType = 'n';
  let cellStyle = 0;
  let capture: 'v' | 't' | null = null;
  let inIs = false;
  let phonetic = 0;
  let v = '';
  let inline = '';
  let hasV = false;

  const cellValue = (): string | null => {
    switch (cellType) {
      case 's': {
        const s = hasV ? strings[Number(v)] : undefined;
        return s === undefined || s === '' ? null : s;
      }
      case 'inlineStr': return inline === '' ? null : unescapeOoxml(inline);
      case 'str': return hasV && v !== '' ? unescapeOoxml(v) : null;
      case 'b': return hasV ? (v.trim() === '1' || v.trim().toLowerCase() === 'true' ? 'true' : 'false') : null;
      case 'e': return hasV && v !== '' ? v : null; // #N/A, #DIV/0!…: kept as the text Excel shows
      case 'd': return hasV && v.trim() !== '' ? isoCellText(v) : null;
      default: {
        if (!hasV || v.trim() === '') return inline === '' ? null : unescapeOoxml(inline);
        const kind = kinds[cellStyle] ?? 'none';
        if (kind !== 'none') {
          const iso = excelSerialToIso(Number(v), date1904, kind === 'date');
          if (iso !== null) return iso;
        }
        return numberText(v);
      }
    }
  };

  return xmlParser({
    open: (name, t) => {
      if (name === 'sheetData') { inSheetData = true; return; }
      if (!inSheetData) return;
      switch (name) {
        case 'row': {
          // Cell and row attributes are unprefixed in every writer; read directly (this is the hot path).
          const r = Number(t.attributes['r']);
          lastRow = Number.isInteger(r) && r > 0 ? r : lastRow + 1;
          row = { r: lastRow, cells: new Map() };
          nextCol = 0;
          break;
        }
        case 'c': {
          const a = t.attributes;
          const ref = a['r'];
          const col = ref ? columnOf(ref) : -1;
          cellCol = col >= 0 ? col : nextCol;
          cellType = a['t'] ?? 'n';
          cellStyle = Number(a['s'] ?? 0) || 0;
          v = ''; inline = ''; hasV = false; inIs = false; phonetic = 0; capture = null;
          break;
        }
        case 'v': capture = 'v'; hasV = true; break;
        case 'is': inIs = true; break;
        case 'rPh': phonetic++; break;
        case 't': if (inIs && phonetic === 0) capture = 't'; break;
      }
    },
    close: (name) => {
      if (name === 'sheetData') { inSheetData = false; return; }
      if (!inSheetData) return;
      switch (name) {
        case 'v': case 't': capture = null; break;
        case 'is': inIs = false; break;
        case 'rPh': phonetic--; break;
        case 'c': {
          const value = cellValue();
          if (row && value !== null) row.cells.set(cellCol, value);
          nextCol = cellCol + 1;
          break;
        }
        case 'row':
          if (row) out.push(row);
          row = null;
          break;
      }
    },
    text: (t) => {
      if (capture === 'v') v += t;
      else if (capture === 't') inline += t;
    },
  });
}

/** The sheet names of a workbook, in the workbook's order. */
export async function listXlsxSheets(file: Blob): Promise<string[]> {
  const { zip, book } = await openWorkbook(file);
  await zip.close().catch(() => {});
  return book.sheets.map((s) => s.name);
}

/**
 * Read one sheet as row objects. The first non-empty row is the header; each later row becomes an item whose
 * `position` is its row number as Excel shows it. Fully empty rows between data rows (written empty, or not written
 * at all) are reported as skipped, so counts match what a person sees; empty rows after the last data row are not.
 */
export async function* readXlsx(file: Blob, opts: XlsxOptions): AsyncGenerator<XlsxBatch> {
  const { signal } = opts;
  const batchRows = Math.max(1, Math.floor(opts.batchRows));
  const { zip, book } = await openWorkbook(file, signal);
  try {
    const sheets = book.sheets.map((s) => s.name);
    if (sheets.length === 0) throw new Error('not a readable .xlsx workbook: it lists no sheets');
    // Excel treats sheet names case-insensitively (it refuses two that differ only by case).
    const wanted = opts.sheet?.toLowerCase();
    const chosen = opts.sheet === undefined
      ? book.sheets[0]
      : book.sheets.find((s) => s.name === opts.sheet) ?? book.sheets.find((s) => s.name.toLowerCase() === wanted);
    if (!chosen) throw new Error(`no sheet named "${opts.sheet}" in this workbook; its sheets are: ${sheets.map((s) => `"${s}"`).join(', ')}`);
    const sheet = chosen.name;

    let strings: string[];
    let kinds: DateKind[];
    try {
      strings = await readSharedStrings(book.entries, book.sharedStringsPath, signal);
      kinds = await readStyles(book.entries, book.stylesPath, signal);
    } catch (e) {
      throw rethrowable(e, signal);
    }
    const entry = chosen.path ? book.entries.get(chosen.path.toLowerCase()) : undefined;
    if (!entry) throw new Error(`not a readable .xlsx workbook: the part for sheet "${sheet}" is missing`);

    const rows: SheetRow[] = [];
    const parser = sheetParser(strings, kinds, book.date1904, rows);
    const total = Math.max(1, entry.uncompressedSize);
    let inflated = 0;
    const progress = () => Math.min(file.size, Math.round((file.size * inflated) / total));

    let names: string[] | null = null;
    const namer = new ColumnNamer();
    const extraNames = new Map<number, string>();
    let lastPosition = 0; // the last row accounted for: the header, then each data row
    let items: JsonItem[] = [];

    const skip = (position: number): JsonItem => ({ position, record: position * RECORDS_PER_POSITION, skip: 'empty row' });
    const toItem = (r: SheetRow, header: string[]): JsonItem => {
      const row: Record<string, TextCell> = {};
      header.forEach((n, i) => { row[n] = r.cells.get(i) ?? null; });
      // A value right of the header's last name gets a column of its own rather than being dropped.
      const beyond = [...r.cells.keys()].filter((col) => col >= header.length);
      for (const col of beyond.sort((a, b) => a - b)) {
        let n = extraNames.get(col);
        if (n === undefined) { n = namer.name(null, col); extraNames.set(col, n); }
        row[n] = r.cells.get(col) ?? null;
      }
      return { position: r.r, record: r.r * RECORDS_PER_POSITION, row };
    };

    /** Turns parsed rows into items; yields a batch whenever one is full, gaps of empty rows included. */
    const drain = function* (): Generator<XlsxBatch> {
      for (const r of rows) {
        if (r.cells.size === 0) continue;
        if (names === null) {
          const width = Math.max(...r.cells.keys()) + 1;
          names = Array.from({ length: width }, (_, i) => namer.name(r.cells.get(i) ?? null, i));
          lastPosition = r.r;
          continue;
        }
        for (let p = lastPosition + 1; p < r.r; p++) {
          items.push(skip(p));
          if (items.length >= batchRows) { yield { items, bytesRead: progress(), sheet, sheets }; items = []; signal?.throwIfAborted(); }
        }
        items.push(toItem(r, names));
        lastPosition = Math.max(lastPosition, r.r);
        if (items.length >= batchRows) { yield { items, bytesRead: progress(), sheet, sheets }; items = []; signal?.throwIfAborted(); }
      }
      rows.length = 0;
    };

    try {
      for await (const chunk of partText(entry, signal)) {
        inflated += chunk.bytes;
        parser.write(chunk.text);
        yield* drain();
      }
      parser.close();
    } catch (e) {
      throw rethrowable(e, signal);
    }
    yield* drain();
    signal?.throwIfAborted();
    yield { items, bytesRead: file.size, sheet, sheets };
  } finally {
    await zip.close().catch(() => {});
  }
}
