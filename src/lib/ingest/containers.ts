/**
 * Expands .zip and .gz containers into the files they hold, so an export that arrives zipped (a portal download, a
 * malware-sample collection, a folder zipped on a Mac) can be loaded as it is.
 *
 * Nothing here throws for a bad archive: every failure becomes a `problem` line for the sources list and the other
 * members still come out. Only an abort (the caller's `signal`) ends the walk early, by throwing its reason.
 */
import {
  BlobReader,
  BlobWriter,
  ERR_AMBIGUOUS_ARCHIVE,
  ERR_CENTRAL_DIRECTORY_NOT_FOUND,
  ERR_ENCRYPTED,
  ERR_ENCRYPTED_CENTRAL_DIRECTORY,
  ERR_ENTRY_DATA_OUT_OF_BOUNDS,
  ERR_EOCDR_LOCATOR_ZIP64_NOT_FOUND,
  ERR_EOCDR_NOT_FOUND,
  ERR_EXTRAFIELD_ZIP64_NOT_FOUND,
  ERR_INVALID_AUTHENTICATION_CODE,
  ERR_INVALID_COMPRESSED_DATA,
  ERR_INVALID_CRC32,
  ERR_INVALID_PASSWORD,
  ERR_INVALID_UNCOMPRESSED_SIZE,
  ERR_LOCAL_FILE_HEADER_NOT_FOUND,
  ERR_SPLIT_ZIP_FILE,
  ERR_UNSUPPORTED_COMPRESSION,
  ERR_UNSUPPORTED_ENCRYPTION,
  ZipReader,
  configure,
  getSupportedCompressionMethods,
  type Entry,
  type EntryGetDataCheckPasswordOptions,
  type FileEntry,
} from '@zip.js/zip.js/lib/zip-core-custom.js';

// The entry `lib/zip-core-custom.js` is zip.js without its inline worker script and inline zlib wasm (the same entry
// xlsx-reader.ts uses, so the two agree on zip.js's global configuration). The full entry loads its wasm for AES by
// fetch()ing a data: URL, which the page's connect-src 'self' refuses: a CSP violation on every AES archive. Without
// it, members inflate with the platform's DecompressionStream ('deflate-raw') and AES runs in zip.js's JavaScript
// engine with WebCrypto's PBKDF2. The cost: Deflate64 (method 9) members cannot be read, and are reported as such.
// Workers stay off: zip.js would start them from blob: URLs, which the CSP (worker-src 'self') and the single-file
// build (file://) refuse.
configure({ useWebWorkers: false, useCompressionStream: true });

export type ContainerKind = 'zip' | 'gzip';

/** From the first bytes of a file: PK\x03\x04 (also PK\x05\x06 = empty zip) → 'zip'; 1f 8b → 'gzip'; else null. */
export function containerKindOf(head: Uint8Array): ContainerKind | null {
  if (head[0] === 0x50 && head[1] === 0x4b && ((head[2] === 0x03 && head[3] === 0x04) || (head[2] === 0x05 && head[3] === 0x06))) {
    return 'zip';
  }
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  return null;
}

/**
 * An .xlsx/.xlsm workbook is a zip too: true when the zip holds `[Content_Types].xml` and `xl/workbook.xml`.
 * Part names of an Office package are case-insensitive (Open Packaging Conventions), so they are compared so.
 */
export async function zipIsWorkbook(file: Blob): Promise<boolean> {
  if (containerKindOf(await headOf(file)) !== 'zip') return false;
  const reader = new ZipReader(new BlobReader(file), { filenameValidation: 'tolerant' });
  try {
    let types = false;
    let workbook = false;
    for await (const entry of reader.getEntriesGenerator()) {
      const name = entry.filename.toLowerCase();
      if (name === '[content_types].xml') types = true;
      else if (name === 'xl/workbook.xml') workbook = true;
      if (types && workbook) return true;
    }
    return false;
  } catch {
    return false; // an unreadable zip is not a workbook; expanding it reports why
  } finally {
    await reader.close().catch(() => {});
  }
}

