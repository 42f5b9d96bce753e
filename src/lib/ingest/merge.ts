import { sqlInt } from '../sql/quote';
import { col, SEQ_SHIFT } from './scan-sql';
import type { TableShape } from './schema';

/**
 * The same process creation must count once: an event loaded twice (the same export twice, or overlapping
 * exports) and a process logged both by Sysmon (Event ID 1) and by Security auditing (4688). Each source keeps a
 * small table of identity keys; every change of the loaded sources recomputes which rows to leave out, and the
 * events view the detections read excludes them. Nothing else is merged: distinct rows stay distinct, as in Kusto.
 */

export const DROPPED_TABLE = 'lh_dropped';
export const keysTableName = (id: number) => `lh_keys_${id}`;

const KEY_COLUMNS = 'lh_seq BIGINT, lh_src INTEGER, is_net BOOLEAN, dup_key VARCHAR, twin_kind VARCHAR, computer VARCHAR, pid BIGINT, ppid BIGINT, image VARCHAR, name VARCHAR, utc BIGINT, host BIGINT';
/** Sysmon's UtcTime and the Security record's time of one process creation lie within this many ticks (2 s). */
const TWIN_WINDOW_TICKS = 20_000_000;

export const createKeysTableSql = (table: string) => `CREATE OR REPLACE TABLE ${table} (${KEY_COLUMNS})`;

/**
 * Keys of mapped Windows rows (columns named as windows-events.ts writes them) staged in `relation`. A Windows
 * record is identified by its computer, its log and its EventRecordID; twins are matched by computer and process
 * id (or, where NXLog dropped Sysmon's ProcessId, by parent process id and image path) within 2 s, on the host's own
 * clock (NXLog's EventTime) when both records carry it, else on their UTC times. The file names must agree too: a
 * process id is reused only after its process ends, but two records that name different images are never merged.
 */
export function windowsKeysInsertSql(table: string, ordinal: number, index: (name: string) => number | undefined,
  relation: string, recordExpr: string): string {
  const c = (name: string) => {
    const i = index(name);
    return i === undefined ? 'NULL::VARCHAR' : col(i);
  };
  return `INSERT INTO ${table}
SELECT (${sqlInt(ordinal)}::BIGINT << ${SEQ_SHIFT}) + ${recordExpr}, ${sqlInt(ordinal)},
  coalesce(${c('FileName')} IN ('net.exe', 'net1.exe'), false),
  CASE WHEN ${c('EventRecordID')} IS NOT NULL AND ${c('DeviceName')} IS NOT NULL
    THEN 'w|' || lower(${c('DeviceName')}) || '|' || ${c('SourceEvent')} || '|' || ${c('EventRecordID')} END,
  CASE ${c('SourceEvent')} WHEN 'Sysmon 1' THEN 'sysmon' WHEN 'Security 4688' THEN 'security' END,
  lower(${c('DeviceName')}), TRY_CAST(${c('ProcessId')} AS BIGINT), TRY_CAST(${c('InitiatingProcessId')} AS BIGINT),
  lower(${c('FolderPath')}), lower(${c('FileName')}), lh_iso_ticks(${c('Timestamp')}), lh_iso_ticks(${c('EventTime')})
FROM ${relation} WHERE ${c('SourceEvent')} IS NOT NULL`;
}

/**
 * Keys of a table's candidate rows (already in its events table): a Defender export's ReportId + DeviceName +
 * Timestamp, or a Windows table's computer + EventRecordID. Null when the table has neither.
 */
export function eventKeysSql(table: string, eventsTable: string, shape: TableShape): string | null {
  const at = (...names: string[]) => shape.columns.findIndex((c) => names.includes(c.name));
  const value = (i: number) => `lh_values[${i + 1}]`;
  const net = "coalesce(FileName IN ('net.exe', 'net1.exe'), false)";
  const report = at('ReportId');
  if (shape.profile === 'DeviceProcessEvents' && report >= 0) {
    return `INSERT INTO ${table} SELECT lh_seq, lh_src, ${net},
  CASE WHEN coalesce(${value(report)}, '') <> '' THEN 'd|' || ${value(report)} || '|' || coalesce(DeviceName, '') || '|' || lh_time END,
  NULL, NULL, NULL, NULL, NULL, NULL, lh_time, NULL FROM ${eventsTable}`;
  }
  if (shape.profile === 'SecurityEvent') {
    // Security 4688 rows of a SecurityEvent table: duplicates by computer + EventRecordID, twins of Sysmon events
    // by computer, new process id (hex) and image, as for the other Windows formats.
    const record = at('EventRecordID', 'EventRecordId');
    const pid = at('NewProcessId');
    const dup = record >= 0 ? `CASE WHEN coalesce(${value(record)}, '') <> '' AND DeviceName IS NOT NULL THEN 'w|' || lower(DeviceName) || '|Security 4688|' || ${value(record)} END` : 'NULL';
    return `INSERT INTO ${table} SELECT lh_seq, lh_src, ${net}, ${dup}, 'security', lower(DeviceName),
  ${pid >= 0 ? `TRY_CAST(${value(pid)} AS BIGINT)` : 'NULL'}, NULL, lower(FolderPath), lower(FileName), lh_time, NULL FROM ${eventsTable}`;
  }
  // A mapped table says nothing about which log a record number belongs to: nothing is merged.
  return null;
}

export function droppedSql(keyTables: readonly string[]): string {
  if (keyTables.length === 0) return `CREATE OR REPLACE TABLE ${DROPPED_TABLE} (lh_seq BIGINT, lh_src INTEGER, is_net BOOLEAN, reason VARCHAR)`;
  const near = `abs(coalesce(s.host - t.host, s.utc - t.utc)) <= ${TWIN_WINDOW_TICKS}`;
  return `CREATE OR REPLACE TABLE ${DROPPED_TABLE} AS
WITH k AS (${keyTables.map((t) => `SELECT * FROM ${t}`).join(' UNION ALL ')}),
ranked AS (SELECT *, CASE WHEN dup_key IS NULL THEN 1 ELSE row_number() OVER (PARTITION BY dup_key ORDER BY lh_seq) END AS rn FROM k),
sysmon AS (SELECT * FROM ranked WHERE rn = 1 AND twin_kind = 'sysmon'),
security AS (SELECT * FROM ranked WHERE rn = 1 AND twin_kind = 'security'),
twins AS (
  SELECT t.lh_seq, t.lh_src, t.is_net FROM security t JOIN sysmon s ON s.computer = t.computer AND s.pid = t.pid AND s.name = t.name WHERE ${near}
  UNION
  SELECT t.lh_seq, t.lh_src, t.is_net FROM security t JOIN sysmon s ON s.computer = t.computer AND s.ppid = t.ppid AND s.image = t.image
  WHERE s.pid IS NULL AND ${near})
SELECT lh_seq, lh_src, is_net, 'duplicate' AS reason FROM ranked WHERE rn > 1
UNION ALL SELECT lh_seq, lh_src, is_net, 'twin' FROM twins`;
}

export const REMOVED_COUNTS_SQL = `SELECT lh_src, count(*) FILTER (WHERE reason = 'twin')::BIGINT AS twins,
  count(*) FILTER (WHERE reason = 'duplicate')::BIGINT AS duplicates, count(*) FILTER (WHERE is_net)::BIGINT AS net
FROM ${DROPPED_TABLE} GROUP BY lh_src`;
