/**
 * EVTX file and chunk framing: the 4 KiB file header, then 64 KiB chunks, each a 512-byte header (with the
 * CRC-32 of its own fields and of its records) followed by event records. Layout per the libevtx documentation
 * and MS-EVEN6; offsets below are from the start of the header or chunk.
 */
import { crc32 } from './crc32';

export const FILE_HEADER_SIZE = 0x1000;
export const CHUNK_SIZE = 0x10000;
export const CHUNK_HEADER_SIZE = 0x200;
const RECORD_HEADER_SIZE = 24;
/** Record header plus the copy of its size at its end. */
const MIN_RECORD_SIZE = RECORD_HEADER_SIZE + 4;
const RECORD_MAGIC = 0x00002a2a;

const FILE_MAGIC = [0x45, 0x6c, 0x66, 0x46, 0x69, 0x6c, 0x65, 0x00]; // "ElfFile\0"
const CHUNK_MAGIC = [0x45, 0x6c, 0x66, 0x43, 0x68, 0x6e, 0x6b, 0x00]; // "ElfChnk\0"

export const FLAG_DIRTY = 0x1;
export const FLAG_FULL = 0x2;

const hasMagic = (bytes: Uint8Array, magic: number[]): boolean => magic.every((b, i) => bytes[i] === b);

function u64(view: DataView, at: number): number {
  return view.getUint32(at + 4, true) * 0x100000000 + view.getUint32(at, true);
}

export interface FileHeader {
  /** Chunk count the header claims (it lags behind in a file that was not closed). */
  chunkCount: number;
  nextRecordId: number;
  majorVersion: number;
  minorVersion: number;
  flags: number;
  checksumOk: boolean;
}

export function isEvtxMagic(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && hasMagic(bytes, FILE_MAGIC);
}

/** Fields of the file header in `bytes` (at least its first 128 bytes); the magic must already be checked. */
export function readFileHeader(bytes: Uint8Array): FileHeader {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    nextRecordId: u64(view, 0x18),
    minorVersion: view.getUint16(0x24, true),
    majorVersion: view.getUint16(0x26, true),
    chunkCount: view.getUint16(0x2a, true),
    flags: view.getUint32(0x78, true),
    checksumOk: crc32(bytes, 0, 0x78) === view.getUint32(0x7c, true),
  };
}

export interface RecordSpan {
  /** Chunk offset of the record header. */
  offset: number;
  size: number;
  /** Record number from the record header (not the EventRecordID inside the event). */
  id: number;
}

export type ChunkScan =
  | { kind: 'empty' }
  | { kind: 'broken'; problem: string }
  | {
    kind: 'records';
    records: RecordSpan[];
    /** Records found past the header's end of records: written after the header was last saved. */
    recovered: number;
    /** Trouble that cost part of the chunk (a record cut off by the end of the file), not all of it. */
    problems: string[];
  };

function allZero(bytes: Uint8Array, to: number): boolean {
  for (let i = 0; i < to; i++) if (bytes[i] !== 0) return false;
  return true;
}

/**
 * Check a chunk's header and checksums and find its records. `bytes` holds the chunk as far as the file goes
 * (less than CHUNK_SIZE only for a file cut short). A chunk never written (all zero) is 'empty'; a bad signature,
 * header checksum or record structure makes it 'broken', since its records cannot be trusted, and so does a bad
 * records checksum, unless `dirty`: in a file that was not closed, the chunk being written when it was copied
 * often has a stale checksum (its header saved before its last records, or the reverse), so its well-framed
 * records up to the first break are read, with a problem saying they are unverified.
 */
