import type { Engine } from '../engine/engine';
import { queryWholeSource } from '../ingest/loader';
import type { LoadedSource } from '../ingest/source';
import { eventRows, EVENT_COLUMNS, type EventRow } from '../detections/runner';
import { sqlInt, sqlString } from '../sql/quote';

export interface AroundCriteria {
  account: string;
  devices: string[];
  fromTicks: bigint;
  toTicks: bigint;
  /** At most this many rows in all (the earliest). */
  limit: number;
}

/**
 * "Around this alert": every loaded process event (not only net.exe) of the same account or on the same devices
 * within the window, read again from the sources rather than kept in memory.
 */
export async function aroundEvents(engine: Engine, sources: readonly LoadedSource[], c: AroundCriteria): Promise<{ rows: EventRow[]; truncated: boolean }> {
  const who = [`AccountUpn = ${sqlString(c.account)}`, ...(c.devices.length ? [`DeviceName IN (${c.devices.map(sqlString).join(', ')})`] : [])].join(' OR ');
  const found: { ticks: bigint; row: EventRow }[] = [];
  for (const source of [...sources].sort((a, b) => a.ordinal - b.ordinal)) {
    const rows = await queryWholeSource(engine, source, (relation) => `SELECT lh_fmt(lh_time) AS Timestamp, ${EVENT_COLUMNS.slice(1).join(', ')},
      lh_time::VARCHAR AS lh_t FROM ${relation}
      WHERE lh_time BETWEEN ${sqlInt(c.fromTicks)} AND ${sqlInt(c.toTicks)} AND (${who})
      ORDER BY lh_time LIMIT ${sqlInt(c.limit + 1)}`);
    const named = eventRows(rows).map((row, i) => ({ ticks: BigInt(String(rows[i]!.lh_t)), row: { ...row, Source: source.name } }));
    found.push(...named);
  }
  found.sort((a, b) => (a.ticks < b.ticks ? -1 : a.ticks > b.ticks ? 1 : 0));
  return { rows: found.slice(0, c.limit).map((f) => f.row), truncated: found.length > c.limit };
}
