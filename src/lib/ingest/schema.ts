/**
 * What LocalHunt knows about the DeviceProcessEvents table: column types (for the JSON export, which keeps
 * Kusto's types) and how a header is recognised. Columns are found by name, never by position.
 */

export type ColumnType = 'datetime' | 'long' | 'int' | 'bool' | 'real' | 'dynamic' | 'string';

const DATETIME = ['Timestamp', 'TimeGenerated', 'ProcessCreationTime', 'InitiatingProcessCreationTime', 'InitiatingProcessParentCreationTime',
  'TimeCreatedUtc'];
const LONG = ['FileSize', 'ProcessId', 'LogonId', 'ReportId', 'InitiatingProcessLogonId', 'InitiatingProcessFileSize', 'InitiatingProcessId',
  'InitiatingProcessParentId', 'InitiatingProcessSessionId', 'CreatedProcessSessionId', '_BilledSize', 'EventRecordID'];
const INT = ['EventID'];
const BOOL = ['IsInitiatingProcessRemoteSession', 'IsProcessRemoteSession', '_IsBillable'];

export function knownType(name: string, variant: Variant): ColumnType {
  if (DATETIME.includes(name)) return 'datetime';
  if (LONG.includes(name)) return 'long';
  if (BOOL.includes(name)) return 'bool';
  if (INT.includes(name)) return 'int';
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
  'InitiatingProcessFileName', 'InitiatingProcessCommandLine', 'ProcessVersionInfoOriginalFileName', 'ActionType',
  'AccountSid', 'ProcessId', 'InitiatingProcessId', 'InitiatingProcessParentFileName'] as const;
export type CanonicalColumn = (typeof CANONICAL)[number];

export interface ColumnInfo {
  /** Name as shown and exported (` [UTC]` stripped). */
  name: string;
  /** Name exactly as the file wrote it. */
  original: string;
  type: ColumnType;
}

/**
 * Where a canonical column comes from: a source column, as it is or transformed. `leaf` is the last segment of a
 * Windows path (`C:\Windows\System32\net.exe` → `net.exe`); `account-name` / `account-domain` split `DOMAIN\name`.
 */
export type Transform = 'value' | 'leaf' | 'account-name' | 'account-domain';
export interface FieldSource { index: number; transform: Transform }

/** Which schema a table was read as. */
export type Profile = 'DeviceProcessEvents' | 'SecurityEvent' | 'mapped';

/** The user's answer in the mapping form, by column name (remembered per header signature). */
export interface ColumnMapping {
  time: string;
  /** Minutes east of UTC of times written without a zone. */
  zoneMinutes: number;
  /** A full image path or only a file name; either gives FileName (its last path segment). */
  image: string;
  commandLine: string;
  /** `name` or `DOMAIN\name`. */
  account: string;
  domain?: string;
  upn?: string;
  device?: string;
}

export interface TableShape {
  variant: Variant;
  profile: Profile;
  /** Index of the column the detection reads as its time (`Timestamp`, or `TimeGenerated` for Sentinel). */
  timeIndex: number;
  canonical: Partial<Record<CanonicalColumn, FieldSource>>;
  /** Only rows whose column equals this value are process events (a SecurityEvent table holds every event ID). */
  rowFilter?: { index: number; equals: string; skipReason: string };
  /** Times written without a zone are in the source's chosen zone (mapped tables), not UTC. */
  naiveTimesInZone?: boolean;
  /** True when the source has no AccountUpn column and the key is derived from AccountDomain\AccountName. */
  upnDerived: boolean;
  columns: ColumnInfo[];
}

export type Recognition = { ok: true; shape: TableShape } | { ok: false; problem: string };

const value = (index: number): FieldSource => ({ index, transform: 'value' });
const leaf = (index: number): FieldSource => ({ index, transform: 'leaf' });

function columnInfos(originalNames: readonly string[], variant: Variant, schemaTypes?: readonly (string | undefined)[]): ColumnInfo[] {
  return originalNames.map((original, i) => {
    const s = stripUtcSuffix(original);
    return { name: s.name, original, type: typeFromSchemaName(schemaTypes?.[i]) ?? (s.utc ? 'datetime' : knownType(s.name, variant)) };
  });
}