export function scanChunk(bytes: Uint8Array, dirty: boolean): ChunkScan {
  const available = bytes.length;
  if (available < CHUNK_HEADER_SIZE || !hasMagic(bytes, CHUNK_MAGIC)) {
    if (allZero(bytes, available)) return { kind: 'empty' };
    if (available < CHUNK_HEADER_SIZE && hasMagic(bytes, CHUNK_MAGIC)) {
      return { kind: 'broken', problem: `the file ends inside the chunk header (${available} of ${CHUNK_HEADER_SIZE} bytes); its records are lost` };
    }
    return { kind: 'broken', problem: 'not a chunk (no ElfChnk signature)' };
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerCrc = crc32(bytes, 0x80, CHUNK_HEADER_SIZE, crc32(bytes, 0, 0x78));
  if (headerCrc !== view.getUint32(0x7c, true)) return { kind: 'broken', problem: 'header checksum mismatch' };
  const freeOffset = view.getUint32(0x30, true);
  if (freeOffset < CHUNK_HEADER_SIZE || freeOffset > CHUNK_SIZE) {
    return { kind: 'broken', problem: `its end of records (0x${freeOffset.toString(16)}) is outside the chunk` };
  }
  const problems: string[] = [];
  let lenient = false;
  if (available === CHUNK_SIZE) {
    if (crc32(bytes, CHUNK_HEADER_SIZE, freeOffset) !== view.getUint32(0x34, true)) {
      if (!dirty) return { kind: 'broken', problem: 'records checksum mismatch' };
      lenient = true;
    }
  } else {
    problems.push(`the file ends inside this chunk (${available} of ${CHUNK_SIZE} bytes), so its records checksum cannot be checked`);
    lenient = true;
  }

  const records: RecordSpan[] = [];
  let at = CHUNK_HEADER_SIZE;
  let breakage: string | null = null;
  while (at < freeOffset) {
    if (at + RECORD_HEADER_SIZE > available) {
      problems.push(`the record at chunk offset 0x${at.toString(16)} is cut short by the end of the file; dropped`);
      break;
    }
    if (view.getUint32(at, true) !== RECORD_MAGIC) {
      breakage = `no event record at chunk offset 0x${at.toString(16)}`;
      break;
    }
    const size = view.getUint32(at + 4, true);
    const id = u64(view, at + 8);
    if (size < MIN_RECORD_SIZE || at + size > freeOffset) {
      breakage = `the record at chunk offset 0x${at.toString(16)} has an impossible size (${size} bytes)`;
      break;
    }
    if (at + size > available) {
      problems.push(`record ${id} (chunk offset 0x${at.toString(16)}) is cut short by the end of the file; dropped`);
      break;
    }
    if (view.getUint32(at + size - 4, true) !== size) {
      breakage = `the record at chunk offset 0x${at.toString(16)} does not end where its size says`;
      break;
    }
    records.push({ offset: at, size, id });
    at += size;
  }
  if (breakage !== null && !lenient) return { kind: 'broken', problem: breakage };
  if (lenient && available === CHUNK_SIZE) {
    const read = `${records.length} well-formed record${records.length === 1 ? ' was' : 's were'} read but cannot be verified`;
    const rest = breakage === null ? '' : `; ${breakage}, so the rest of the chunk was skipped`;
    problems.push(`records checksum mismatch, as in a chunk being written when a log is copied (the file's dirty flag is set): ${read}${rest}`);
  } else if (breakage !== null) {
    problems.push(`${breakage}; the rest of the chunk was skipped`);
  }

  // A chunk being written when the file was copied may hold whole records past the end its header records.
  // Only records that continue the numbering and are framed consistently are taken.
  let recovered = 0;
  if (at === freeOffset) {
    let nextId = records.length > 0 ? records[records.length - 1]!.id + 1 : u64(view, 0x18);
    while (at + MIN_RECORD_SIZE <= available && view.getUint32(at, true) === RECORD_MAGIC) {
      const size = view.getUint32(at + 4, true);
      if (size < MIN_RECORD_SIZE || at + size > CHUNK_SIZE || u64(view, at + 8) !== nextId) break;
      if (at + size > available) {
        problems.push(`record ${nextId} (chunk offset 0x${at.toString(16)}) is cut short by the end of the file; dropped`);
        break;
      }
      if (view.getUint32(at + size - 4, true) !== size) break;
      records.push({ offset: at, size, id: nextId });
      recovered++;
      nextId++;
      at += size;
    }
  }
  return { kind: 'records', records, recovered, problems };
}
