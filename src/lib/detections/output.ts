import type { Cell } from '../engine/engine';
import type { ColumnType } from '../ingest/schema';
import type { LoadedSource } from '../ingest/source';
import { NumberText, type JsonCell } from './types';

/**
 * The `*` of arg_max/arg_min over the loaded sources: every source column in header order (first sources first,
 * like a Kusto union), without the time column and the group key, then the extended columns.
 */
export interface StarColumn {
  name: string;
  type: ColumnType;
}

export function starColumns(sources: readonly LoadedSource[], groupKey: string, extended: readonly string[]): StarColumn[] {
  const mixed = new Set(sources.map((s) => s.variant)).size > 1;
  const out: StarColumn[] = [];
  const seen = new Set<string>([groupKey]);
  for (const s of [...sources].sort((a, b) => a.ordinal - b.ordinal)) {
    const timeName = s.shape.columns[s.shape.timeIndex]!.name;
    s.shape.columns.forEach((c) => {
      // With both variants loaded the bin column is `Timestamp`, so neither time column may appear again.
      if (c.name === timeName || (mixed && (c.name === 'Timestamp' || c.name === 'TimeGenerated'))) return;
      if (seen.has(c.name)) return;
      seen.add(c.name);
      out.push({ name: c.name, type: c.type });
    });
  }
  for (const e of extended) if (!seen.has(e)) out.push({ name: e, type: 'string' });
  return out;
}

/**
 * Kusto's unique naming (UniqueNameTable.GetOrAddName): a name is kept when free, else it becomes `Name1`, or
 * `Name2` when that is taken, and so on. `taken` grows with every name handed out.
 */
export function uniqueNames(names: readonly string[], taken: Set<string>): string[] {
  return names.map((n) => {
    let name = n;
    for (let k = 1; taken.has(name); k++) name = `${n}${k}`;
    taken.add(name);
    return name;
  });
}

/** A source's text cell as Kusto would type it in JSON. Strings are never null in Kusto; other types are. */
export function typedCell(text: string | null, type: ColumnType): JsonCell {
  if (type === 'string') return text ?? '';
  if (text === null || text.trim() === '') return null;
  const t = text.trim();
  switch (type) {
    case 'datetime': return text;
    case 'long':
    case 'int': return /^-?\d+$/.test(t) ? new NumberText(t.replace(/^(-?)0+(?=\d)/, '$1')) : null;
    case 'real': return /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t) ? new NumberText(t) : null;
    case 'bool': {
      const l = t.toLowerCase();
      return l === '1' || l === 'true' ? true : l === '0' || l === 'false' ? false : null;
    }
    case 'dynamic':
      try { return JSON.parse(t) as JsonCell; } catch { return text; }
  }
}

export function emptyCell(type: ColumnType): JsonCell {
  return type === 'string' ? '' : null;
}

/** Values of one arg_max/arg_min row, by star column, read from its own source's column layout. */
export function tupleValues(
  star: readonly StarColumn[], source: LoadedSource | undefined, values: Cell, extended: Record<string, Cell>,
): JsonCell[] {
  const list = Array.isArray(values) ? values : [];
  const index = new Map(source?.shape.columns.map((c, i) => [c.name, i]) ?? []);
  return star.map((c) => {
    if (c.name in extended) return (extended[c.name] as JsonCell) ?? null;
    const i = index.get(c.name);
    if (i === undefined || !source) return emptyCell(c.type);
    const own = source.shape.columns[i]!.type;
    const raw = list[i];
    return typedCell(typeof raw === 'string' ? raw : raw === null || raw === undefined ? null : String(raw), own === 'datetime' ? 'datetime' : c.type);
  });
}