export interface ContainerMember { kind: 'member'; path: string; file: Blob }
export interface ContainerProblem { kind: 'problem'; path: string; problem: string }
export interface PasswordRequest { archive: string; member: string; attempt: number }

/**
 * The limits `expandContainer` applies. Exported only so the unit tests can lower them to exercise the rules with
 * small archives (and must restore them); the app never changes them.
 */
export const CONTAINER_LIMITS = {
  /** Containers nested deeper than this (the dropped file is level 1) are reported, not opened. */
  maxDepth: 4,
  /** A member is refused as a zip bomb when it unpacks to more than this many bytes… */
  bombBytes: 2 ** 30,
  /** …and to more than this many times its packed size. Both must hold: a 5 GB log that packs 20:1 is fine. */
  bombRatio: 1000,
};

/** Separates container levels in a member's path: `outer.zip › folder/inner.zip › data.csv`. */
const LEVEL = ' › ';

/** Gzip output is gathered into blobs of about this size, so the browser can keep large output out of the JS heap. */
const GZIP_PART_BYTES = 8 * 2 ** 20;

type Yielded = ContainerMember | ContainerProblem;

interface Options {
  askPassword: (r: PasswordRequest) => Promise<string | null>;
  signal?: AbortSignal;
  onProgress?: (text: string) => void;
}

/** What one call of expandContainer carries down the tree. */
interface Walk {
  opts: Options;
  /** The dropped file's name, left out of progress texts (the user knows which file they dropped). */
  top: string;
  /**
   * Passwords that opened a member during this call, tried first (silently) on every later encrypted member,
   * including those of nested archives: a sample collection uses one password throughout. Held only in this
   * object, which is garbage once the walk ends; never logged, never put in a problem text.
   */
  keyring: string[];
}

/** Per archive: once the user declines a password, later members of the same archive are not asked about. */
interface ArchiveState {
  path: string;
  gaveUp: boolean;
}

/**
 * Expands a .zip or .gz file into its member files, recursively, in archive order. A file that is neither (or is an
 * .xlsx workbook) is yielded back unchanged as a single member under `name`.
 */
export async function* expandContainer(
  file: Blob,
  name: string,
  opts: {
    askPassword: (r: PasswordRequest) => Promise<string | null>;
    signal?: AbortSignal;
    onProgress?: (text: string) => void;
  },
): AsyncGenerator<ContainerMember | ContainerProblem> {
  opts.signal?.throwIfAborted();
  const walk: Walk = { opts, top: name, keyring: [] };
  const kind = containerKindOf(await headOf(file));
  if (kind === null || (kind === 'zip' && (await zipIsWorkbook(file)))) {
    yield { kind: 'member', path: name, file };
    return;
  }
  yield* expand(walk, file, name, kind, 1);
}

async function* expand(walk: Walk, file: Blob, path: string, kind: ContainerKind, depth: number): AsyncGenerator<Yielded> {
  const { maxDepth } = CONTAINER_LIMITS;
  if (depth > maxDepth) {
    yield problem(path, `an archive nested more than ${maxDepth} levels deep; not opened (unpack it yourself if you need it)`);
    return;
  }
  if (kind === 'zip') yield* expandZip(walk, file, path, depth);
  else yield* expandGzip(walk, file, path, depth);
}

/** Something that came out of a container: a file for the loader, or another container to open. */
async function* emit(walk: Walk, file: Blob, path: string, depth: number): AsyncGenerator<Yielded> {
  const kind = containerKindOf(await headOf(file));
  if (kind === 'gzip' || (kind === 'zip' && !(await zipIsWorkbook(file)))) yield* expand(walk, file, path, kind, depth + 1);
  else yield { kind: 'member', path, file };
}

