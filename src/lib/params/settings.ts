import { parseTimespan, formatTimespan } from './timespan';
import { formatTicks, parseInstant, startOfDay, ticksFromEpochMs } from '../time/ticks';
import { ALL_HARDENING, HARDENING_SWITCHES, type Hardening, type HardeningSwitch, type Mode } from '../detections/types';

/**
 * The run's settings and their URL hash form, `#start=2d&bin=1d&threshold=10&now=latest&mode=exact`; in hardened mode a
 * `hardening=case,original,...` key lists the switches that are on when not all of them are.
 * The hash is the source of truth: applied at load and on every hashchange; a missing key takes its default;
 * an invalid value takes its default and is reported.
 */
export type NowSetting = { kind: 'latest' } | { kind: 'clock' } | { kind: 'instant'; ticks: bigint; text: string };

export interface Settings {
  startTicks: bigint;
  binTicks: bigint;
  threshold: number;
  now: NowSetting;
  mode: Mode;
  hardening: Hardening;
}

export const DEFAULT_SETTINGS: Settings = {
  startTicks: parseTimespan('2d')!,
  binTicks: parseTimespan('1d')!,
  threshold: 10,
  now: { kind: 'latest' },
  mode: 'exact',
  hardening: ALL_HARDENING,
};

/** Split a hash into raw values, decoding each with decodeURIComponent (`+` stays a plus, unlike URLSearchParams). */
export function hashEntries(hash: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of hash.replace(/^#/, '').split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const rawKey = eq < 0 ? part : part.slice(0, eq);
    const rawValue = eq < 0 ? '' : part.slice(eq + 1);
    try {
      out.set(decodeURIComponent(rawKey), decodeURIComponent(rawValue));
    } catch {
      out.set(rawKey, rawValue);
    }
  }
  return out;
}

export function parseNow(text: string): NowSetting | null {
  if (text === 'latest') return { kind: 'latest' };
  if (text === 'clock') return { kind: 'clock' };
  const ticks = parseInstant(text);
  return ticks === null ? null : { kind: 'instant', ticks, text };
}

export function settingsFromHash(hash: string): { settings: Settings; problems: string[] } {
  const entries = hashEntries(hash);
  const settings: Settings = { ...DEFAULT_SETTINGS };
  const problems: string[] = [];
  const bad = (key: string, value: string, what: string, fallback: string) =>
    problems.push(`URL: ${key}=${JSON.stringify(value)} is not ${what}; using ${fallback}.`);
  const start = entries.get('start');
  if (start !== undefined) {
    const t = parseTimespan(start);
    if (t === null) bad('start', start, 'a timespan such as 2d, 36h or 90m', '2d');
    else settings.startTicks = t;
  }
  const bin = entries.get('bin');
  if (bin !== undefined) {
    const t = parseTimespan(bin);
    if (t === null || t <= 0n) bad('bin', bin, 'a positive timespan such as 1d, 12h or 1h', '1d');
    else settings.binTicks = t;
  }
  const threshold = entries.get('threshold');
  if (threshold !== undefined) {
    if (!/^\d+$/.test(threshold) || Number(threshold) < 1 || !Number.isSafeInteger(Number(threshold))) bad('threshold', threshold, 'a whole number of at least 1', '10');
    else settings.threshold = Number(threshold);
  }
  const now = entries.get('now');
  if (now !== undefined) {
    const n = parseNow(now);
    if (n === null) bad('now', now, 'latest, clock or an ISO 8601 instant', 'latest');
    else settings.now = n;
  }
  const mode = entries.get('mode');
  if (mode === 'exact' || mode === 'hardened') settings.mode = mode;
  else if (mode !== undefined) bad('mode', mode, 'a known mode (exact or hardened)', 'exact');
  const hardening = entries.get('hardening');
  if (hardening !== undefined) {
    const on = hardening.split(',').map((x) => x.trim()).filter((x) => x !== '');
    const unknown = on.filter((x) => !(HARDENING_SWITCHES as readonly string[]).includes(x));
    if (unknown.length) bad('hardening', hardening, `a list of ${HARDENING_SWITCHES.join(', ')}`, 'all switches on');
    else settings.hardening = Object.fromEntries(HARDENING_SWITCHES.map((k) => [k, on.includes(k)])) as Hardening;
  }
  return { settings, problems };
}

export function nowText(now: NowSetting): string {
  return now.kind === 'instant' ? now.text : now.kind;
}

export function settingsToHash(s: Settings): string {
  const parts: [string, string][] = [
    ['start', formatTimespan(s.startTicks)], ['bin', formatTimespan(s.binTicks)], ['threshold', String(s.threshold)],
    ['now', nowText(s.now)], ['mode', s.mode],
  ];
  const on = HARDENING_SWITCHES.filter((k: HardeningSwitch) => s.hardening[k]);
  if (s.mode === 'hardened' && on.length < HARDENING_SWITCHES.length) parts.push(['hardening', on.join(',')]);
  return '#' + parts.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
}

/** The instant that stands for `now()`: the latest event over all loaded sources, the real clock, or a typed instant. */
export function resolveNow(now: NowSetting, latestEvent: bigint | null, clockMs: number): bigint | null {
  if (now.kind === 'instant') return now.ticks;
  if (now.kind === 'clock') return ticksFromEpochMs(clockMs);
  return latestEvent;
}

/** `startofday(ago(StartTime))` in UTC. */
export function cutoffFor(now: bigint, startTicks: bigint): bigint {
  // Before 0001-01-01 every event is after the cutoff.
  return now - startTicks < 0n ? -1n : startOfDay(now - startTicks);
}

export { formatTicks };
