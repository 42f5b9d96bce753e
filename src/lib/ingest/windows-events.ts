/**
 * Process-creation events from Windows logs and Elastic, in whichever container they arrive (NXLog / OTRF JSON,
 * Winlogbeat, evtx_dump JSON, wevtutil / Event Viewer XML read into the evtx_dump shape, Sentinel SecurityEvent
 * rows, Elastic Common Schema documents), as rows with DeviceProcessEvents column names, so the detections read
 * them exactly as they read a Defender export.
 *
 * Only Sysmon Event ID 1 and Security Event ID 4688 become rows; other Windows events are skipped and counted.
 */

export type EventContainer = 'NXLog JSON' | 'Winlogbeat JSON' | 'evtx_dump JSON' | 'SecurityEvent rows' | 'Elastic Common Schema JSON';
export type ProcessEventKind = 'Sysmon 1' | 'Security 4688' | 'ECS process start';

export interface MappedEvent {
  kind: ProcessEventKind;
  container: EventContainer;
  row: Record<string, string | null>;
  /** Canonical column → the source field it came from (for "which fields were used"). */
  used: Record<string, string>;
}

export type Classified = { mapped: MappedEvent } | { skip: string } | null;

export const OTHER_WINDOWS_EVENT = 'other Windows events (not Sysmon 1 or Security 4688)';
export const OTHER_ECS_EVENT = 'other Elastic events (not a process start)';

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Text of a JSON or XML-derived value: `{ '#text': ... }` objects (an element with attributes) give their text. */
function text(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (isObject(v) && '#text' in v) return text(v['#text']);
  return null;
}

const attr = (v: unknown, name: string): string | null => (isObject(v) && isObject(v['#attributes']) ? text(v['#attributes'][name]) : null);