async function* expandZip(walk: Walk, file: Blob, path: string, depth: number): AsyncGenerator<Yielded> {
  const { signal } = walk.opts;
  // Names are only shown, never used to write files, so a hostile `../` name must not hide the rest of the archive.
  const reader = new ZipReader(new BlobReader(file), { filenameValidation: 'tolerant', useWebWorkers: false });
  try {
    let entries: Entry[];
    try {
      entries = await reader.getEntries();
    } catch (error) {
      rethrowIfAborted(signal);
      yield problem(path, archiveProblem(error));
      return;
    }
    const files = entries.filter((e): e is FileEntry => !e.directory);
    const wanted = files.filter((e) => !isMacJunk(e.filename));
    const junk = files.length - wanted.length;
    if (files.length === 0) yield problem(path, 'the archive holds no files');
    const archive: ArchiveState = { path, gaveUp: false };
    const methods = decodableMethods();
    for (const [i, entry] of wanted.entries()) {
      signal?.throwIfAborted();
      const memberPath = path + LEVEL + entry.filename;
      walk.opts.onProgress?.(`unpacking ${relative(walk, memberPath)} (${i + 1} of ${wanted.length})`);
      const refused = refusal(entry, methods);
      if (refused) {
        yield problem(memberPath, refused);
        continue;
      }
      const out = entry.encrypted ? await readEncrypted(walk, archive, entry) : await readPlain(walk, entry);
      if (typeof out === 'string') yield problem(memberPath, out);
      else yield* emit(walk, out, memberPath, depth);
    }
    // One line, so nothing disappears without a word; the entries are Finder metadata, never data.
    if (junk > 0) yield problem(path, `skipped ${junk} macOS metadata ${junk === 1 ? 'entry' : 'entries'} (__MACOSX/, ._*, .DS_Store)`);
  } finally {
    await reader.close().catch(() => {});
  }
}

/** macOS Archive Utility's AppleDouble copies and Finder's folder settings. */
function isMacJunk(filename: string): boolean {
  const parts = filename.split('/');
  const base = parts[parts.length - 1] ?? '';
  return parts[0] === '__MACOSX' || base.startsWith('._') || base === '.DS_Store';
}

/** Why a member is refused before any of it is read, from what the central directory declares. */
function refusal(entry: FileEntry, methods: Set<number>): string | null {
  if (entry.symlink) return 'a symbolic link, not a file; skipped';
  const method = entry.compressionMethod;
  if (!methods.has(method)) {
    return `packed with ${methodName(method)}, which cannot be unpacked here; re-pack it as an ordinary (Deflate) zip`;
  }
  if (entry.encrypted && !entry.zipCrypto && entry.extraFieldAES === undefined) {
    return 'encrypted with a method that cannot be decrypted here (only ZipCrypto and AES zip encryption are supported)';
  }
  // The declared sizes are binding: zip.js stops a member that inflates past its declared size.
  return bombProblem(entry.uncompressedSize, entry.compressedSize);
}

function bombProblem(unpacked: number, packed: number): string | null {
  const { bombBytes, bombRatio } = CONTAINER_LIMITS;
  if (unpacked <= bombBytes || unpacked <= packed * bombRatio) return null;
  const ratio = packed > 0 ? Math.round(unpacked / packed) : Infinity;
  return `refused as a likely zip bomb: it would unpack to ${formatBytes(unpacked)} (more than ${formatBytes(bombBytes)}) from ` +
    `${formatBytes(packed)}, a ratio of ${Number.isFinite(ratio) ? `${ratio.toLocaleString('en')}:1` : 'more than any real export'} ` +
    `(more than ${bombRatio}:1)`;
}

/** Asked per archive, not cached: it follows zip.js's global configuration, which other modules also set. */
function decodableMethods(): Set<number> {
  return new Set(getSupportedCompressionMethods().filter((m) => m.decompression).map((m) => m.compressionMethod));
}

