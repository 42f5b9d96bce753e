/**
 * What LocalHunt knows about the DeviceProcessEvents table: column types (for the JSON export, which keeps
 * Kusto's types) and how a header is recognised. Columns are found by name, never by position.
 */

export type ColumnType = 'datetime' | 'long' | 'int' | 'bool' | 'real' | 'dynamic' | 'string';

const DATETIME = ['Timestamp', 'TimeGenerated', 'ProcessCreationTime', 'InitiatingProcessCreationTime', 'InitiatingProcessParentCreationTime'];
const LONG = ['FileSize', 'ProcessId', 'LogonId', 'ReportId', 'InitiatingProcessLogonId', 'InitiatingProcessFileSize', 'InitiatingProcessId',
  'InitiatingProcessParentId', 'InitiatingProcessSessionId', 'CreatedProcessSessionId', '_BilledSize'];
const BOOL = ['IsInitiatingProcessRemoteSession', 'IsProcessRemoteSession', '_IsBillable'];

export function knownType(name: string, variant: Variant): ColumnType {
  if (DATETIME.includes(name)) return 'datetime';
  if (LONG.includes(name)) return 'long';
  if (BOOL.includes(name)) return 'bool';
  // Log Analytics stores AdditionalFields as dynamic; the Defender portal as a JSON string.
  if (name === 'AdditionalFields' && variant === 'sentinel') return 'dynamic';
  return 'string';
}

/** Types named in API `Schema` arrays (`DateTime`, `Int64`, ...) or Kusto type names. */
export function typeFromSchemaName(type: string | undefined): ColumnType | undefined {
  switch ((type ?? '').toLowerCase()) {
    case 'datetime': case 'date': return 'datetime';
    case 'int64': case 'long': return 'long';
    case 'int32': case 'int': return 'int';
    case 'boolean': case 'bool': return 'bool';
    case 'double': case 'real': case 'decimal': return 'real';
    case 'dynamic': case 'object': return 'dynamic';
    case 'string': case 'guid': case 'timespan': return 'string';
    default: return undefined;
  }
}

export type Variant = 'defender' | 'sentinel';

/** Log Analytics names every datetime column `Name [UTC]`. */
export function stripUtcSuffix(name: string): { name: string; utc: boolean } {
  const m = /^(.*\S)\s*\[UTC\]$/.exec(name);
  return m && m[1] ? { name: m[1], utc: true } : { name, utc: false };
}

/** The columns the loader and the detections refer to by their canonical names. */
export const CANONICAL = ['FileName', 'FolderPath', 'ProcessCommandLine', 'AccountUpn', 'AccountName', 'AccountDomain', 'DeviceName',
  'InitiatingProcessFileName', 'InitiatingProcessCommandLine', 'ProcessVersionInfoOriginalFileName', 'ActionType'] as const;
export type CanonicalColumn = (typeof CANONICAL)[number];

export interface ColumnInfo {
  /** Name as shown and exported (` [UTC]` stripped). */
  name: string;
  /** Name exactly as the file wrote it. */
  original: string;
  type: ColumnType;
}

export interface TableShape {
  variant: Variant;
  /** Index of the column the detection reads as its time (`Timestamp`, or `TimeGenerated` for Sentinel). */
  timeIndex: number;
  canonical: Partial<Record<CanonicalColumn, number>>;
  /** True when the source has no AccountUpn column and the key is derived from AccountDomain\AccountName. */
  upnDerived: boolean;
  columns: ColumnInfo[];
}

export type Recognition = { ok: true; shape: TableShape } | { ok: false; problem: string };

/**
 * Decide whether a header is a DeviceProcessEvents table and which variant. A source with a TimeGenerated column is
 * the Sentinel variant (the query then reads TimeGenerated); otherwise Timestamp is required.
 */
export function recogniseProcessTable(originalNames: readonly string[], schemaTypes?: readonly (string | undefined)[]): Recognition {
  const stripped = originalNames.map(stripUtcSuffix);
  const names = stripped.map((s) => s.name);
  const index = (n: string) => names.indexOf(n);
  const variant: Variant = index('TimeGenerated') >= 0 ? 'sentinel' : 'defender';
  const timeIndex = variant === 'sentinel' ? index('TimeGenerated') : index('Timestamp');
  const missing: string[] = [];
  if (timeIndex < 0) missing.push('Timestamp (or TimeGenerated)');
  if (index('FileName') < 0) missing.push('FileName');
  if (index('ProcessCommandLine') < 0) missing.push('ProcessCommandLine');
  const hasUpn = index('AccountUpn') >= 0;
  if (!hasUpn && index('AccountName') < 0) missing.push('AccountUpn (or AccountName)');
  if (missing.length) {
    const shown = names.slice(0, 12).join(', ') + (names.length > 12 ? `, … (${names.length} columns)` : '');
    return { ok: false, problem: `not a DeviceProcessEvents export: no ${missing.join(', no ')} column. Columns found: ${shown || '(none)'}` };
  }
  const canonical: Partial<Record<CanonicalColumn, number>> = {};
  for (const c of CANONICAL) {
    const i = index(c);
    if (i >= 0) canonical[c] = i;
  }
  const columns: ColumnInfo[] = stripped.map((s, i) => ({
    name: s.name,
    original: originalNames[i] ?? s.name,
    type: typeFromSchemaName(schemaTypes?.[i]) ?? (s.utc ? 'datetime' : knownType(s.name, variant)),
  }));
  return { ok: true, shape: { variant, timeIndex, canonical, upnDerived: !hasUpn, columns } };
}
