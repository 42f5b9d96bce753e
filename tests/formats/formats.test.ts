/**
 * Input formats: every fixture in tests/fixtures is recognised by its content, read by header name, and yields the
 * hand-written statistics and Export JSON (`<name>.expected.json`, with `<name>.params.json`). The expected files
 * were written from the rules in the issue text, not copied from this program's output.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { createNodeEngine } from '../support/node-engine';
import { detect, loadAll, type TestParams } from '../support/harness';
import { alertsToJson } from '../../src/lib/export/json';
import { formatTicks, parseInstant } from '../../src/lib/time/ticks';
import type { FailedSource, LoadedSource } from '../../src/lib/ingest/source';

type Engine = Awaited<ReturnType<typeof createNodeEngine>>;
type Source = LoadedSource | FailedSource;
type ExportRow = Record<string, unknown>;

const fixtureUrl = (name: string) => new URL(`../fixtures/${name}`, import.meta.url);
const fixtureBytes = (name: string) => new Uint8Array(readFileSync(fixtureUrl(name)));
const fixtureJson = <T>(name: string): T => JSON.parse(readFileSync(fixtureUrl(name), 'utf8')) as T;
const hasFixture = (name: string) => existsSync(fixtureUrl(name));
const stem = (name: string) => name.replace(/\.[^.]+$/, '');

let engine: Engine;
beforeAll(async () => {
  engine = await createNodeEngine();
});
afterAll(() => engine?.close());

function ready(s: Source | undefined, name = s?.name): LoadedSource {
  if (!s) throw new Error(`${name}: no source`);
  if (s.status !== 'ready') throw new Error(`${name} did not load: ${s.problem}`);
  return s;
}

async function loadFixture(name: string, displayOffsetMinutes?: number): Promise<LoadedSource> {
  const [s] = await loadAll(engine, [{ name, content: fixtureBytes(name) }], displayOffsetMinutes);
  return ready(s, name);
}

async function exportOf(sources: Source[], params: TestParams): Promise<ExportRow[]> {
  const res = await detect(engine, sources, params);
  return JSON.parse(alertsToJson(res.alerts)) as ExportRow[];
}

/** Same values and the same key order (key order is part of the Export JSON contract). */
function expectSameExport(actual: ExportRow[], expected: ExportRow[]) {
  expect(actual).toEqual(expected);
  expect(actual.map((r) => Object.keys(r))).toEqual(expected.map((r) => Object.keys(r)));
}

const ticksText = (t: bigint | null) => (t === null ? null : formatTicks(t));

interface RejectFact { reason: RegExp; count: number; first: number[]; unit: 'data row' | 'line' | 'item' }
interface SkipFact { reason: RegExp; count: number }
interface Facts {
  format: LoadedSource['format'];
  variant: 'defender' | 'sentinel';
  rowsRead: number;
  rejected: RejectFact[];
  skipped: SkipFact[];
  netRows: number;
  upnNonEmpty: number;
  minTime: string | null;
  maxTime: string | null;
  /** Day order per locale-style datetime column ([UTC] suffix stripped). */
  dayOrders: Record<string, { dayFirst: boolean; basis: 'values' | 'am-pm' | 'default' | 'conflict' }>;
  /** How AccountUpn is keyed: the file's own column, or derived from AccountDomain\AccountName / AccountName. */
  upn: 'column' | 'domain\\name' | 'name';
  /** Column names as exported (suffix stripped), in header order; only checked when given. */
  columns?: string[];
}