/** A field by exact name, or by dotted path through nested objects, or as a literal dotted key (`"process.name"`). */
function field(o: Obj, path: string): unknown {
  if (path in o) return o[path];
  let cur: unknown = o;
  for (const part of path.split('.')) {
    if (!isObject(cur) || !(part in cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

/** Windows paths: the part after the last `\` (or `/`). */
export function leafOf(path: string | null): string | null {
  if (path === null) return null;
  const i = Math.max(path.lastIndexOf('\\'), path.lastIndexOf('/'));
  return i >= 0 ? path.slice(i + 1) : path;
}

/** `DOMAIN\name` → both parts; a name without a domain keeps an empty domain. */
function splitAccount(user: string | null): { domain: string | null; name: string | null } {
  if (user === null) return { domain: null, name: null };
  const i = user.indexOf('\\');
  return i < 0 ? { domain: null, name: user } : { domain: user.slice(0, i), name: user.slice(i + 1) };
}

/** Security events write process ids in hex (`0x1528`), Sysmon in decimal: both become decimal text. */
export function decimalPid(v: string | null): string | null {
  if (v === null) return null;
  const s = v.trim();
  if (/^0x[0-9a-f]+$/i.test(s)) return BigInt(s).toString();
  if (/^\d+$/.test(s)) return BigInt(s).toString();
  return null;
}

/** One Windows event, whatever its container, before it is judged. */
interface WindowsRecord {
  container: EventContainer;
  eventId: string | null;
  channel: string | null;
  provider: string | null;
  computer: string | null;
  recordId: string | null;
  /** UTC time of the record itself (System/TimeCreated, or the shipper's @timestamp), and where it came from. */
  systemTime: { value: string; from: string } | null;
  /** The host's local clock (NXLog's EventTime): never an event time, only compared with its twin's. */
  hostLocalTime: string | null;
  data: Obj;
  /** Where EventData lacks a field, where else the container keeps it (Elastic's pipelines move fields to ECS). */
  fallback?: (name: string) => string | null;
}

/**
 * Elastic's Winlogbeat pipelines rename EventData fields to ECS ones (Image → process.executable, ...): for a
 * document indexed that way, the ECS copy is where the value is.
 */
const WINLOGBEAT_ECS: Record<string, string> = {
  Image: 'process.executable', NewProcessName: 'process.executable', CommandLine: 'process.command_line',
  ProcessId: 'process.pid', NewProcessId: 'process.pid', ParentImage: 'process.parent.executable',
  ParentProcessName: 'process.parent.executable', ParentCommandLine: 'process.parent.command_line',
  ParentProcessId: 'process.parent.pid', OriginalFileName: 'process.pe.original_file_name',
  SubjectUserName: 'user.name', SubjectDomainName: 'user.domain', SubjectUserSid: 'user.id',
};

function recordOf(o: Obj): WindowsRecord | null {
  const event = o.Event;
  if (isObject(event) && isObject(event.System)) {
    const sys = event.System;
    const data = isObject(event.EventData) ? event.EventData : isObject(event.UserData) ? event.UserData : {};
    const created = attr(sys.TimeCreated, 'SystemTime');
    return {
      container: 'evtx_dump JSON', eventId: text(sys.EventID), channel: text(sys.Channel), provider: attr(sys.Provider, 'Name'),
      computer: text(sys.Computer), recordId: text(sys.EventRecordID),
      systemTime: created ? { value: created, from: 'System/TimeCreated/@SystemTime' } : null, hostLocalTime: null, data,
    };
  }
  const winlog = o.winlog;
  if (isObject(winlog) && (winlog.event_id !== undefined || winlog.event_data !== undefined)) {
    const ts = text(o['@timestamp']);
    return {
      container: 'Winlogbeat JSON', eventId: text(winlog.event_id) ?? text(field(o, 'event.code')), channel: text(winlog.channel),
      provider: text(winlog.provider_name), computer: text(winlog.computer_name) ?? text(field(o, 'host.name')),
      recordId: text(winlog.record_id), systemTime: ts ? { value: ts, from: '@timestamp' } : null, hostLocalTime: null,
      data: isObject(winlog.event_data) ? winlog.event_data : {},
      fallback: (name) => {
        if (name === 'User') {
          const user = text(field(o, 'user.name'));
          const domain = text(field(o, 'user.domain'));
          return user === null ? null : domain ? `${domain}\\${user}` : user;
        }
        const path = WINLOGBEAT_ECS[name];
        return path ? text(field(o, path)) : null;
      },
    };
  }
  if ('EventID' in o && ('Channel' in o || 'SourceName' in o || 'NewProcessName' in o || 'Image' in o)) {
    // NXLog flattens EventData next to its own keys; a SecurityEvent table row (Log Analytics) looks much the same.
    const sentinel = 'TimeGenerated' in o && !('Hostname' in o);
    const ts = sentinel ? text(o.TimeGenerated) : text(o['@timestamp']);
    return {
      container: sentinel ? 'SecurityEvent rows' : 'NXLog JSON', eventId: text(o.EventID), channel: text(o.Channel),
      provider: text(o.SourceName) ?? text(o.EventSourceName), computer: text(o.Hostname) ?? text(o.Computer),
      recordId: text(o.RecordNumber) ?? text(o.EventRecordID) ?? text(o.EventRecordId),
      systemTime: ts ? { value: ts, from: sentinel ? 'TimeGenerated' : '@timestamp' } : null,
      hostLocalTime: sentinel ? null : text(o.EventTime), data: o,
    };
  }
  return null;
}

function kindOf(r: WindowsRecord): ProcessEventKind | null {
  const id = r.eventId?.trim();
  const where = `${r.channel ?? ''} ${r.provider ?? ''}`.toLowerCase();
  if (id === '1' && where.includes('sysmon')) return 'Sysmon 1';
  if (id === '4688' && (where.trim() === '' || where.includes('security'))) return 'Security 4688';
  return null;
}

function mapWindows(r: WindowsRecord, kind: 'Sysmon 1' | 'Security 4688'): MappedEvent {
  const d = (name: string) => text(r.data[name]) ?? r.fallback?.(name) ?? null;
  const used: Record<string, string> = {};
  const take = (column: string, from: string, value: string | null) => {
    if (value !== null) used[column] = from;
    return value;
  };
  const sysmon = kind === 'Sysmon 1';
  const utc = sysmon ? d('UtcTime') : null;
  const time = utc !== null ? take('Timestamp', 'UtcTime', utc) : r.systemTime ? take('Timestamp', r.systemTime.from, r.systemTime.value) : null;
  const image = sysmon ? take('FolderPath', 'Image', d('Image')) : take('FolderPath', 'NewProcessName', d('NewProcessName'));
  const parent = sysmon ? take('InitiatingProcessFolderPath', 'ParentImage', d('ParentImage')) : take('InitiatingProcessFolderPath', 'ParentProcessName', d('ParentProcessName'));
  let account: { domain: string | null; name: string | null };
  if (sysmon) {
    account = splitAccount(d('User'));
    if (account.name !== null) used.AccountName = 'User (after \\)';
    if (account.domain !== null) used.AccountDomain = 'User (before \\)';
  } else {
    account = { domain: take('AccountDomain', 'SubjectDomainName', d('SubjectDomainName')), name: take('AccountName', 'SubjectUserName', d('SubjectUserName')) };
  }
  if (image !== null) used.FileName = `${sysmon ? 'Image' : 'NewProcessName'} (last path segment)`;
  if (parent !== null) used.InitiatingProcessFileName = `${sysmon ? 'ParentImage' : 'ParentProcessName'} (last path segment)`;
  const row: Record<string, string | null> = {
    Timestamp: time,
    DeviceName: take('DeviceName', r.container === 'NXLog JSON' ? 'Hostname' : 'Computer', r.computer),
    ActionType: 'ProcessCreated',
    FileName: leafOf(image),
    FolderPath: image,
    ProcessCommandLine: take('ProcessCommandLine', 'CommandLine', d('CommandLine')),
    ProcessId: sysmon ? take('ProcessId', 'ProcessId', decimalPid(d('ProcessId'))) : take('ProcessId', 'NewProcessId (hex)', decimalPid(d('NewProcessId'))),
    AccountDomain: account.domain,
    AccountName: account.name,
    AccountSid: sysmon ? null : take('AccountSid', 'SubjectUserSid', d('SubjectUserSid')),
    InitiatingProcessFileName: leafOf(parent),
    InitiatingProcessFolderPath: parent,
    InitiatingProcessCommandLine: sysmon ? take('InitiatingProcessCommandLine', 'ParentCommandLine', d('ParentCommandLine')) : null,
    InitiatingProcessId: sysmon ? take('InitiatingProcessId', 'ParentProcessId', decimalPid(d('ParentProcessId')))
      : take('InitiatingProcessId', 'ProcessId (creator, hex)', decimalPid(d('ProcessId'))),
    ProcessVersionInfoOriginalFileName: sysmon ? take('ProcessVersionInfoOriginalFileName', 'OriginalFileName', d('OriginalFileName')) : null,
    SourceEvent: kind,
    EventID: r.eventId,
    Channel: r.channel,
    EventRecordID: r.recordId !== null && /^\d+$/.test(r.recordId.trim()) ? r.recordId.trim() : null,
    EventTime: r.hostLocalTime,
  };
  return { kind, container: r.container, row, used };
}

const values = (v: unknown): string[] => (Array.isArray(v) ? v.map(text).filter((s): s is string => s !== null) : text(v) !== null ? [text(v)!] : []);

/** Elastic Common Schema: Elastic Defend and Kibana exports (nested objects or dotted keys). */
function mapEcs(o: Obj): Classified {
  const get = (p: string) => text(field(o, p));
  const categories = values(field(o, 'event.category')).map((s) => s.toLowerCase());
  const types = values(field(o, 'event.type')).map((s) => s.toLowerCase());
  const code = get('event.code');
  const isStart = (categories.includes('process') && types.includes('start')) || code === '1' || code === '4688';
  if ((categories.length > 0 || types.length > 0 || code !== null) && !isStart) return { skip: OTHER_ECS_EVENT };
  const used: Record<string, string> = {};
  const take = (column: string, ...paths: string[]) => {
    for (const p of paths) {
      const v = get(p);
      if (v !== null) { used[column] = p; return v; }
    }
    return null;
  };
  const executable = take('FolderPath', 'process.executable');
  let name = take('FileName', 'process.name');
  if (name === null && executable !== null) { name = leafOf(executable); used.FileName = 'process.executable (last path segment)'; }
  const parentExe = take('InitiatingProcessFolderPath', 'process.parent.executable');
  let parentName = take('InitiatingProcessFileName', 'process.parent.name');
  if (parentName === null && parentExe !== null) { parentName = leafOf(parentExe); used.InitiatingProcessFileName = 'process.parent.executable (last path segment)'; }
  const row: Record<string, string | null> = {
    Timestamp: take('Timestamp', '@timestamp'),
    DeviceName: take('DeviceName', 'host.name', 'host.hostname'),
    ActionType: 'ProcessCreated',
    FileName: name,
    FolderPath: executable,
    ProcessCommandLine: take('ProcessCommandLine', 'process.command_line'),
    ProcessId: take('ProcessId', 'process.pid'),
    AccountDomain: take('AccountDomain', 'user.domain'),
    AccountName: take('AccountName', 'user.name'),
    AccountSid: take('AccountSid', 'user.id'),
    InitiatingProcessFileName: parentName,
    InitiatingProcessFolderPath: parentExe,
    InitiatingProcessCommandLine: take('InitiatingProcessCommandLine', 'process.parent.command_line'),
    InitiatingProcessId: take('InitiatingProcessId', 'process.parent.pid'),
    ProcessVersionInfoOriginalFileName: take('ProcessVersionInfoOriginalFileName', 'process.pe.original_file_name'),
    SourceEvent: 'ECS process start',
    EventID: code,
    Channel: get('winlog.channel') ?? get('data_stream.dataset') ?? get('event.dataset'),
    EventRecordID: null,
    EventTime: null,
  };
  return { mapped: { kind: 'ECS process start', container: 'Elastic Common Schema JSON', row, used } };
}

const looksEcs = (o: Obj) => field(o, '@timestamp') !== undefined && (isObject(o.process) || 'process.name' in o || 'process.executable' in o);

/**
 * Judge one JSON object: a process-creation event (mapped), another Windows/Elastic event (skip), or neither
 * (null: a row of some other table, such as a Defender export, which is read as it is).
 */
export function classifyEvent(o: Obj): Classified {
  const record = recordOf(o);
  if (record) {
    const kind = kindOf(record);
    return kind ? { mapped: mapWindows(record, kind as 'Sysmon 1' | 'Security 4688') } : { skip: OTHER_WINDOWS_EVENT };
  }
  if (looksEcs(o)) return mapEcs(o);
  return null;
}
