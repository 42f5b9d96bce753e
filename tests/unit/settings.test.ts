import { describe, expect, test } from 'vitest';
import { cutoffFor, hashEntries, resolveNow, settingsFromHash, settingsToHash, DEFAULT_SETTINGS } from '../../src/lib/params/settings';
import { formatTimespan, parseTimespan } from '../../src/lib/params/timespan';
import { displayTicks, formatTicks, parseInstant, ticksFromEpochMs } from '../../src/lib/time/ticks';

describe('timespans', () => {
  test.each([
    ['2d', 2n * 864_000_000_000n], ['1.5h', 54_000_000_000n], ['90m', 54_000_000_000n], ['45s', 450_000_000n], ['250ms', 2_500_000n], ['0d', 0n],
  ])('%s', (text, ticks) => expect(parseTimespan(text)).toBe(ticks));
  test.each(['', '2', 'd', '2w', '-1d', '1e3s', ' 2 d', '0.00001ms'])('rejects %j', (text) => expect(parseTimespan(text)).toBeNull());
  test('formats the shortest exact form', () => {
    expect(['2d', '36h', '90m', '1500ms', '36500d'].map((t) => formatTimespan(parseTimespan(t)!))).toEqual(['2d', '36h', '90m', '1500ms', '36500d']);
    expect(formatTimespan(parseTimespan('48h')!)).toBe('2d');
  });
});

describe('instants and ticks', () => {
  test('ISO 8601 with 7 digits keeps every tick; no zone means UTC; offsets apply', () => {
    expect(formatTicks(parseInstant('2024-05-08T00:00:00.0000001Z')!)).toBe('2024-05-08T00:00:00.0000001Z');
    expect(parseInstant('2024-05-10T15:30:00')).toBe(parseInstant('2024-05-10T15:30:00Z'));
    expect(formatTicks(parseInstant('2024-05-10T17:30:00+02:00')!)).toBe('2024-05-10T15:30:00.0000000Z');
    expect(formatTicks(parseInstant('2024-05-10T10:30:00-0530')!)).toBe('2024-05-10T16:00:00.0000000Z');
    expect(formatTicks(parseInstant('0001-01-01T00:00:00Z')!)).toBe('0001-01-01T00:00:00.0000000Z');
    expect(parseInstant('0001-01-01T00:00:00Z')).toBe(0n);
    expect(formatTicks(parseInstant('1969-12-31T23:59:59.9999999Z')!)).toBe('1969-12-31T23:59:59.9999999Z');
  });
  test.each(['2024-02-30T00:00:00Z', '2024-13-01T00:00:00Z', 'yesterday', '2024-05-10T25:00:00Z', ''])('rejects %j', (t) => expect(parseInstant(t)).toBeNull());
  test('display form drops trailing zeros only', () => {
    expect(displayTicks(parseInstant('2024-05-10T09:12:00.1230000Z'))).toBe('2024-05-10 09:12:00.123');
    expect(displayTicks(parseInstant('2024-05-10T09:12:00Z'))).toBe('2024-05-10 09:12:00');
  });
});

describe('URL hash', () => {
  test('defaults when empty', () => {
    expect(settingsFromHash('')).toEqual({ settings: DEFAULT_SETTINGS, problems: [] });
  });
  test('reads every key; `+` stays a plus (decodeURIComponent, not URLSearchParams)', () => {
    const { settings, problems } = settingsFromHash('#start=36500d&bin=12h&threshold=3&now=2024-05-10T17:30:00+02:00&mode=exact');
    expect(problems).toEqual([]);
    expect(settings.startTicks).toBe(parseTimespan('36500d'));
    expect(settings.binTicks).toBe(parseTimespan('12h'));
    expect(settings.threshold).toBe(3);
    expect(settings.now).toEqual({ kind: 'instant', ticks: parseInstant('2024-05-10T15:30:00Z'), text: '2024-05-10T17:30:00+02:00' });
    expect(hashEntries('#now=a%2Bb&x=1+2').get('x')).toBe('1+2');
  });
  test('an invalid value takes the default and is reported; the others still apply', () => {
    const { settings, problems } = settingsFromHash('#start=2w&bin=0d&threshold=0&now=soon&mode=wild');
    expect(settings).toEqual(DEFAULT_SETTINGS);
    expect(problems).toHaveLength(5);
    expect(problems[0]).toContain('start="2w"');
    const partly = settingsFromHash('#threshold=1.5&bin=1h');
    expect(partly.settings.threshold).toBe(10);
    expect(partly.settings.binTicks).toBe(parseTimespan('1h'));
  });
  test('round trip', () => {
    const { settings } = settingsFromHash('#start=36h&bin=7d&threshold=25&now=clock');
    expect(settingsToHash(settings)).toBe('#start=36h&bin=7d&threshold=25&now=clock&mode=exact');
    expect(settingsToHash({ ...settings, now: { kind: 'instant', ticks: 0n, text: '2024-05-10T17:30:00+02:00' } }))
      .toContain('now=2024-05-10T17%3A30%3A00%2B02%3A00');
  });
});

describe('now and cutoff', () => {
  const latest = parseInstant('2024-05-10T15:30:00Z')!;
  test('latest, clock and instant', () => {
    expect(resolveNow({ kind: 'latest' }, latest, 0)).toBe(latest);
    expect(resolveNow({ kind: 'latest' }, null, 0)).toBeNull();
    expect(resolveNow({ kind: 'clock' }, latest, Date.UTC(2026, 0, 1))).toBe(ticksFromEpochMs(Date.UTC(2026, 0, 1)));
    expect(resolveNow({ kind: 'instant', ticks: 5n, text: 'x' }, latest, 0)).toBe(5n);
  });
  test('startofday(now - StartTime) in UTC', () => {
    expect(formatTicks(cutoffFor(latest, parseTimespan('2d')!))).toBe('2024-05-08T00:00:00.0000000Z');
    expect(formatTicks(cutoffFor(latest, parseTimespan('15h')!))).toBe('2024-05-10T00:00:00.0000000Z');
    expect(cutoffFor(latest, latest + 1n)).toBe(-1n);
  });
});
