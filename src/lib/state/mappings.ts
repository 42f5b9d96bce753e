import type { ColumnMapping } from '../ingest/schema';

/**
 * Column mappings the user made in the mapping form, remembered per header signature (the header's column names,
 * never any row). "Forget everything" removes them with the other settings (same key prefix).
 */
const KEY = 'localhunt.mappings';

type Stored = Record<string, ColumnMapping>;

function read(storage: Storage | undefined): Stored {
  try {
    const parsed: unknown = JSON.parse(storage?.getItem(KEY) ?? '{}');
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Stored) : {};
  } catch {
    return {};
  }
}

function valid(m: unknown): m is ColumnMapping {
  if (typeof m !== 'object' || m === null) return false;
  const o = m as Record<string, unknown>;
  const text = (k: string, optional = false) => (optional && o[k] === undefined) || typeof o[k] === 'string';
  return text('time') && text('image') && text('commandLine') && text('account') && text('domain', true) && text('upn', true) && text('device', true)
    && typeof o.zoneMinutes === 'number' && Number.isInteger(o.zoneMinutes) && Math.abs(o.zoneMinutes) <= 14 * 60;
}

export function rememberedMapping(storage: Storage | undefined, signature: string): ColumnMapping | undefined {
  const m = read(storage)[signature];
  return valid(m) ? m : undefined;
}

export function rememberMapping(storage: Storage | undefined, signature: string, mapping: ColumnMapping): void {
  try {
    storage?.setItem(KEY, JSON.stringify({ ...read(storage), [signature]: mapping }));
  } catch {
    // Storage unavailable: the mapping holds for this load only.
  }
}