/**
 * The Sentinel SecurityEvent table (Log Analytics export, often saved by pandas): Security 4688 rows map onto
 * process events; other event IDs in the same table are skipped and counted.
 */
function recogniseSecurityEvent(names: string[], originalNames: readonly string[]): Recognition | null {
  const at = (n: string) => names.indexOf(n);
  const time = at('TimeGenerated') >= 0 ? at('TimeGenerated') : at('TimeCreatedUtc');
  if (at('EventID') < 0 || at('NewProcessName') < 0 || at('SubjectUserName') < 0 || time < 0) return null;
  const canonical: Partial<Record<CanonicalColumn, FieldSource>> = { FileName: leaf(at('NewProcessName')), FolderPath: value(at('NewProcessName')),
    AccountName: value(at('SubjectUserName')) };
  const optional: [CanonicalColumn, string, Transform][] = [['ProcessCommandLine', 'CommandLine', 'value'], ['AccountDomain', 'SubjectDomainName', 'value'],
    ['DeviceName', 'Computer', 'value'], ['InitiatingProcessFileName', 'ParentProcessName', 'leaf']];
  for (const [c, n, transform] of optional) if (at(n) >= 0) canonical[c] = { index: at(n), transform };
  return { ok: true, shape: {
    variant: 'sentinel', profile: 'SecurityEvent', timeIndex: time, canonical, upnDerived: true,
    rowFilter: { index: at('EventID'), equals: '4688', skipReason: 'other Windows events (not Security 4688)' },
    columns: columnInfos(originalNames, 'sentinel'),
  } };
}

/** A table the user mapped in the form. Every named column must exist. */
export function shapeFromMapping(originalNames: readonly string[], m: ColumnMapping): Recognition {
  const names = originalNames.map((n) => stripUtcSuffix(n).name);
  const find = (n: string | undefined) => (n === undefined || n === '' ? -1 : names.indexOf(n));
  const missing = [m.time, m.image, m.commandLine, m.account, m.domain, m.upn, m.device].filter((n) => n && find(n) < 0);
  if (missing.length) return { ok: false, problem: `the remembered mapping names columns this file does not have: ${missing.join(', ')}` };
  const account = find(m.account);
  const canonical: Partial<Record<CanonicalColumn, FieldSource>> = { FileName: leaf(find(m.image)), FolderPath: value(find(m.image)),
    ProcessCommandLine: value(find(m.commandLine)) };
  if (find(m.domain) >= 0) {
    canonical.AccountName = value(account);
    canonical.AccountDomain = value(find(m.domain));
  } else {
    canonical.AccountName = { index: account, transform: 'account-name' };
    canonical.AccountDomain = { index: account, transform: 'account-domain' };
  }
  if (find(m.upn) >= 0) canonical.AccountUpn = value(find(m.upn));
  if (find(m.device) >= 0) canonical.DeviceName = value(find(m.device));
  const columns = columnInfos(originalNames, 'defender').map((c, i) => (i === find(m.time) ? { ...c, type: 'datetime' as const } : c));
  return { ok: true, shape: { variant: 'defender', profile: 'mapped', timeIndex: find(m.time), canonical, upnDerived: find(m.upn) < 0,
    naiveTimesInZone: true, columns } };
}

/** The identity of a header, for remembering the user's mapping: the column names in order. */
export function headerSignature(originalNames: readonly string[]): string {
  return JSON.stringify(originalNames);
}

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
    const securityEvent = recogniseSecurityEvent(names, originalNames);
    if (securityEvent) return securityEvent;
    const shown = names.slice(0, 12).join(', ') + (names.length > 12 ? `, … (${names.length} columns)` : '');
    return { ok: false, problem: `not a DeviceProcessEvents export: no ${missing.join(', no ')} column. Columns found: ${shown || '(none)'}` };
  }
  const canonical: Partial<Record<CanonicalColumn, FieldSource>> = {};
  for (const c of CANONICAL) {
    const i = index(c);
    if (i >= 0) canonical[c] = value(i);
  }
  return { ok: true, shape: { variant, profile: 'DeviceProcessEvents', timeIndex, canonical, upnDerived: !hasUpn, columns: columnInfos(originalNames, variant, schemaTypes) } };
}
