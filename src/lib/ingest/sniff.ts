import { guessDelimiter, parseCsvPrefix } from './csv-text';
import { looksLikeWindowsEventXml } from './windows-xml';

/** Recognise a file by its content, never its extension. */
export type TextEncoding = 'utf-8' | 'utf-16le';

export type Sniffed =
  | { kind: 'csv'; encoding: TextEncoding; delimiter: string; header: string[]; sample: string[][] }
  | { kind: 'json-document'; encoding: TextEncoding }
  | { kind: 'json-lines'; encoding: TextEncoding }
  | { kind: 'xml'; encoding: TextEncoding }
  /** A zip: an archive of files, or an .xlsx workbook (the caller tells them apart). */
  | { kind: 'zip' }
  | { kind: 'gzip' }
  | { kind: 'parquet' }
  /** A Windows event log file (`ElfFile\0`). */
  | { kind: 'evtx' }
  | { kind: 'unsupported'; problem: string };

export const SNIFF_BYTES = 1 << 20;

const MAGIC: [number[], Sniffed][] = [
  [[0x50, 0x4b, 0x03, 0x04], { kind: 'zip' }],
  [[0x50, 0x4b, 0x05, 0x06], { kind: 'zip' }],
  [[0x1f, 0x8b], { kind: 'gzip' }],
  [[0x50, 0x41, 0x52, 0x31], { kind: 'parquet' }],
  [[0x45, 0x6c, 0x66, 0x46, 0x69, 0x6c, 0x65, 0x00], { kind: 'evtx' }],
  [[0x28, 0xb5, 0x2f, 0xfd], { kind: 'unsupported', problem: 'this is a zstd-compressed file; decompress it first (zstd -d)' }],
  [[0xd0, 0xcf, 0x11, 0xe0], { kind: 'unsupported', problem: 'this is a legacy .xls or a password-protected workbook; save it as .xlsx without a password' }],
];

/**
 * Binary data is full of NUL and control bytes; a text export has almost none. A single NUL is not enough: a log
 * value may hold one, and refusing the file for it would let one hostile value hide a whole export.
 */
function looksBinary(head: Uint8Array): boolean {
  let control = 0;
  for (const b of head) if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) control++;
  return control > Math.max(8, head.length * 0.05);
}

export async function sniff(file: Blob): Promise<Sniffed> {
  const bytes = new Uint8Array(await file.slice(0, SNIFF_BYTES).arrayBuffer());
  if (bytes.length === 0) return { kind: 'unsupported', problem: 'the file is empty' };
  for (const [magic, sniffed] of MAGIC) {
    if (magic.every((b, i) => bytes[i] === b)) return sniffed;
  }
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    return { kind: 'unsupported', problem: 'the file is UTF-16 big-endian text; save it as UTF-8 (or UTF-16 LE) and load it again' };
  }
  // Windows PowerShell's Export-Csv and Out-File write UTF-16 LE with a byte-order mark.
  const encoding: TextEncoding = bytes[0] === 0xff && bytes[1] === 0xfe ? 'utf-16le' : 'utf-8';
  if (encoding === 'utf-8' && looksBinary(bytes.subarray(0, 4096))) return { kind: 'unsupported', problem: 'the file is binary, not a text export' };

  const isWholeFile = file.size <= SNIFF_BYTES;
  // A prefix may end inside a multi-byte character; the replacement character it leaves is past anything we read.
  let text = new TextDecoder(encoding).decode(bytes);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const start = text.search(/\S/);
  if (start < 0) return { kind: 'unsupported', problem: 'the file holds only white space' };
  const first = text[start];
  if (first === '<') {
    return looksLikeWindowsEventXml(text.slice(start))
      ? { kind: 'xml', encoding }
      : { kind: 'unsupported', problem: 'XML that is not a Windows event export (expected <Events> or <Event> elements, as wevtutil qe /f:xml or Event Viewer "Save as XML" write)' };
  }
  if (first === '[') return { kind: 'json-document', encoding };
  if (first === '{') {
    const lineEnd = text.indexOf('\n', start);
    // No line break in the prefix: one document (an API response saved on one line), read whole.
    if (lineEnd < 0) return { kind: 'json-document', encoding };
    try {
      JSON.parse(text.slice(start, lineEnd));
    } catch {
      return { kind: 'json-document', encoding }; // pretty-printed
    }
    const onlyLine = isWholeFile && text.slice(lineEnd).trim() === '';
    return onlyLine ? { kind: 'json-document', encoding } : { kind: 'json-lines', encoding };
  }
  const lineEnd = text.search(/\r?\n/);
  const delimiter = guessDelimiter(lineEnd < 0 ? text : text.slice(0, lineEnd));
  const { records } = parseCsvPrefix(text, delimiter, 200, isWholeFile);
  const header = records[0];
  if (!header || header.length < 2) {
    return { kind: 'unsupported', problem: 'not a recognised export: neither JSON nor a CSV file with a header row' };
  }
  return { kind: 'csv', encoding, delimiter, header, sample: records.slice(1) };
}
