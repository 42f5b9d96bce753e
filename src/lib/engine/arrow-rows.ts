import type { Cell, Row } from './engine';

/**
 * The one place engine output is normalised: Arrow rows become plain objects, BigInt becomes a number when it
 * is exactly representable and text otherwise (ticks are formatted in SQL, so this is a safety net), and Arrow
 * vectors become arrays.
 */
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
    // Arrow vectors (lists) serialise to arrays, struct rows to plain objects; both may nest.
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

interface ArrowLikeTable {
  schema: { fields: { name: string }[] };
  toArray(): { toJSON?: () => Record<string, unknown> }[];
}

export function arrowToRows(table: ArrowLikeTable): Row[] {
  const names = table.schema.fields.map((f) => f.name);
  return table.toArray().map((arrowRow) => {
    const plain = (arrowRow.toJSON ? arrowRow.toJSON() : arrowRow) as Record<string, unknown>;
    const row: Row = {};
    for (const name of names) row[name] = normaliseCell(plain[name]);
    return row;
  });
}
