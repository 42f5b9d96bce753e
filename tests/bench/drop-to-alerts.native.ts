/**
 * The native half of `npm run bench` (issue 6): the app's own loader and detection (loadSource →
 * refreshEventsView → runDetection, as tests/support/harness.ts calls them) on native DuckDB 1.4.3, timed.
 * Not part of `npm test`: it runs only through vitest.bench.config.ts.
 *
 * The bench script spawns it once per (file, threads) so that each run's peak memory is its own:
 *   BENCH_NATIVE_FILES=bench-data/dpe-1000000.csv BENCH_NATIVE_THREADS=1 BENCH_OUT=/tmp/x.json \
 *     npx vitest run --config vitest.bench.config.ts
 * Alone (`npm run bench:native`) it runs every generated file with 1 thread and with all threads and prints them.
 *
 * Environment: BENCH_NATIVE_FILES (comma-separated; default every bench-data/dpe-*.csv|jsonl),
 * BENCH_NATIVE_THREADS (comma-separated `1`, `all` or a number; default `1,all`), BENCH_RERUNS (default 5),
 * BENCH_OUT (write the results there as JSON instead of printing them).
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import { test } from 'vitest';
import { loadSource, refreshEventsView } from '../../src/lib/ingest/loader';
import * as registry from '../../src/lib/detections/registry';
import { chartData, runDetection } from '../../src/lib/detections/runner';
import type { RunParams } from '../../src/lib/detections/types';
import { cutoffFor, DEFAULT_SETTINGS, resolveNow } from '../../src/lib/params/settings';
import { netDiscovery } from '../support/harness';
import { createNativeEngine, openFileBlob, type NativeEngine } from '../support/native-engine';

/** The thresholds a re-run cycles through; drop-to-alerts.mjs uses the same ones in the browser. */
const RERUN_THRESHOLDS = [11, 12, 9, 13, 10];

export interface NativeResult {
  runner: 'native';
  file: string;
  bytes: number;
  /** What was asked (`1` or `all`) and what DuckDB reports. */
  threadsAsked: string;
  threads: number;
  ok: boolean;
  problem?: string;
  /** loadSource + refreshEventsView + runDetection, wall clock. */
  seconds: number;
  /** Of which loadSource alone. */
  loadSeconds: number;
  /** CPU seconds of this process (all threads) over the timed part. */
  cpuSeconds: number;
  rowsRead: number;
  /** The format the app recognised ("Defender Advanced Hunting CSV", "JSON lines"). */
  appFormat: string;
  alerts: number;
  suppressed: number;
  /** The re-run times (runDetection + chartData, what the page does after a parameter edit), ms. */
  rerunMs: number[];
  /** Resident memory (bytes) before the load and the process's peak during it. */
  rssBefore: number;
  peakRss: number;
  /** Whether the peak could be reset before the load (Linux clear_refs); if not, the peak is since process start. */
  peakReset: boolean;
}

