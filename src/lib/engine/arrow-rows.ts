import { Type, type Data } from 'apache-arrow';
import type { Cell, Row } from './engine';

/**
 * The one place engine output is normalised. Arrow rows become plain objects; BigInt becomes a number when it is
 * exactly representable and text otherwise (ticks are formatted in SQL, so that is a safety net); lists become
 * arrays and structs objects. Text is decoded here rather than by Arrow: Arrow's decoder drops a leading U+FEFF
 * from every string, and a log value must reach the analyst exactly as the log holds it.
 */
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

export function normaliseCell(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(normaliseCell);
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<unknown>, normaliseCell);
  if (typeof value === 'object') {
    const maybe = value as { toJSON?: () => unknown };
    const plain = typeof maybe.toJSON === 'function' ? maybe.toJSON() : value;
    if (Array.isArray(plain)) return plain.map(normaliseCell);
    if (ArrayBuffer.isView(plain)) return Array.from(plain as unknown as ArrayLike<unknown>, normaliseCell);
    if (plain && typeof plain === 'object') {
      const out: { [key: string]: Cell } = {};
      for (const [k, v] of Object.entries(plain)) out[k] = normaliseCell(v);
      return out;
    }
    return normaliseCell(plain);
  }
  return String(value);
}

/**
 * Plain values straight from the buffers. The SQL of this app returns only text, integers, doubles, booleans,
 * lists and structs (times are formatted in SQL; the console casts every column to text).
 */
function leaf(data: Data, index: number): Cell {
  const values = data.values as ArrayLike<number | bigint> & { [i: number]: number | bigint };
  switch (data.type.typeId) {
    case Type.Null: return null;
    case Type.Int:
    case Type.Float: return normaliseCell(values[index]);
    case Type.Bool: {
      const bit = data.offset + index;
      return ((Number(values[bit >> 3]) >> (bit & 7)) & 1) === 1;
    }
    default: throw new Error(`the engine returned a column of type ${String(data.type)}, which this app does not read`);
  }
}

function readValue(data: Data, index: number): Cell {
  if (!data.getValid(index)) return null;
  switch (data.type.typeId) {
    case Type.Utf8:
    case Type.LargeUtf8: {
      const offsets = data.valueOffsets as ArrayLike<number | bigint>;
      return utf8.decode(data.values.subarray(Number(offsets[index]), Number(offsets[index + 1])));
    }
    case Type.List: {
      const offsets = data.valueOffsets as Int32Array;
      const child = data.children[0]!;
      const out: Cell[] = [];
      for (let j = offsets[index]!; j < offsets[index + 1]!; j++) out.push(readValue(child, j));
      return out;
    }
    case Type.Struct: {
      const out: { [key: string]: Cell } = {};
      (data.type.children as { name: string }[]).forEach((field, k) => { out[field.name] = readValue(data.children[k]!, index); });
      return out;
    }
    default:
      return leaf(data, index);
  }
}

interface ArrowLikeTable {
  schema: { fields: { name: string }[] };
  numRows: number;
  getChildAt(index: number): { data: readonly Data[] } | null;
}

export function arrowToRows(table: ArrowLikeTable): Row[] {
  const names = table.schema.fields.map((f) => f.name);
  const rows: Row[] = Array.from({ length: table.numRows }, () => ({}));
  names.forEach((name, c) => {
    let r = 0;
    for (const data of table.getChildAt(c)?.data ?? []) {
      for (let i = 0; i < data.length; i++) rows[r++]![name] = readValue(data, i);
    }
  });
  return rows;
}