const METHOD_NAMES: Record<number, string> = {
  1: 'Shrink', 6: 'Implode', 9: 'Deflate64', 12: 'bzip2', 14: 'LZMA', 18: 'IBM TERSE', 19: 'IBM LZ77', 93: 'Zstandard',
  94: 'MP3', 95: 'XZ', 96: 'JPEG', 97: 'WavPack', 98: 'PPMd',
};

function methodName(method: number): string {
  const name = METHOD_NAMES[method];
  return name === undefined ? `compression method ${method}` : `${name} compression (method ${method})`;
}

async function readPlain(walk: Walk, entry: FileEntry): Promise<Blob | string> {
  try {
    return await getData(walk, entry, undefined);
  } catch (error) {
    rethrowIfAborted(walk.opts.signal);
    return memberProblem(error);
  }
}

/** How one try of a password went. */
type Attempt = { ok: Blob } | { wrong: true } | { garbled: string } | { failed: string };

async function attempt(walk: Walk, entry: FileEntry, password: string): Promise<Attempt> {
  try {
    return { ok: await getData(walk, entry, password) };
  } catch (error) {
    rethrowIfAborted(walk.opts.signal);
    const message = errorMessage(error);
    // An empty password reads as "no password" to zip.js.
    if (message === ERR_INVALID_PASSWORD || message === ERR_ENCRYPTED) return { wrong: true };
    // ZipCrypto checks a password against one byte, AES against two: about 1 wrong password in 256 (ZipCrypto)
    // passes, and the data then decrypts to garbage that fails to inflate or fails its checksum.
    if (GARBLED.has(message)) return { garbled: memberProblem(error) };
    return { failed: memberProblem(error) };
  }
}

const GARBLED = new Set([ERR_INVALID_CRC32, ERR_INVALID_COMPRESSED_DATA, ERR_INVALID_UNCOMPRESSED_SIZE, ERR_INVALID_AUTHENTICATION_CODE]);

const NO_PASSWORD = 'password-protected; no password given';

async function readEncrypted(walk: Walk, archive: ArchiveState, entry: FileEntry): Promise<Blob | string> {
  const { signal, askPassword } = walk.opts;
  for (const known of walk.keyring) {
    const result = await attempt(walk, entry, known);
    if ('ok' in result) return result.ok;
    // A password that opened other members and passes this one's check is the right one: the member is damaged.
    if ('garbled' in result || 'failed' in result) return 'garbled' in result ? result.garbled : result.failed;
  }
  if (archive.gaveUp) return NO_PASSWORD;
  /** Passwords the user gave for this member that passed the check yet gave garbage: given twice, it is damage. */
  const garbledBy: string[] = [];
  for (let n = 1; ; n++) {
    signal?.throwIfAborted();
    const password = await askPassword({ archive: archive.path, member: entry.filename, attempt: n });
    signal?.throwIfAborted();
    if (password === null) {
      archive.gaveUp = true;
      return NO_PASSWORD;
    }
    const result = await attempt(walk, entry, password);
    if ('ok' in result) {
      if (!walk.keyring.includes(password)) walk.keyring.push(password);
      return result.ok;
    }
    if ('failed' in result) return result.failed;
    if ('garbled' in result) {
      if (garbledBy.includes(password)) return result.garbled;
      garbledBy.push(password);
    }
    // Wrong (or, once, garbled): ask again with the next attempt number.
  }
}

function getData(walk: Walk, entry: FileEntry, password: string | undefined): Promise<Blob> {
  const options: EntryGetDataCheckPasswordOptions = { checkCrc32: true, useWebWorkers: false };
  if (password !== undefined) options.password = password;
  if (walk.opts.signal) options.signal = walk.opts.signal;
  return entry.getData(new BlobWriter(), options);
}

