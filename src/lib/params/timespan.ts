import { TICKS_PER_DAY, TICKS_PER_HOUR, TICKS_PER_MINUTE, TICKS_PER_MS, TICKS_PER_SECOND } from '../time/ticks';

/** KQL timespan literals as the URL and the form take them: a number followed by d, h, m, s or ms. */
const UNITS: Record<string, bigint> = { d: TICKS_PER_DAY, h: TICKS_PER_HOUR, m: TICKS_PER_MINUTE, s: TICKS_PER_SECOND, ms: TICKS_PER_MS };
const TIMESPAN = /^(\d+)(?:\.(\d+))?(d|h|m|s|ms)$/;

/** Ticks of a timespan such as `2d`, `1.5h` or `250ms`, or null when the text is not one (or not a whole tick). */
export function parseTimespan(text: string): bigint | null {
  const m = TIMESPAN.exec(text.trim());
  if (!m) return null;
  const [, whole, frac = '', unit] = m;
  const perUnit = UNITS[unit!]!;
  const scale = 10n ** BigInt(frac.length);
  const scaled = (BigInt(whole!) * scale + BigInt(frac || '0')) * perUnit;
  if (scaled % scale !== 0n) return null;
  return scaled / scale;
}

/** The shortest exact form: `2d`, `36h`, `90m`, `45s`, `1500ms`. */
export function formatTimespan(ticks: bigint): string {
  for (const unit of ['d', 'h', 'm', 's', 'ms'] as const) {
    const per = UNITS[unit]!;
    if (ticks % per === 0n) return `${ticks / per}${unit}`;
  }
  return `${Number(ticks) / Number(TICKS_PER_MS)}ms`;
}
