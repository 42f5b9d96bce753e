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
    const encoded = cells.map((v) => (v === null ? null : encoder.encode(v)));
    const offsets = new Int32Array(length + 1);
    let total = 0;
    encoded.forEach((e, i) => { total += e?.length ?? 0; offsets[i + 1] = total; });
    const data = new Uint8Array(total);
    const validity = new Uint8Array(Math.ceil(length / 8));
    let nullCount = 0;
    encoded.forEach((e, i) => {
      if (e === null) { nullCount++; return; }
      data.set(e, offsets[i]!);
      validity[i >> 3]! |= 1 << (i & 7);
    });
    vectors[name] = makeVector(makeData({
      type: new Utf8(), length, nullCount, nullBitmap: nullCount ? validity : null, valueOffsets: offsets, data,
    }));
  });
  return new Table(vectors);
}