async function* expandGzip(walk: Walk, file: Blob, path: string, depth: number): AsyncGenerator<Yielded> {
  const { signal } = walk.opts;
  const lastLevel = path.split(LEVEL).pop() ?? path;
  // Zip tools on Windows sometimes store `folder\file.gz`.
  const base = lastLevel.split(/[\\/]/).pop() ?? lastLevel;
  if (/\.(tgz|tar\.gz)$/i.test(base)) {
    yield problem(path, TAR_PROBLEM);
    return;
  }
  const memberPath = path + LEVEL + gunzippedName(base, await headOf(file, 1024));
  walk.opts.onProgress?.(`unpacking ${relative(walk, memberPath)}`);
  let out: Blob | string;
  try {
    out = await gunzip(file, signal);
  } catch (error) {
    rethrowIfAborted(signal);
    out = gzipProblem(error);
  }
  if (typeof out === 'string') yield problem(path, out);
  else yield* emit(walk, out, memberPath, depth);
}

const TAR_PROBLEM = 'a gzipped tar archive (.tar.gz / .tgz); tar is not supported here: unpack it and load the files inside';

/** `x.jsonl.gz` → `x.jsonl`; otherwise the name stored in the gzip header, else the name with `(unpacked)`. */
function gunzippedName(base: string, head: Uint8Array): string {
  const stripped = base.replace(/\.(gz|gzip)$/i, '');
  if (stripped !== base && stripped !== '') return stripped;
  return storedName(head) ?? `${base} (unpacked)`;
}

/** The FNAME field of a gzip header (RFC 1952), when the compressor kept the original name. */
function storedName(head: Uint8Array): string | null {
  const flags = head[3] ?? 0;
  if ((flags & 0x08) === 0) return null;
  let at = 10;
  if (flags & 0x04) at += 2 + ((head[10] ?? 0) | ((head[11] ?? 0) << 8)); // FEXTRA
  const end = head.indexOf(0, at);
  if (end <= at) return null;
  // Latin-1 by the RFC; only the last path component, as a display name.
  const name = new TextDecoder('latin1').decode(head.subarray(at, end)).split(/[\\/]/).pop() ?? '';
  return name === '' ? null : name;
}

class GzipRefusal extends Error {}

/**
 * Inflates a gzip file with the platform's DecompressionStream, stopping early for a bomb or a tar archive. The
 * output is gathered into blobs part by part rather than one growing buffer.
 */
async function gunzip(file: Blob, signal: AbortSignal | undefined): Promise<Blob> {
  const { bombBytes, bombRatio } = CONTAINER_LIMITS;
  const stream = file.stream().pipeThrough(new DecompressionStream('gzip'));
  const reader = stream.getReader();
  const parts: Blob[] = [];
  let pending: Uint8Array<ArrayBuffer>[] = [];
  let pendingBytes = 0;
  let total = 0;
  let head: Uint8Array = new Uint8Array(0);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      signal?.throwIfAborted();
      total += value.byteLength;
      // No size is declared up front (the trailer's is modulo 4 GiB), so the rule is applied as the data comes.
      if (total > bombBytes && total > file.size * bombRatio) {
        throw new GzipRefusal(
          `refused as a likely gzip bomb: it unpacks to more than ${formatBytes(bombBytes)} from ${formatBytes(file.size)}, ` +
            `a ratio above ${bombRatio}:1`,
        );
      }
      if (head.length < 262) {
        head = concat(head, value.subarray(0, 262 - head.length));
        if (head.length >= 262 && isTar(head)) throw new GzipRefusal(TAR_PROBLEM);
      }
      pending.push(value);
      pendingBytes += value.byteLength;
      if (pendingBytes >= GZIP_PART_BYTES) {
        parts.push(new Blob(pending));
        pending = [];
        pendingBytes = 0;
      }
    }
  } catch (error) {
    await reader.cancel().catch(() => {});
    throw error;
  }
  parts.push(new Blob(pending));
  return new Blob(parts);
}

