import { makeData, makeVector, Table, Utf8, type Vector } from 'apache-arrow';

/**
 * An Arrow table of text columns, typed Utf8 even when a column holds only nulls. Built from raw buffers: Arrow's
 * builders compile their null checks with `new Function`, which the page's Content-Security-Policy forbids.
 */
export function stringTable(columns: string[], values: (string | null)[][]): Table {
  const encoder = new TextEncoder();
  const vectors: Record<string, Vector<Utf8>> = {};
  columns.forEach((name, c) => {
    const cells = values[c] ?? [];
    const length = cells.length;
    // One buffer per column, encoded into in place: a UTF-16 code unit takes at most 3 bytes of UTF-8.
    let capacity = 0;
    for (const v of cells) if (v !== null) capacity += v.length * 3;
    const buffer = new Uint8Array(capacity);
    const offsets = new Int32Array(length + 1);
    const validity = new Uint8Array(Math.ceil(length / 8));
    let nullCount = 0;
    let pos = 0;
    for (let i = 0; i < length; i++) {
      const v = cells[i];
      if (v === null || v === undefined) nullCount++;
      else {
        pos += encoder.encodeInto(v, buffer.subarray(pos)).written;
        validity[i >> 3]! |= 1 << (i & 7);
      }
      offsets[i + 1] = pos;
    }
    const data = buffer.subarray(0, pos);
    vectors[name] = makeVector(makeData({
      type: new Utf8(), length, nullCount, nullBitmap: nullCount ? validity : null, valueOffsets: offsets, data,
    }));
  });
  return new Table(vectors);
}
