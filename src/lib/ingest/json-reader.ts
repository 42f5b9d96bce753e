import type { SourceFormat } from './source';
import { yieldToPage } from './yield';

/**
 * Turns JSON exports into flat rows of text cells. A single document (API/Graph envelope or array) is read whole
 * (it cannot be streamed without a streaming parser), up to MAX_JSON_DOCUMENT_BYTES; JSON lines are streamed.
 */
export const MAX_JSON_DOCUMENT_BYTES = 1024 ** 3;
export const PROCESS_CATEGORY = 'advancedhunting-deviceprocessevents';

/** A JSON value as a table cell: text, or null. */
export type TextCell = string | null;

export interface JsonItem {
  /** Line number (JSON lines) or 1-based item index (document). */
  position: number;
  /** Source order: records nested in one line or item (`{"records":[...]}`) follow each other within it. */
  record: number;
  row?: Record<string, unknown>;
  skip?: string;
  reject?: string;
}

export interface JsonBatch {
  items: JsonItem[];
  bytesRead: number;
}

export interface JsonMeta {
  format: SourceFormat;
  /** Column names and types declared by an envelope's schema, in order. */
  schema?: { name: string; type?: string }[];
}

/** Text of a JSON value as a table cell: strings as they are, other values as JSON text. */
export function cellText(value: unknown): TextCell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function key(obj: Record<string, unknown>, name: string): string | undefined {
  const lower = name.toLowerCase();
  return Object.keys(obj).find((k) => k.toLowerCase() === lower);
}

/** Expand one JSON value into process-event rows: plain rows, streaming-API records, or `{records:[...]}`. */
/** Records within one line or item: the record number is position × 2^20 + index, so order is kept. */
export const RECORDS_PER_POSITION = 2 ** 20;

export function itemsOf(value: unknown, position: number, out: JsonItem[], meta: { streaming: boolean }, nested = { index: 0 }): void {
  const record = position * RECORDS_PER_POSITION + Math.min(nested.index++, RECORDS_PER_POSITION - 1);
  if (!isObject(value)) {
    out.push({ position, record, reject: Array.isArray(value) ? 'an array where a row object was expected' : 'not a JSON object' });
    return;
  }
  const recordsKey = key(value, 'records');
  if (recordsKey && Array.isArray(value[recordsKey])) {
    for (const r of value[recordsKey] as unknown[]) itemsOf(r, position, out, meta, nested);
    return;
  }
  const categoryKey = key(value, 'category');
  const propertiesKey = key(value, 'properties');
  if (categoryKey && propertiesKey && isObject(value[propertiesKey])) {
    meta.streaming = true;
    const category = String(value[categoryKey]);
    if (category.toLowerCase() === PROCESS_CATEGORY) out.push({ position, record, row: value[propertiesKey] as Record<string, unknown> });
    else out.push({ position, record, skip: `other table (${category.slice(0, 80)})` });
    return;
  }
  out.push({ position, record, row: value });
}

export async function readJsonDocument(file: Blob, encoding: 'utf-8' | 'utf-16le' = 'utf-8'): Promise<{ meta: JsonMeta; items: JsonItem[] }> {
  if (file.size > MAX_JSON_DOCUMENT_BYTES) {
    throw new Error(`this single JSON document is ${(file.size / 1024 ** 3).toFixed(2)} GB; at most 1 GB can be read whole. ` +
      'Export it as JSON lines (one row per line), which is streamed, or split it.');
  }
  let value: unknown;
  try {
    let text = new TextDecoder(encoding).decode(await file.arrayBuffer());
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    value = JSON.parse(text);
  } catch (e) {
    throw new Error(`not valid JSON: ${(e as Error).message}`);
  }
  const items: JsonItem[] = [];
  const flags = { streaming: false };
  let meta: JsonMeta = { format: 'JSON array of rows' };
  if (Array.isArray(value)) {
    value.forEach((v, i) => itemsOf(v, i + 1, items, flags));
  } else if (isObject(value)) {
    const resultsKey = key(value, 'results');
    const schemaKey = key(value, 'schema');
    if (resultsKey && Array.isArray(value[resultsKey])) {
      meta = { format: resultsKey === 'Results' ? 'Advanced Hunting API JSON' : 'Graph runHuntingQuery JSON' };
      if (schemaKey && Array.isArray(value[schemaKey])) {
        meta.schema = (value[schemaKey] as unknown[]).filter(isObject).map((s) => {
          const n = key(s, 'name');
          const t = key(s, 'type');
          return { name: String(n ? s[n] : ''), type: t ? String(s[t]) : undefined };
        }).filter((s) => s.name !== '');
      }
      (value[resultsKey] as unknown[]).forEach((v, i) => itemsOf(v, i + 1, items, flags));
    } else {
      meta = { format: 'JSON lines' }; // one row object on one line
      itemsOf(value, 1, items, flags);
    }
  } else {
    throw new Error('the JSON document is neither an object nor an array of rows');
  }
  if (flags.streaming) meta.format = 'Defender streaming API JSON';
  return { meta, items };
}

const YIELD_EVERY_LINES = 1_000;

/** Stream JSON lines in batches; a line that is not valid JSON is rejected with its line number. */
export async function* readJsonLines(file: Blob, batchRows: number, encoding: 'utf-8' | 'utf-16le' = 'utf-8'): AsyncGenerator<JsonBatch & { streaming: boolean }> {
  const reader = file.stream().getReader();
  const decoder = new TextDecoder(encoding);
  let carry = '';
  let line = 0;
  let bytesRead = 0;
  let items: JsonItem[] = [];
  const flags = { streaming: false };
  const take = (text: string) => {
    line++;
    const trimmed = line === 1 && text.charCodeAt(0) === 0xfeff ? text.slice(1).trim() : text.trim();
    if (trimmed === '') return;
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch {
      items.push({ position: line, record: line * RECORDS_PER_POSITION, reject: 'not valid JSON' });
      return;
    }
    itemsOf(value, line, items, flags);
  };
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytesRead += value.byteLength;
    const text = carry + decoder.decode(value, { stream: true });
    let from = 0;
    let nl: number;
    while ((nl = text.indexOf('\n', from)) >= 0) {
      take(text.slice(from, nl));
      from = nl + 1;
      // Let the page breathe: parsing a whole batch in one go would block it for seconds.
      if (line % YIELD_EVERY_LINES === 0) await yieldToPage();
    }
    carry = text.slice(from);
    if (items.length >= batchRows) {
      yield { items, bytesRead, streaming: flags.streaming };
      items = [];
    }
  }
  carry += decoder.decode();
  if (carry.trim() !== '') take(carry);
  yield { items, bytesRead, streaming: flags.streaming };
}
