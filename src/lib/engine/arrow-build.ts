import { Table, Utf8, vectorFromArray } from 'apache-arrow';

/** An Arrow table of text columns, typed Utf8 even when a column holds only nulls. */
export function stringTable(columns: string[], values: (string | null)[][]): Table {
  const vectors = Object.fromEntries(columns.map((c, i) => [c, vectorFromArray(values[i] ?? [], new Utf8())]));
  return new Table(vectors);
}
