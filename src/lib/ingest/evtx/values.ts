/**
 * Text of EVTX substitution values, as Windows renders them in event XML (MS-EVEN6 §2.2.12.3), so a row read
 * from a .evtx file equals the row read from the same event saved as XML:
 * integers in decimal, hex types as `0x` + lowercase digits without padding (`0x3b5e64`), GUIDs as
 * `{5770385F-C22A-43E0-BF4C-06F5698FFBD9}`, FILETIME and SYSTEMTIME as `2019-05-24T01:33:53.1124860Z`
 * (7 fractional digits, like Event Viewer and `wevtutil`), booleans `true`/`false`, binary as uppercase hex,
 * SIDs as `S-1-5-18`. Arrays render one text per item (the caller repeats the element, as the spec says).
 */

/** Substitution value types (MS-EVEN6 2.2.12); a plain object, as `const enum` does not cross modules under isolatedModules. */
export const ValueType = {
  Null: 0x00,
  String: 0x01,
  AnsiString: 0x02,
  Int8: 0x03,
  UInt8: 0x04,
  Int16: 0x05,
  UInt16: 0x06,
  Int32: 0x07,
  UInt32: 0x08,
  Int64: 0x09,
  UInt64: 0x0a,
  Real32: 0x0b,
  Real64: 0x0c,
  Bool: 0x0d,
  Binary: 0x0e,
  Guid: 0x0f,
  SizeT: 0x10,
  FileTime: 0x11,
  SysTime: 0x12,
  Sid: 0x13,
  HexInt32: 0x14,
  HexInt64: 0x15,
  EvtHandle: 0x20,
  BinXml: 0x21,
  EvtXml: 0x23,
  /** Added to a scalar type for an array of it (`0x81` = array of strings). */
  ArrayFlag: 0x80,
} as const;

/** Bytes per item of the fixed-size types; 0 for variable-size ones (strings, binary, SID). */
const FIXED_SIZE: readonly number[] = (() => {
  const size = new Array<number>(0x16).fill(0);
  size[ValueType.Int8] = size[ValueType.UInt8] = 1;
  size[ValueType.Int16] = size[ValueType.UInt16] = 2;
  size[ValueType.Int32] = size[ValueType.UInt32] = size[ValueType.Real32] = size[ValueType.Bool] = size[ValueType.HexInt32] = 4;
  size[ValueType.Int64] = size[ValueType.UInt64] = size[ValueType.Real64] = size[ValueType.FileTime] = size[ValueType.HexInt64] = 8;
  size[ValueType.Guid] = size[ValueType.SysTime] = 16;
  return size;
})();

const HEX_UPPER: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).toUpperCase().padStart(2, '0'));

/** Decodes UTF-16 LE and ANSI text; one decoder of each for the whole file. */
export class TextReader {
  private readonly utf16 = new TextDecoder('utf-16le');
  private ansi: TextDecoder | null = null;

  /** Character codes of a short string being read; reused so reading one allocates only the string. */
  private readonly codes: number[] = [];

  /**
   * `count` UTF-16 units at `at`, cut at the first NUL (Windows strings are C strings; the padding after one is
   * not text). Strings up to 32 units (most names and values) are made by one `String.fromCharCode` call, which
   * costs less than a `TextDecoder` call; longer ones go through the decoder. Both give flat strings (building one
   * character by character would leave a rope of small pieces that costs far more memory).
   */
  utf16At(bytes: Uint8Array, at: number, count: number): string {
    if (count <= 0) return '';
    if (count <= 32) {
      const codes = this.codes;
      codes.length = 0;
      for (let i = at, end = at + count * 2; i < end; i += 2) {
        const c = bytes[i]! | (bytes[i + 1]! << 8);
        if (c === 0) break;
        codes.push(c);
      }
      return String.fromCharCode.apply(null, codes);
    }
    const s = this.utf16.decode(bytes.subarray(at, at + count * 2));
    const nul = s.indexOf('\0');
    return nul < 0 ? s : s.slice(0, nul);
  }

