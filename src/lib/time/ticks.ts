/**
 * Kusto time in JavaScript: ticks (100 ns since 0001-01-01T00:00:00Z) as BigInt, since they exceed 2^53.
 */
export const TICKS_PER_MS = 10_000n;
export const TICKS_PER_SECOND = 10_000_000n;
export const TICKS_PER_MINUTE = 60n * TICKS_PER_SECOND;
export const TICKS_PER_HOUR = 60n * TICKS_PER_MINUTE;
export const TICKS_PER_DAY = 24n * TICKS_PER_HOUR;
/** Ticks at 1970-01-01T00:00:00Z. */
export const UNIX_EPOCH_TICKS = 62_135_596_800n * TICKS_PER_SECOND;

export function ticksFromEpochMs(ms: number): bigint {
  return UNIX_EPOCH_TICKS + BigInt(Math.trunc(ms)) * TICKS_PER_MS;
}

/** `YYYY-MM-DDTHH:MM:SS.fffffffZ`, the form Kusto writes datetimes in JSON. */
export function formatTicks(ticks: bigint): string {
  const seconds = ticks / TICKS_PER_SECOND;
  const fraction = ticks % TICKS_PER_SECOND;
  const iso = new Date(Number((seconds * TICKS_PER_SECOND - UNIX_EPOCH_TICKS) / TICKS_PER_MS)).toISOString();
  return `${iso.slice(0, 19)}.${fraction.toString().padStart(7, '0')}Z`;
}

/** A shorter form for the screen: seconds, and the fraction only when there is one. */
export function displayTicks(ticks: bigint | null): string {
  if (ticks === null) return '—';
  const full = formatTicks(ticks);
  const fraction = full.slice(20, 27).replace(/0+$/, '');
  return `${full.slice(0, 10)} ${full.slice(11, 19)}${fraction ? `.${fraction}` : ''}`;
}

const ISO = /^\s*(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}:?\d{2})?\s*$/;

/** Parse an ISO 8601 instant to ticks; one without a zone is UTC. Returns null when it is not one. */
export function parseInstant(text: string): bigint | null {
  const m = ISO.exec(text);
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', f = '', z = ''] = m;
  const year = Number(y), month = Number(mo), day = Number(d), hour = Number(h), minute = Number(mi), second = Number(s);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  date.setUTCHours(hour, minute, second, 0);
  let ticks = ticksFromEpochMs(date.getTime()) + BigInt((f + '0000000').slice(0, 7));
  if (z && z !== 'Z' && z !== 'z') {
    const sign = z.startsWith('-') ? -1n : 1n;
    const digits = z.slice(1).replace(':', '');
    ticks -= sign * (BigInt(Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * TICKS_PER_MINUTE);
  }
  return ticks;
}

export function startOfDay(ticks: bigint): bigint {
  return (ticks / TICKS_PER_DAY) * TICKS_PER_DAY;
}
