import { RECORDS_PER_POSITION, type JsonItem } from './json-reader';
import { BinXmlError, ChunkDecoder, FILTERED } from './evtx/binxml';
import { CHUNK_SIZE, FILE_HEADER_SIZE, FLAG_DIRTY, FLAG_FULL, isEvtxMagic, readFileHeader, scanChunk, type FileHeader } from './evtx/chunk';
import { TextReader, ValueError } from './evtx/values';

/**
 * Native reader for Windows event log files (.evtx), for a Web Worker or Node (no DOM, no Node-only APIs).
 * Each event record becomes one row shaped like `evtx_dump` JSON, exactly as `windows-xml.ts` shapes the same
 * event saved as XML: `{ Event: { System: {...}, EventData: { Name: value } } }`, every leaf a string rendered
 * as Windows renders it (see evtx/values.ts).
 *
 * The file is read through `Blob.slice`, 16 chunks (1 MiB) at a time, never whole. Damage stays local: a chunk
 * whose checksum or structure fails is skipped with a problem naming it and later chunks still read; a record
 * whose binary XML cannot be read becomes a reject item; a record cut off by the end of the file is dropped with a
 * problem. A file that was not closed cleanly (copied off a running system) still yields every complete record,
 * with a note: that includes records past a chunk's recorded end, and, when the dirty flag is set, the
 * well-framed records of a chunk whose records checksum is stale (with a problem saying they are unverified).
 * Only a file that is not EVTX at all throws.
 */

/** Trouble found while reading; `chunk` is the 0-based chunk index, or null for the file as a whole. */
export interface EvtxProblem { chunk: number | null; problem: string }

export interface EvtxBatch {
  items: JsonItem[];
  /** Bytes of the file read so far. */
  bytesRead: number;
  /** Problems and notes found since the previous batch (each is reported once): collect them across batches. */
  problems: EvtxProblem[];
  notes: string[];
}

/** Skip reason of the records that `eventIds` filters out. */
export const OTHER_EVENTS_SKIP = 'other Windows events (not Sysmon 1 or Security 4688)';

/** Chunks read per `Blob.slice`: 1 MiB keeps the number of reads low and memory flat. */
const CHUNKS_PER_READ = 16;

function abortError(): Error {
  return new DOMException('reading the EVTX file was aborted', 'AbortError');
}

const hex = (n: number): string => `0x${n.toString(16)}`;
const chunkOffset = (index: number): number => FILE_HEADER_SIZE + index * CHUNK_SIZE;

/** Everything learnt while reading, for the notes at the end. */
interface Tally {
  chunksWithRecords: number;
  maxRecordId: number;
  recovered: number;
  recoveredChunks: number[];
}

/**
 * Stream the records of `file` in batches of at least `batchRows` items (whole chunks are never split), then a
 * last batch with the rest (possibly empty). `position` is the record's 1-based ordinal in reading order and
 * `record` = position × RECORDS_PER_POSITION. With `eventIds`, records whose EventID is not in it become skip items
 * and their EventData is not rendered.
 */
export async function* readEvtx(
  file: Blob,
  opts: { batchRows: number; signal?: AbortSignal; eventIds?: ReadonlySet<string> },
): AsyncGenerator<EvtxBatch> {
  const { signal, eventIds } = opts;
  const batchRows = Math.max(1, Math.floor(opts.batchRows) || 1);
  if (signal?.aborted) throw abortError();

  const head = new Uint8Array(await file.slice(0, FILE_HEADER_SIZE).arrayBuffer());
  if (signal?.aborted) throw abortError();
  if (!isEvtxMagic(head)) {
    throw new Error(file.size === 0
      ? 'not an EVTX file: the file is empty'
      : 'not an EVTX file: it does not start with the "ElfFile" signature of Windows event logs');
  }
  if (head.length < 0x80) throw new Error(`not a readable EVTX file: it ends inside its file header (${head.length} bytes)`);

  const header = readFileHeader(head);
  let items: JsonItem[] = [];
  let problems: EvtxProblem[] = [];
  let notes: string[] = [];
  if (!header.checksumOk) problems.push({ chunk: null, problem: 'file header checksum mismatch; its counts are not trusted' });
  if (header.majorVersion !== 3) notes.push(`unexpected EVTX format version ${header.majorVersion}.${header.minorVersion}; read as version 3`);
  if (header.flags & FLAG_FULL) notes.push('the log was full when this file was saved: the oldest events may have been dropped');

  const slots = Math.max(0, Math.ceil((file.size - FILE_HEADER_SIZE) / CHUNK_SIZE));
  if (header.checksumOk && header.chunkCount > slots) {
    problems.push({ chunk: null, problem: `the header counts ${header.chunkCount} chunks but the file holds ${slots}: it seems cut short` });
  }

  const text = new TextReader();
  const tally: Tally = { chunksWithRecords: 0, maxRecordId: 0, recovered: 0, recoveredChunks: [] };
  let position = 0;
  let bytesRead = Math.min(file.size, FILE_HEADER_SIZE);

  const read = (first: number): Promise<ArrayBuffer> => {
    const start = chunkOffset(first);
    return file.slice(start, Math.min(file.size, start + CHUNKS_PER_READ * CHUNK_SIZE)).arrayBuffer();
  };
  let next: Promise<ArrayBuffer> | null = slots > 0 ? read(0) : null;
  try {
    for (let first = 0; first < slots; first += CHUNKS_PER_READ) {
      const buffer = await next!;
      // Ask for the next slice before parsing this one, so reading overlaps parsing.
      next = first + CHUNKS_PER_READ < slots ? read(first + CHUNKS_PER_READ) : null;
      if (signal?.aborted) throw abortError();
      const group = new Uint8Array(buffer);
      for (let k = 0; k * CHUNK_SIZE < group.length; k++) {
        const index = first + k;
        const bytes = group.subarray(k * CHUNK_SIZE, Math.min(group.length, (k + 1) * CHUNK_SIZE));
        position = readChunk(bytes, index, position, { text, eventIds, dirty: (header.flags & FLAG_DIRTY) !== 0, items, problems, tally });
        bytesRead += bytes.length;
        if (items.length >= batchRows) {
          yield { items, bytesRead, problems, notes };
          items = [];
          problems = [];
          notes = [];
          if (signal?.aborted) throw abortError();
        }
      }
    }
  } finally {
    next?.catch(() => undefined); // abandoned after an abort or error: nobody awaits it any more
  }

  const dirty = dirtyReasons(header, tally);
  if (dirty.length > 0) {
    notes.push(`the file was not closed cleanly (${dirty.join('; ')}), as when it is copied off a running system: every complete record was read`);
  }
  yield { items, bytesRead, problems, notes };
}