function status(field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

/** Linux: writing 5 to clear_refs resets the peak RSS (VmHWM) to the current RSS. */
function resetPeak(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

/** The page's defaults: StartTime 2d, bin 1d, threshold 10, now = the latest loaded event, empty allowlist. */
function defaultParams(latest: bigint | null, threshold = DEFAULT_SETTINGS.threshold): RunParams | null {
  const now = resolveNow(DEFAULT_SETTINGS.now, latest, Date.now());
  if (now === null) return null;
  return { cutoff: cutoffFor(now, DEFAULT_SETTINGS.startTicks), binTicks: DEFAULT_SETTINGS.binTicks, threshold, allowlist: [] };
}

type LoadContext = Parameters<typeof loadSource>[0];

/**
 * The load context the page builds (Session.loadOne): the detections' prefilter and, when the registry offers one,
 * their prefilter hint. Looked up by name so that this file follows the loader while it changes (issue 6 work).
 */
function loadContext(engine: NativeEngine): LoadContext {
  const hint = (registry as Record<string, unknown>).combinedPrefilterHint;
  return { engine, prefilter: registry.combinedPrefilter(), ...(typeof hint === 'function' ? { prefilterHint: hint() as unknown } : {}) } as LoadContext;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function runOne(file: string, threadsAsked: string, reruns: number): Promise<NativeResult> {
  const threads = threadsAsked === 'all' ? undefined : Number(threadsAsked);
  const engine = await createNativeEngine({ threads });
  const base: NativeResult = {
    runner: 'native', file, bytes: statSync(file).size, threadsAsked, threads: Number(await engine.setting('threads')), ok: false,
    seconds: NaN, loadSeconds: NaN, cpuSeconds: NaN, rowsRead: 0, appFormat: '', alerts: 0, suppressed: 0, rerunMs: [],
    rssBefore: 0, peakRss: 0, peakReset: false,
  };
  try {
    const blob = await openFileBlob(file);
    const ctx = loadContext(engine);
    base.rssBefore = status('VmRSS');
    base.peakReset = resetPeak();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const source = await loadSource(ctx, { file: blob, name: path.basename(file), id: 1, ordinal: 1 });
    const t1 = performance.now();
    if (source.status !== 'ready') return { ...base, problem: source.problem };
    await refreshEventsView(engine, [source]);
    const params = defaultParams(source.maxTime);
    if (params === null) return { ...base, problem: 'no event time in the file' };
    const result = await runDetection(engine, netDiscovery, params, [source]);
    const t2 = performance.now();
    const cpu = process.cpuUsage(cpu0);
    const peakRss = status('VmHWM');
    const range = source.maxTime === null ? null : { min: source.minTime ?? source.maxTime, max: source.maxTime };
    const rerunMs: number[] = [];
    for (const threshold of RERUN_THRESHOLDS.slice(0, reruns)) {
      const p = { ...params, threshold };
      const r0 = performance.now();
      await runDetection(engine, netDiscovery, p, [source]);
      await chartData(engine, netDiscovery, p, range);
      rerunMs.push(performance.now() - r0);
    }
    return {
      ...base, ok: true, seconds: (t2 - t0) / 1000, loadSeconds: (t1 - t0) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6,
      rowsRead: source.rowsRead, appFormat: source.format, alerts: result.alerts.length, suppressed: result.suppressed.length, rerunMs, peakRss,
    };
  } catch (e) {
    return { ...base, problem: (e as Error).message ?? String(e) };
  } finally {
    await engine.close();
  }
}

function defaultFiles(): string[] {
  try {
    return readdirSync('bench-data').filter((f) => /^dpe-\d+\.(csv|jsonl)$/.test(f)).sort().map((f) => path.join('bench-data', f));
  } catch {
    return [];
  }
}

test('native DuckDB: load and detect with the app\'s code', async () => {
  const list = (v: string | undefined) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const files = list(process.env.BENCH_NATIVE_FILES).length ? list(process.env.BENCH_NATIVE_FILES) : defaultFiles();
  const threads = list(process.env.BENCH_NATIVE_THREADS).length ? list(process.env.BENCH_NATIVE_THREADS) : ['1', 'all'];
  const reruns = Number(process.env.BENCH_RERUNS ?? RERUN_THRESHOLDS.length);
  if (files.length === 0) throw new Error('no files: run `npm run bench` once (it generates bench-data/), or set BENCH_NATIVE_FILES');
  const results: NativeResult[] = [];
  for (const file of files) for (const t of threads) results.push(await runOne(file, t, reruns));
  if (process.env.BENCH_OUT) {
    writeFileSync(process.env.BENCH_OUT, JSON.stringify(results, null, 2));
    return;
  }
  const mb = (b: number) => (b / 1e6).toFixed(0);
  console.log(`native DuckDB (@duckdb/node-api), ${cpus().length} cores`);
  for (const r of results) {
    console.log(r.ok
      ? `${path.basename(r.file)} threads=${r.threads}: ${r.seconds.toFixed(2)} s (load ${r.loadSeconds.toFixed(2)} s, ${r.cpuSeconds.toFixed(1)} CPU-s), ` +
        `${(r.rowsRead / r.seconds / 1e6).toFixed(2)} M rows/s, ${(r.bytes / 1e6 / r.seconds).toFixed(0)} MB/s, peak RSS ${mb(r.peakRss)} MB ` +
        `(${mb(r.rssBefore)} before), ${r.alerts} alerts, re-run median ${median(r.rerunMs).toFixed(0)} ms`
      : `${path.basename(r.file)} threads=${r.threadsAsked}: FAILED: ${r.problem}`);
  }
}, 3 * 60 * 60 * 1000);
