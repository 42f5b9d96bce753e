/** Sorting, filtering and exporting the rows an event grid shows: plain functions, tested without a browser. */
import { csvField } from './export/csv';

export interface GridColumn {
  key: string;
  label: string;
}

export type GridRow = Record<string, string>;

export interface GridView {
  sortKey: string | null;
  descending: boolean;
  /** Case-insensitive substring per column key. */
  filters: Record<string, string>;
}

export function visibleRows(rows: readonly GridRow[], view: GridView): GridRow[] {
  const active = Object.entries(view.filters).filter(([, f]) => f.trim() !== '').map(([k, f]) => [k, f.toLowerCase()] as const);
  const kept = active.length ? rows.filter((r) => active.every(([k, f]) => (r[k] ?? '').toLowerCase().includes(f))) : [...rows];
  if (view.sortKey) {
    const key = view.sortKey;
    const sign = view.descending ? -1 : 1;
    // Stable: equal values keep their (time) order.
    kept.sort((a, b) => {
      const x = a[key] ?? '';
      const y = b[key] ?? '';
      return x < y ? -sign : x > y ? sign : 0;
    });
  }
  return kept;
}

export function gridCsv(columns: readonly GridColumn[], rows: readonly GridRow[]): string {
  return [columns.map((c) => csvField(c.key)).join(','), ...rows.map((r) => columns.map((c) => csvField(r[c.key] ?? '')).join(','))].join('\r\n') + '\r\n';
}

export function gridJson(columns: readonly GridColumn[], rows: readonly GridRow[]): string {
  return JSON.stringify(rows.map((r) => Object.fromEntries(columns.map((c) => [c.key, r[c.key] ?? '']))), null, 2) + '\n';
}