const FACTS: Record<string, Facts> = {
  'defender-iso.csv': {
    format: 'Defender Advanced Hunting CSV', variant: 'defender', rowsRead: 21, rejected: [], skipped: [],
    netRows: 18, upnNonEmpty: 21 - 4,
    minTime: '2024-10-16T16:20:05.3300125Z', maxTime: '2024-10-18T14:42:03.3300000Z',
    dayOrders: {}, upn: 'column',
  },
  'defender-display.csv': {
    format: 'Defender Advanced Hunting CSV', variant: 'defender', rowsRead: 18, rejected: [], skipped: [],
    netRows: 15, upnNonEmpty: 17,
    minTime: '2024-10-07T16:12:55.0000000Z', maxTime: '2024-10-09T14:47:16.0000000Z',
    dayOrders: {}, upn: 'domain\\name',
  },
  'sentinel-dayfirst.csv': {
    format: 'Sentinel / Log Analytics CSV', variant: 'sentinel', rowsRead: 16, rejected: [], skipped: [],
    netRows: 14, upnNonEmpty: 16 - 3,
    minTime: '2026-03-12T10:04:55.6710000Z', maxTime: '2026-03-26T16:40:27.6000000Z',
    dayOrders: {
      TimeGenerated: { dayFirst: true, basis: 'values' },
      InitiatingProcessCreationTime: { dayFirst: true, basis: 'values' },
      InitiatingProcessParentCreationTime: { dayFirst: true, basis: 'default' },
      ProcessCreationTime: { dayFirst: true, basis: 'values' },
      Timestamp: { dayFirst: true, basis: 'values' },
    },
    upn: 'column',
  },
};

function expectFacts(s: LoadedSource, f: Facts) {
  expect(s.format).toBe(f.format);
  expect(s.variant).toBe(f.variant);
  expect(s.rowsRead).toBe(f.rowsRead);
  const byFirst = <T extends { first: number[] }>(list: T[]) => [...list].sort((a, b) => (a.first[0] ?? 0) - (b.first[0] ?? 0));
  expect(byFirst(s.rejected)).toEqual(byFirst(f.rejected).map((r) => ({ ...r, reason: expect.stringMatching(r.reason) })));
  const byReason = <T extends { reason: string }>(list: T[]) => [...list].sort((a, b) => (a.reason < b.reason ? -1 : 1));
  expect(byReason(s.skipped)).toHaveLength(f.skipped.length);
  for (const k of f.skipped) {
    expect(s.skipped).toContainEqual({ reason: expect.stringMatching(k.reason), count: k.count });
  }
  expect(s.netRows).toBe(f.netRows);
  expect(s.upnNonEmpty).toBe(f.upnNonEmpty);
  expect(ticksText(s.minTime)).toBe(f.minTime);
  expect(ticksText(s.maxTime)).toBe(f.maxTime);
  expect(Object.fromEntries(s.dayOrders.map((d) => [d.column, { dayFirst: d.dayFirst, basis: d.basis }]))).toEqual(f.dayOrders);
  expect(s.dayOrders).toHaveLength(Object.keys(f.dayOrders).length);
  const derivedNote = s.notes.filter((n) => /AccountUpn/.test(n) && /AccountName/.test(n));
  if (f.upn === 'column') {
    expect(s.shape.upnDerived).toBe(false);
    expect(derivedNote).toEqual([]);
  } else {
    expect(s.shape.upnDerived).toBe(true);
    expect(derivedNote).toHaveLength(1);
    if (f.upn === 'domain\\name') expect(derivedNote[0]).toContain('AccountDomain\\AccountName');
    else expect(derivedNote[0]).not.toContain('AccountDomain');
  }
  if (f.columns) expect(s.shape.columns.map((c) => c.name)).toEqual(f.columns);
}

describe('each fixture: recognition, statistics and the exact Export JSON', () => {
  for (const [name, facts] of Object.entries(FACTS)) {
    test(name, async () => {
      const s = await loadFixture(name);
      expectFacts(s, facts);
      const expectedName = `${stem(name)}.expected.json`;
      if (hasFixture(expectedName)) {
        const params = fixtureJson<TestParams>(`${stem(name)}.params.json`);
        expectSameExport(await exportOf([s], params), fixtureJson<ExportRow[]>(expectedName));
      }
    });
  }
});