  /** Event log "ANSI" strings are in the writer's code page; Windows-1252 is the usual one and what others assume. */
  ansiAt(bytes: Uint8Array, at: number, size: number): string {
    let end = at;
    while (end < at + size && bytes[end] !== 0) end++;
    this.ansi ??= new TextDecoder('windows-1252');
    return this.ansi.decode(bytes.subarray(at, end));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Numbers

function hex64(view: DataView, at: number): string {
  const lo = view.getUint32(at, true);
  const hi = view.getUint32(at + 4, true);
  return hi === 0 ? `0x${lo.toString(16)}` : `0x${hi.toString(16)}${lo.toString(16).padStart(8, '0')}`;
}

function uint64(view: DataView, at: number): string {
  const hi = view.getUint32(at + 4, true);
  // Below 2^53 a double is exact and far cheaper than a BigInt.
  if (hi < 0x200000) return String(hi * 0x100000000 + view.getUint32(at, true));
  return view.getBigUint64(at, true).toString();
}

function int64(view: DataView, at: number): string {
  const hi = view.getInt32(at + 4, true);
  if (hi >= -0x200000 && hi < 0x200000) return String(hi * 0x100000000 + view.getUint32(at, true));
  return view.getBigInt64(at, true).toString();
}

/** The shortest decimal text that reads back as the same 32-bit float (JavaScript only knows 64-bit ones). */
function real32(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  for (let digits = 1; digits < 9; digits++) {
    const text = value.toPrecision(digits);
    if (Math.fround(Number(text)) === value) return String(Number(text));
  }
  return String(Number(value.toPrecision(9)));
}

// ---------------------------------------------------------------------------------------------------------------
// Times

const FILETIME_UNIX_SECONDS = 11644473600;
const TICKS_PER_SECOND = 10_000_000;
/** 2^32 ticks = 429 s + 4 967 296 ticks: lets a FILETIME be split into seconds and ticks without BigInt. */
const HI_SECONDS = 429;
const HI_TICKS = 4_967_296;

/** `YYYY-MM-DDTHH:MM:SS` of a Unix time in seconds; the last one is kept, as neighbouring events share seconds. */
let lastSeconds = Number.NaN;
let lastPrefix = '';
function secondsPrefix(unixSeconds: number): string {
  if (unixSeconds !== lastSeconds) {
    const date = new Date(unixSeconds * 1000);
    lastPrefix = Number.isNaN(date.getTime()) ? '' : date.toISOString().slice(0, -5);
    lastSeconds = unixSeconds;
  }
  return lastPrefix;
}

export function fileTimeText(view: DataView, at: number): string {
  const lo = view.getUint32(at, true);
  const hi = view.getUint32(at + 4, true);
  let seconds: number;
  let ticks: number;
  if (hi < 0x40000000) {
    const rest = hi * HI_TICKS + lo; // < 2^53: exact
    seconds = hi * HI_SECONDS + Math.floor(rest / TICKS_PER_SECOND);
    ticks = rest % TICKS_PER_SECOND;
  } else {
    const all = view.getBigUint64(at, true);
    seconds = Number(all / 10_000_000n);
    ticks = Number(all % 10_000_000n);
  }
  const prefix = secondsPrefix(seconds - FILETIME_UNIX_SECONDS);
  if (prefix === '') return uint64(view, at); // beyond what a date can show: keep the raw number
  return `${prefix}.${String(ticks).padStart(7, '0')}Z`;
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

export function sysTimeText(view: DataView, at: number): string {
  const year = view.getUint16(at, true);
  const month = view.getUint16(at + 2, true);
  const day = view.getUint16(at + 6, true);
  const hour = view.getUint16(at + 8, true);
  const minute = view.getUint16(at + 10, true);
  const second = view.getUint16(at + 12, true);
  const ms = view.getUint16(at + 14, true);
  // An all-zero SYSTEMTIME means "unset"; Windows tools show the FILETIME epoch for it.
  if (year === 0 && month === 0 && day === 0 && hour === 0 && minute === 0 && second === 0 && ms === 0) {
    return '1601-01-01T00:00:00.0000000Z';
  }
  return `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}T${pad2(hour)}:${pad2(minute)}:${pad2(second)}.${String(ms).padStart(3, '0')}0000Z`;
}

// ---------------------------------------------------------------------------------------------------------------
// GUID, SID, binary

export function guidText(bytes: Uint8Array, at: number): string {
  const h = (i: number) => HEX_UPPER[bytes[at + i]!]!;
  return `{${h(3)}${h(2)}${h(1)}${h(0)}-${h(5)}${h(4)}-${h(7)}${h(6)}-${h(8)}${h(9)}-${h(10)}${h(11)}${h(12)}${h(13)}${h(14)}${h(15)}}`;
}

/** Bytes a SID at `at` takes (8 + 4 per sub-authority), or -1 when fewer than that remain before `end`. */
export function sidSize(bytes: Uint8Array, at: number, end: number): number {
  if (at + 8 > end) return -1;
  const size = 8 + 4 * bytes[at + 1]!;
  return at + size > end ? -1 : size;
}

/** `S-R-A-S1-…` (MS-DTYP 2.4.2.1); an authority of 2^32 or more is shown in hex as the spec says. */
export function sidText(bytes: Uint8Array, view: DataView, at: number): string {
  const count = bytes[at + 1]!;
  const authority = view.getUint16(at + 2, false) * 0x100000000 + view.getUint32(at + 4, false);
  let s = `S-${bytes[at]!}-${authority < 0x100000000 ? authority : `0x${authority.toString(16).toUpperCase().padStart(12, '0')}`}`;
  for (let i = 0; i < count; i++) s += `-${view.getUint32(at + 8 + 4 * i, true)}`;
  return s;
}

function binaryText(bytes: Uint8Array, at: number, size: number): string {
  let s = '';
  for (let i = at; i < at + size; i++) s += HEX_UPPER[bytes[i]!]!;
  return s;
}

// ---------------------------------------------------------------------------------------------------------------
// Any value

/** Thrown for data that cannot be a value of its declared type; the record becomes a reject. */
export class ValueError extends Error {}

/**
 * Text of a scalar value of `type` stored in `size` bytes at `at`. Fixed-size types read their own width (a
 * larger size is padding); a smaller one is damage. BinXml is not text: the caller renders it as elements.
 */
export function scalarText(type: number, bytes: Uint8Array, view: DataView, at: number, size: number, text: TextReader): string {
  const fixed = FIXED_SIZE[type] ?? 0;
  if (fixed > 0 && size < fixed) throw new ValueError(`a value of type 0x${type.toString(16)} has ${size} bytes, fewer than ${fixed}`);
  switch (type) {
    case ValueType.Null: return '';
    case ValueType.String: return text.utf16At(bytes, at, size >>> 1);
    case ValueType.AnsiString: return text.ansiAt(bytes, at, size);
    case ValueType.Int8: return String(view.getInt8(at));
    case ValueType.UInt8: return String(bytes[at]!);
    case ValueType.Int16: return String(view.getInt16(at, true));
    case ValueType.UInt16: return String(view.getUint16(at, true));
    case ValueType.Int32: return String(view.getInt32(at, true));
    case ValueType.UInt32: return String(view.getUint32(at, true));
    case ValueType.Int64: return int64(view, at);
    case ValueType.UInt64: return uint64(view, at);
    case ValueType.Real32: return real32(view.getFloat32(at, true));
    case ValueType.Real64: return String(view.getFloat64(at, true));
    case ValueType.Bool: return view.getInt32(at, true) !== 0 ? 'true' : 'false';
    case ValueType.Binary: return binaryText(bytes, at, size);
    case ValueType.Guid: return guidText(bytes, at);
    // A pointer-sized number: Windows shows it in hex, 4 or 8 bytes wide as the writer's platform was.
    case ValueType.SizeT:
      if (size >= 8) return hex64(view, at);
      if (size >= 4) return `0x${view.getUint32(at, true).toString(16)}`;
      throw new ValueError(`a size_t value has ${size} bytes`);
    case ValueType.FileTime: return fileTimeText(view, at);
    case ValueType.SysTime: return sysTimeText(view, at);
    case ValueType.Sid:
      if (sidSize(bytes, at, at + size) < 0) throw new ValueError('a SID value is cut short');
      return sidText(bytes, view, at);
    case ValueType.HexInt32: return `0x${view.getUint32(at, true).toString(16)}`;
    case ValueType.HexInt64: return hex64(view, at);
    // Handles and nested XML have no text of their own.
    case ValueType.EvtHandle:
    case ValueType.BinXml:
    case ValueType.EvtXml:
      return '';
    default:
      throw new ValueError(`unknown value type 0x${type.toString(16)}`);
  }
}

/** The items of an array value (`type` with ArrayFlag), each as text. */
export function arrayItems(type: number, bytes: Uint8Array, view: DataView, at: number, size: number, text: TextReader): string[] {
  const item = type & ~ValueType.ArrayFlag;
  const end = at + size;
  const out: string[] = [];
  if (item === ValueType.String) {
    // NUL-terminated UTF-16 strings one after the other; a final one may lack its NUL.
    let start = at;
    for (let i = at; i + 1 < end; i += 2) {
      if (bytes[i] === 0 && bytes[i + 1] === 0) {
        out.push(text.utf16At(bytes, start, (i - start) >>> 1));
        start = i + 2;
      }
    }
    if (start + 1 < end) out.push(text.utf16At(bytes, start, (end - start) >>> 1));
    return out;
  }
  if (item === ValueType.AnsiString) {
    let start = at;
    for (let i = at; i < end; i++) {
      if (bytes[i] === 0) {
        out.push(text.ansiAt(bytes, start, i - start));
        start = i + 1;
      }
    }
    if (start < end) out.push(text.ansiAt(bytes, start, end - start));
    return out;
  }
  if (item === ValueType.Sid) {
    for (let p = at; p < end;) {
      const n = sidSize(bytes, p, end);
      if (n < 0) throw new ValueError('a SID array is cut short');
      out.push(sidText(bytes, view, p));
      p += n;
    }
    return out;
  }
  // size_t has no fixed width; an array of them is read as the 8-byte kind unless it only fits 4-byte items.
  const width = item === ValueType.SizeT ? (size % 8 === 0 ? 8 : 4) : (FIXED_SIZE[item] ?? 0);
  if (width === 0) throw new ValueError(`arrays of value type 0x${item.toString(16)} are not supported`);
  for (let p = at; p + width <= end; p += width) out.push(scalarText(item, bytes, view, p, width, text));
  return out;
}