interface ChunkContext {
  text: TextReader;
  eventIds: ReadonlySet<string> | undefined;
  /** The file's dirty flag: chunk checksums may be stale (see scanChunk). */
  dirty: boolean;
  items: JsonItem[];
  problems: EvtxProblem[];
  tally: Tally;
}

/** Read one chunk's records into `ctx.items`; returns the position of the last record read. */
function readChunk(bytes: Uint8Array, index: number, position: number, ctx: ChunkContext): number {
  const where = `chunk ${index} (offset ${hex(chunkOffset(index))})`;
  const scan = scanChunk(bytes, ctx.dirty);
  if (scan.kind === 'empty') return position; // never written: preallocated space, not damage
  if (scan.kind === 'broken') {
    ctx.problems.push({ chunk: index, problem: `${where}: ${scan.problem}; skipped` });
    return position;
  }
  for (const problem of scan.problems) ctx.problems.push({ chunk: index, problem: `${where}: ${problem}` });
  if (scan.records.length > 0) ctx.tally.chunksWithRecords++;
  if (scan.recovered > 0) {
    ctx.tally.recovered += scan.recovered;
    ctx.tally.recoveredChunks.push(index);
  }
  const decoder = new ChunkDecoder(bytes, ctx.text);
  for (const r of scan.records) {
    position++;
    const record = position * RECORDS_PER_POSITION;
    if (r.id > ctx.tally.maxRecordId) ctx.tally.maxRecordId = r.id;
    try {
      const row = decoder.render(r.offset + 24, r.offset + r.size - 4, ctx.eventIds);
      ctx.items.push(row === FILTERED ? { position, record, skip: OTHER_EVENTS_SKIP } : { position, record, row });
    } catch (e) {
      if (!(e instanceof BinXmlError || e instanceof ValueError || e instanceof RangeError)) throw e;
      // DataView reports reads past the chunk as RangeError: damage that points outside the chunk.
      const why = e instanceof RangeError ? 'it points past the end of its chunk' : e.message;
      ctx.items.push({ position, record, reject: `unreadable event record ${r.id} in ${where}: ${why}` });
    }
  }
  return position;
}

function dirtyReasons(header: FileHeader, tally: Tally): string[] {
  const reasons: string[] = [];
  if (header.flags & FLAG_DIRTY) reasons.push('its dirty flag is set');
  if (header.checksumOk && tally.chunksWithRecords > header.chunkCount) {
    reasons.push(`its header counts ${header.chunkCount} chunk${header.chunkCount === 1 ? '' : 's'} but ${tally.chunksWithRecords} hold records`);
  }
  if (header.checksumOk && tally.maxRecordId >= header.nextRecordId && tally.maxRecordId > 0) {
    reasons.push(`its header's next record number (${header.nextRecordId}) is not past the last record (${tally.maxRecordId})`);
  }
  if (tally.recovered > 0) {
    reasons.push(`${tally.recovered} record${tally.recovered === 1 ? '' : 's'} lay past the recorded end of chunk ${tally.recoveredChunks.join(', ')}`);
  }
  return reasons;
}