/** POSIX tar puts "ustar" at offset 257 of its first header. */
function isTar(head: Uint8Array): boolean {
  return [0x75, 0x73, 0x74, 0x61, 0x72].every((b, i) => head[257 + i] === b);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function gzipProblem(error: unknown): string {
  if (error instanceof GzipRefusal) return error.message;
  const message = errorMessage(error);
  // Several gzip streams one after another (`cat a.gz b.gz`), or padding after the end, are valid gzip; Node reads
  // them, but Chromium's DecompressionStream stops with "Junk found after end of compressed data".
  if (/junk/i.test(message)) {
    return `this gzip file holds data after the end of its first compressed stream (several streams joined, or padding), which this browser cannot read: recompress it as one stream, e.g. gunzip -c file.gz | gzip > single.gz (${message})`;
  }
  // Otherwise the platform's messages differ (Node: "unexpected end of file", "incorrect data check"; Chromium:
  // "Compressed input was truncated", …), so they follow a plain explanation rather than being interpreted.
  return `damaged gzip file: its compressed data is corrupt or cut short (${message})`;
}

/** Plain words for a zip that cannot be opened at all. */
function archiveProblem(error: unknown): string {
  const message = errorMessage(error);
  switch (message) {
    case ERR_EOCDR_NOT_FOUND:
      return 'not a readable zip: its table of contents (at the end of the file) is missing, so the file is probably cut short (an incomplete download or copy) or damaged';
    case ERR_CENTRAL_DIRECTORY_NOT_FOUND:
    case ERR_EOCDR_LOCATOR_ZIP64_NOT_FOUND:
    case ERR_EXTRAFIELD_ZIP64_NOT_FOUND:
      return 'damaged zip: its table of contents is cut short or points to the wrong place';
    case ERR_SPLIT_ZIP_FILE:
      return 'one part of a split (multi-volume) zip: join the parts into one archive first';
    case ERR_ENCRYPTED_CENTRAL_DIRECTORY:
      return 'the list of files in this zip is itself encrypted (PKWARE strong encryption), which is not supported here';
    case ERR_AMBIGUOUS_ARCHIVE:
      return 'refused: this zip can be read in more than one way (it holds more than one table of contents), so what it contains is uncertain';
    default:
      return `could not be read as a zip (${message})`;
  }
}

/** Plain words for a member that cannot be unpacked. */
function memberProblem(error: unknown): string {
  const message = errorMessage(error);
  switch (message) {
    case ERR_INVALID_CRC32:
      return 'damaged: its contents do not match their checksum (CRC-32)';
    case ERR_INVALID_COMPRESSED_DATA:
      return 'damaged: its compressed data cannot be decoded';
    case ERR_INVALID_UNCOMPRESSED_SIZE:
      return 'damaged: it unpacks to a different size than the archive declares';
    case ERR_INVALID_AUTHENTICATION_CODE:
      return 'damaged or altered: its AES authentication code does not match its data';
    case ERR_LOCAL_FILE_HEADER_NOT_FOUND:
    case ERR_ENTRY_DATA_OUT_OF_BOUNDS:
      return 'its data is missing: the archive is cut short or damaged';
    case ERR_AMBIGUOUS_ARCHIVE:
      return 'refused: the archive describes this member in two different ways, so what it holds is uncertain';
    case ERR_UNSUPPORTED_COMPRESSION:
      return 'packed with a compression method that cannot be unpacked here';
    case ERR_UNSUPPORTED_ENCRYPTION:
      return 'encrypted with a method that cannot be decrypted here';
    default:
      return `could not be unpacked (${message})`;
  }
}

function problem(path: string, text: string): ContainerProblem {
  return { kind: 'problem', path, problem: text };
}

/** The path without the dropped file's own name, for progress texts. */
function relative(walk: Walk, path: string): string {
  const prefix = walk.top + LEVEL;
  return path.startsWith(prefix) ? path.slice(prefix.length) : path;
}

async function headOf(file: Blob, bytes = 4): Promise<Uint8Array> {
  return new Uint8Array(await file.slice(0, bytes).arrayBuffer());
}

function rethrowIfAborted(signal: AbortSignal | undefined): void {
  signal?.throwIfAborted();
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function formatBytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${n} bytes` : `${value >= 10 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}
