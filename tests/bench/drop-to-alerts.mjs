// The scale benchmark of issue 6: `npm run bench`.
//
// 1. Generates realistic DeviceProcessEvents exports (tests/bench/generate.mjs), CSV and JSON lines, into bench-data/.
// 2. Copies the code as it is now (src/, public/, tests/support/, tests/bench/, configs) to bench-data/snapshot, builds
//    the app there (the served build and LocalHunt.html; dist/ is left alone) and serves it with `vite preview`. Both
//    halves run that snapshot, so edits others make to the working tree during a long run cannot mix code versions.
// 3. For each file and round, interleaved: the app in a fresh headless Chromium (select the file through the page's
//    own <input type=file>, time until #results is no longer aria-busy), and the app's own loader + detection on
//    native DuckDB 1.4.3 (tests/bench/drop-to-alerts.native.ts through vitest.bench.config.ts), with 1 thread and
//    with all threads, each in its own process.
// 4. Prints one table (and the start-up measurements as a second one), and writes every raw measurement as JSON.
//
// Options (flag or environment variable):
//   --rows 100000,1000000   BENCH_SIZES    row counts (replaces the default list; 6000000 makes the ~4.3 GB CSV and
//                                          ~6.9 GB JSON-lines files, generated only when asked)
//   --formats csv,jsonl     BENCH_FORMATS
//   --rounds 3              BENCH_ROUNDS   rounds per (file, runner), interleaved
//   --runners browser,browser-cold,native1,native  BENCH_RUNNERS  (browser: the file is selected once the engine's
//                                          warm-up is over; browser-cold: as soon as "Engine ready" shows; native =
//                                          DuckDB's default thread count, one per core)
//   --no-startup            BENCH_STARTUP=0  skip the small start-up table
//   --no-build              BENCH_BUILD=0    reuse the previous snapshot and its build (a quick re-measure)
//   --out file.json         BENCH_JSON     raw results (default bench-data/results-<time>.json)
//   --quiet-wait 30         BENCH_QUIET_WAIT_S  before each run, wait up to this long for a second in which other
//                                       processes use < 0.2 core (a shared VM can double a timing)
//   --retries 0             BENCH_RETRIES  redo a run during which other processes used > 0.25 core, up to this many
//                                       times (the redone run stays in the JSON, marked discarded)
//   BENCH_PORT (4175), BENCH_TIMEOUT_S (3600, per load), CHROMIUM_PATH (/usr/bin/chromium)
import { spawn, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from '@playwright/test';
import { DEFAULT_SEED, GENERATOR_VERSION, generate, paths } from './generate.mjs';
import { cmdline, cpuWatch, descendants, loadavg, processTable, statusBytes, threadNames, treeCpuSeconds } from './procfs.mjs';

const root = resolve(new URL('../..', import.meta.url).pathname);
process.chdir(root);

// ---------------------------------------------------------------- options
function options() {
  const argv = process.argv.slice(2);
  const flag = (name) => argv.includes(`--${name}`);
  const value = (name) => {
    const out = [];
    argv.forEach((a, i) => { if (a === `--${name}`) out.push(argv[i + 1]); else if (a.startsWith(`--${name}=`)) out.push(a.slice(name.length + 3)); });
    return out.length ? out.join(',') : undefined;
  };
  const list = (v) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const sizes = list(value('rows') ?? process.env.BENCH_SIZES ?? process.env.BENCH_ROWS ?? '100000,1000000').map((s) => Number(s.replace(/_/g, '')));
  for (const s of sizes) if (!Number.isSafeInteger(s) || s < 1000) throw new Error(`bad row count: ${s}`);
  return {
    sizes,
    formats: list(value('formats') ?? process.env.BENCH_FORMATS ?? 'csv,jsonl'),
    rounds: Number(value('rounds') ?? process.env.BENCH_ROUNDS ?? 3),
    runners: list(value('runners') ?? process.env.BENCH_RUNNERS ?? 'browser,browser-cold,native1,native'),
    startup: !flag('no-startup') && process.env.BENCH_STARTUP !== '0',
    build: !flag('no-build') && process.env.BENCH_BUILD !== '0',
    out: value('out') ?? process.env.BENCH_JSON ?? `bench-data/results-${new Date().toISOString().replace(/[:.]/g, '-')}.json`,
    port: Number(process.env.BENCH_PORT ?? 4175),
    timeoutMs: Number(process.env.BENCH_TIMEOUT_S ?? 3600) * 1000,
    quietWaitS: Number(value('quiet-wait') ?? process.env.BENCH_QUIET_WAIT_S ?? 30),
    retries: Number(value('retries') ?? process.env.BENCH_RETRIES ?? 0),
  };
}

const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** As the e2e tests (tests/e2e/chromium.ts): without the background-networking flags Chromium calls Google. */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];
/** Thresholds typed into the Threshold field for the re-run measurement (the native half uses the same ones). */
const RERUN_THRESHOLDS = [11, 12, 9, 13, 10];
/**
 * Session.requestRun's default delay before a parameter edit runs, read from the measured code
 * (`debounceMs ?? <n>` in src/lib/state/session.svelte.ts); NaN when it cannot be found.
 */
function editDebounceMs(base) {
  const text = existsSync(join(base, 'src/lib/state/session.svelte.ts')) ? readFileSync(join(base, 'src/lib/state/session.svelte.ts'), 'utf8') : '';
  return Number(/debounceMs\s*\?\?\s*(\d+)/.exec(text)?.[1] ?? NaN);
}
const VITE = join(root, 'node_modules/vite/bin/vite.js');
const VITEST = join(root, 'node_modules/vitest/vitest.mjs');

// ---------------------------------------------------------------- data
/** The generated files for these sizes and formats, generating what is missing or from another generator version. */
async function ensureData(sizes, formats) {
  const files = [];
  for (const rows of sizes) {
    const p = paths('bench-data', rows);
    let meta = null;
    try { meta = JSON.parse(readFileSync(p.meta, 'utf8')); } catch { /* not generated yet */ }
    const valid = (f) => meta?.generatorVersion === GENERATOR_VERSION && meta.seed === DEFAULT_SEED && existsSync(p[f]) && statSync(p[f]).size === meta.bytes?.[f];
    const missing = formats.filter((f) => !valid(f));
    if (missing.length) {
      console.log(`generating ${rows.toLocaleString('en-US')} rows as ${missing.join(' and ')}…`);
      meta = await generate({ rows, outDir: 'bench-data', formats: missing, log: (s) => console.log(`  ${s}`) });
    }
    for (const f of formats) files.push({ path: p[f], format: f, rows, bytes: statSync(p[f]).size });
  }
  return files;
}

// ---------------------------------------------------------------- a snapshot of the code
const SNAPSHOT = join(root, 'bench-data/snapshot');
/** What the app build and the native half need; node_modules is found one level up, in the repository. */
const SNAPSHOT_PATHS = ['package.json', 'index.html', 'vite.config.ts', 'vitest.bench.config.ts', 'src', 'public', 'tests/support', 'tests/bench'];

function filesUnder(base, path) {
  const full = join(base, path);
  if (!existsSync(full)) return [];
  if (!statSync(full).isDirectory()) return [path];
  return readdirSync(full).sort().flatMap((name) => filesUnder(base, join(path, name)));
}

/** A short hash of the snapshot's files (names and contents) under `base`: tells whether two trees hold the same code. */
function codeHash(base) {
  const h = createHash('sha1');
  // The benchmark's own scripts (tests/bench/*.mjs) are not the code being measured.
  const measured = SNAPSHOT_PATHS.flatMap((p) => filesUnder(base, p)).filter((f) => !/^tests\/bench\/.*\.mjs$/.test(f));
  for (const f of measured) h.update(f).update('\0').update(readFileSync(join(base, f))).update('\0');
  return h.digest('hex').slice(0, 12);
}

function takeSnapshot() {
  rmSync(SNAPSHOT, { recursive: true, force: true });
  for (const p of SNAPSHOT_PATHS) if (existsSync(join(root, p))) cpSync(join(root, p), join(SNAPSHOT, p), { recursive: true });
  const git = (...args) => execFileSync('git', args, { encoding: 'utf8' });
  writeFileSync(join(SNAPSHOT, 'snapshot.json'), JSON.stringify({
    hash: codeHash(SNAPSHOT), takenAt: new Date().toISOString(), commit: git('log', '-1', '--oneline').trim(),
    uncommittedFiles: git('status', '--porcelain').split('\n').filter(Boolean).length,
  }));
}

// ---------------------------------------------------------------- child processes
function run(cmd, args, env = {}, cwd = root) {
  return new Promise((resolveRun) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    child.on('close', (code) => resolveRun({ code, output }));
  });
}

async function startServer(cwd, port) {
  const server = spawn(process.execPath, [VITE, 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'],
    { cwd, stdio: 'ignore', detached: true });
  const base = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 150; i++) {
    if (server.exitCode !== null) throw new Error(`vite preview exited (${server.exitCode}); is port ${port} taken? Set BENCH_PORT.`);
    try { if ((await fetch(base)).ok) return { base, stop: () => { try { process.kill(-server.pid); } catch { /* gone */ } } }; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  process.kill(-server.pid);
  throw new Error('vite preview did not answer within 30 s');
}

// ---------------------------------------------------------------- the browser half
/**
 * Runs in every page before the app's scripts. It records, on the page's own clock (performance.now()):
 * - long tasks of the main thread (PerformanceObserver 'longtask': tasks of 50 ms or more; workers are not included);
 * - when a file was selected or the Threshold field edited (capture listeners on window, so before the app's own);
 * - every change of #results' aria-busy (a MutationObserver, which runs right after the DOM change).
 */
const PAGE_PROBE = () => {
  const b = { longtasks: [], frames: [], busy: [], selectAt: null, editAt: null, longtaskSupported: true };
  window.__bench = b;
  try {
    new PerformanceObserver((list) => { for (const e of list.getEntries()) b.longtasks.push({ start: e.startTime, duration: e.duration }); })
      .observe({ type: 'longtask', buffered: true });
  } catch { b.longtaskSupported = false; }
  // Long animation frames name the scripts that ran (entry point, function, file): a hint at what blocked.
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        if (e.duration < 100) continue;
        const scripts = e.scripts.map((s) => ({ invoker: s.invoker, fn: s.sourceFunctionName, file: s.sourceURL.split('/').pop(), ms: Math.round(s.duration) }));
        b.frames.push({ start: e.startTime, duration: e.duration, scripts: scripts.sort((x, y) => y.ms - x.ms).slice(0, 3) });
      }
    }).observe({ type: 'long-animation-frame', buffered: true });
  } catch { /* older Chromium: no attribution */ }
  const stamp = (e) => {
    const t = e.target;
    if (!(t instanceof HTMLInputElement)) return;
    if (t.type === 'file' && b.selectAt === null) b.selectAt = performance.now();
    if (t.name === 'threshold' && b.editAt === null) b.editAt = performance.now();
  };
  window.addEventListener('input', stamp, true);
  window.addEventListener('change', stamp, true);
  new MutationObserver((records) => {
    const now = performance.now();
    for (const r of records) if (r.target instanceof Element && r.target.id === 'results') b.busy.push({ t: now, busy: r.target.getAttribute('aria-busy') });
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ['aria-busy'] });
  /** When #results went (and stayed) not busy after going busy at or after `since`; null while still working. */
  b.settledAfter = (since) => {
    const el = document.getElementById('results');
    if (since === null || !el || el.getAttribute('aria-busy') !== 'false') return null;
    const after = b.busy.filter((r) => r.t >= since);
    const firstBusy = after.find((r) => r.busy === 'true');
    const lastIdle = after.findLast((r) => r.busy === 'false');
    return firstBusy && lastIdle && lastIdle.t >= firstBusy.t ? lastIdle.t : null;
  };
};

/**
 * Renderer processes of the Chromium whose browser process is `browserPid`: `--type=renderer` on the command line.
 * Processes forked from the zygote rewrite their title, so the flags may be one space-separated string.
 */
function renderers(browserPid) {
  return descendants(browserPid).filter((pid) => / --type=renderer( |$)/.test(` ${cmdline(pid).join(' ')}`));
}

/** The browser process Playwright just launched: a new descendant driven over a pipe that is no helper (`--type=`). */
function newBrowserPid(before) {
  const table = processTable();
  const pid = descendants(process.pid, table)
    .filter((p) => !before.has(p) && / --remote-debugging-pipe( |$)/.test(` ${cmdline(p).join(' ')}`) && !/ --type=/.test(` ${cmdline(p).join(' ')}`))
    .sort((a, b) => (table.get(b)?.start ?? 0) - (table.get(a)?.start ?? 0))[0];
  if (pid === undefined) throw new Error('could not find the Chromium browser process among this process\'s children');
  return pid;
}

const mb = (bytes) => bytes / 1e6;

/** How long the page may take after "Engine ready" to finish its warm-up before the file is dropped anyway. */
const WARM_UP_WAIT_MS = 60_000;

/**
 * `cold`: the file is selected as soon as "Engine ready" shows, which stops the engine's warm-up (warm-up.ts)
 * before it has done much; otherwise once the warm-up is over, as for a user who takes a few seconds to pick a file.
 */
async function browserRun(base, file, timeoutMs, cold) {
  const before = new Set(descendants(process.pid));
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    const browserPid = newBrowserPid(before);
    // Service workers off: on a first visit the PWA's worker precaches ~100 MB in the background, which would be
    // timed with the load and may share the page's renderer.
    const context = await browser.newContext({ serviceWorkers: 'block' });
    await context.addInitScript(PAGE_PROBE);
    const page = await context.newPage();
    await page.goto(base);
    await page.getByText('Engine ready').waitFor({ timeout: 120_000 });
    const readyAt = performance.now();
    const warmed = cold ? false : await page.locator('p.engine[data-warm=done]').waitFor({ timeout: WARM_UP_WAIT_MS }).then(() => true, () => false);
    const warmUpSeconds = cold ? NaN : (performance.now() - readyAt) / 1000;
    const pagePids = renderers(browserPid);
    const rssBefore = Math.max(...pagePids.map((pid) => statusBytes(pid, 'VmRSS')));
    const settled = (key) => page.waitForFunction((k) => window.__bench.settledAfter(window.__bench[k]), key, { polling: 100, timeout: timeoutMs });

    const watch = cpuWatch();
    const browserCpu0 = treeCpuSeconds(browserPid);
    const t0 = performance.now();
    await page.locator('input[type=file]').setInputFiles(file.path);
    await settled('selectAt');
    const wallSeconds = (performance.now() - t0) / 1000;
    const cpu = watch.stop();
    const browserCpu = treeCpuSeconds(browserPid) - browserCpu0;
    // Peak resident memory since the renderer started (page load, engine start, the load): the page's renderer is
    // the largest one; the DuckDB worker is a thread inside it, so its wasm heap counts here.
    const rendererPids = renderers(browserPid);
    const peaks = rendererPids.map((pid) => ({ pid, peak: statusBytes(pid, 'VmHWM'), rss: statusBytes(pid, 'VmRSS'), threads: threadNames(pid) }));
    if (peaks.length === 0) throw new Error(`no Chromium renderer process found under the browser process ${browserPid}`);
    const page0 = peaks.reduce((a, b) => (b.peak > a.peak ? b : a));
    const workerInRenderer = page0.threads.some((t) => t.startsWith('DedicatedWorker'));
    const browserPeak = statusBytes(browserPid, 'VmHWM');

    const probe = await page.evaluate(() => {
      const b = window.__bench;
      const end = b.settledAfter(b.selectAt);
      const inLoad = (t) => t.start + t.duration >= b.selectAt && t.start <= end;
      const frames = b.frames.filter(inLoad).sort((x, y) => y.duration - x.duration);
      return { selectAt: b.selectAt, end, longtaskSupported: b.longtaskSupported, longtasks: b.longtasks.filter(inLoad), longestFrame: frames[0] ?? null };
    });
    const sourceClass = (await page.locator('[data-testid=source]').first().getAttribute('class')) ?? '';
    const problem = sourceClass.includes('failed') ? await page.locator('[data-testid=source] .error').first().innerText() : undefined;
    const rowsText = sourceClass.includes('ready') ? await page.getByTestId('rows').first().innerText() : '';
    const appFormat = sourceClass.includes('ready') ? await page.getByTestId('format').first().innerText() : '';
    const alertsText = await page.locator('#results h2 .count').innerText().catch(() => '');
    const alerts = Number(/\((\d+)\)/.exec(alertsText)?.[1] ?? NaN);
    const runError = await page.locator('#results .error[role=alert]').first().innerText({ timeout: 100 }).catch(() => undefined);

    // Re-runs: type a threshold, time until the results show it (this includes the page's edit debounce).
    const rerunMs = [];
    const rerunLongtasks = [];
    if (!problem) {
      for (const threshold of RERUN_THRESHOLDS) {
        await page.evaluate(() => { window.__bench.editAt = null; });
        await page.locator('input[name=threshold]').fill(String(threshold));
        await settled('editAt');
        const r = await page.evaluate(() => {
          const b = window.__bench;
          const end = b.settledAfter(b.editAt);
          return { ms: end - b.editAt, longest: Math.max(0, ...b.longtasks.filter((t) => t.start + t.duration >= b.editAt && t.start <= end).map((t) => t.duration)) };
        });
        rerunMs.push(r.ms);
        rerunLongtasks.push(r.longest);
        await page.waitForTimeout(50);
      }
    }
    return {
      ok: !problem && !runError && Number.isFinite(alerts), problem: problem ?? runError, cold, warmed, warmUpSeconds,
      seconds: (probe.end - probe.selectAt) / 1000, wallSeconds, cpuSeconds: browserCpu, foreignCores: cpu.foreignCores,
      peakRss: page0.peak, rssBefore, rssAfter: page0.rss, renderers: peaks.map(({ pid, peak }) => ({ pid, peak })), workerInRenderer,
      browserProcessPeak: browserPeak, longtaskSupported: probe.longtaskSupported, longtasks: probe.longtasks,
      longTaskMax: Math.max(0, ...probe.longtasks.map((t) => t.duration)), longestFrame: probe.longestFrame, alerts, rowsRead: Number(rowsText.replace(/\D/g, '')), appFormat,
      rerunMs, rerunLongTaskMax: Math.max(0, ...rerunLongtasks),
    };
  } finally {
    await browser.close();
  }
}

// ---------------------------------------------------------------- the native half
let nativeCount = 0;
async function nativeRun(file, threads) {
  const out = join(tmpdir(), `localhunt-bench-${process.pid}-${nativeCount++}.json`);
  const watch = cpuWatch();
  const { code, output } = await run(process.execPath, [VITEST, 'run', '--config', 'vitest.bench.config.ts'],
    { BENCH_NATIVE_FILES: resolve(file.path), BENCH_NATIVE_THREADS: threads, BENCH_OUT: out, BENCH_RERUNS: String(RERUN_THRESHOLDS.length) }, SNAPSHOT);
  const cpu = watch.stop();
  if (code !== 0 || !existsSync(out)) return { ok: false, problem: `vitest exited with ${code}: ${output.slice(-2000)}` };
  const [r] = JSON.parse(readFileSync(out, 'utf8'));
  rmSync(out, { force: true });
  return { ...r, foreignCores: cpu.foreignCores };
}

// ---------------------------------------------------------------- start-up measurements (the earlier bench)
async function startupRuns(base, rounds) {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  const single = join(SNAPSHOT, 'dist/LocalHunt.html');
  const out = { engineStart: [], sample: [], singleFileStart: [] };
  try {
    for (let round = 0; round < rounds; round++) {
      const context = await browser.newContext({ serviceWorkers: 'block' });
      await context.addInitScript(PAGE_PROBE);
      const page = await context.newPage();
      let t = performance.now();
      await page.goto(base);
      await page.getByText('Engine ready').waitFor({ timeout: 120_000 });
      out.engineStart.push(performance.now() - t);
      t = performance.now();
      await page.getByRole('button', { name: 'Try the sample data' }).click();
      await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'), null, { timeout: 120_000, polling: 10 });
      out.sample.push(performance.now() - t);
      await context.close();
      if (existsSync(single)) {
        const sf = await browser.newContext();
        const sfPage = await sf.newPage();
        t = performance.now();
        await sfPage.goto(pathToFileURL(single).href);
        await sfPage.getByText('Engine ready').waitFor({ timeout: 120_000 });
        out.singleFileStart.push(performance.now() - t);
        await sf.close();
      }
    }
  } finally {
    await browser.close();
  }
  return out;
}

// ---------------------------------------------------------------- a quiet machine
/** Other processes using more than this many cores during a run make its timing suspect. */
const FOREIGN_LIMIT = 0.25;

/** Wait (up to `maxSeconds`) for a 1-second window in which other processes use less than 0.2 core. */
async function waitForQuiet(maxSeconds) {
  const t0 = performance.now();
  let foreign = NaN;
  do {
    const w = cpuWatch();
    await new Promise((r) => setTimeout(r, 1000));
    foreign = w.stop().foreignCores;
    if (foreign < 0.2) break;
  } while (performance.now() - t0 < maxSeconds * 1000);
  return { waitedSeconds: Number(((performance.now() - t0) / 1000).toFixed(1)), foreignCores: Number(foreign.toFixed(2)) };
}

/** The scripts of the longest animation frame during a load, in a few words. */
function frameHint(frame) {
  if (!frame || frame.scripts.length === 0) return '';
  return ` [longest frame ${frame.duration.toFixed(0)} ms: ${frame.scripts.map((x) => `${x.invoker}${x.fn ? ` ${x.fn}()` : ''} ${x.file} ${x.ms} ms`).join('; ')}]`;
}

// ---------------------------------------------------------------- table
const median = (xs) => { const s = xs.filter(Number.isFinite).sort((a, b) => a - b); return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN; };
const fixed = (x, d) => (Number.isFinite(x) ? x.toFixed(d) : '—');

function printTable(header, rows, rightAligned = () => true) {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells) => '| ' + cells.map((s, c) => (rightAligned(c) ? s.padStart(widths[c]) : s.padEnd(widths[c]))).join(' | ') + ' |';
  console.log(line(header));
  console.log('|' + widths.map((w, c) => (rightAligned(c) ? '-'.repeat(w + 1) + ':' : ':' + '-'.repeat(w + 1))).join('|') + '|');
  for (const r of rows) console.log(line(r));
}

function runnerLabel(r) {
  if (r.runner === 'browser') return r.cold ? 'app, dropped at start' : 'app in Chromium';
  return r.threads === 1 ? 'native 1 thread' : `native ${r.threads} threads`;
}

/** One line per (file, runner) over the kept runs: medians, ranges and the worst case where that matters. */
function summarise(all) {
  const results = all.filter((r) => !r.discarded);
  const groups = new Map();
  for (const r of results) {
    const key = `${r.file}\0${runnerLabel(r)}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(r);
  }
  const native1 = (file) => results.filter((r) => r.file === file && r.runner === 'native' && r.threads === 1 && r.ok);
  return [...groups.values()].map((runs) => {
    const first = runs[0];
    const ok = runs.filter((r) => r.ok);
    const secs = ok.map((r) => r.seconds);
    const med = median(secs);
    const foreign = runs.map((r) => r.foreignCores ?? 0);
    return {
      file: first.file, format: first.format, rows: first.rows, bytes: first.bytes, runner: first.runner, cold: first.cold === true, label: runnerLabel(first), runs: runs.length, ok: ok.length,
      warmUp: median(ok.map((r) => r.warmUpSeconds).filter(Number.isFinite)), notWarmed: ok.filter((r) => r.runner === 'browser' && !r.cold && !r.warmed).length,
      seconds: med, min: Math.min(...secs), max: Math.max(...secs), cpuSeconds: median(ok.map((r) => r.cpuSeconds)),
      peakRss: Math.max(...ok.map((r) => r.peakRss)), ratio: med / median(native1(first.file).map((r) => r.seconds)),
      longTask: first.runner === 'browser' && ok.every((r) => r.longtaskSupported) ? Math.max(0, ...ok.map((r) => r.longTaskMax)) : NaN,
      rerun: median(ok.flatMap((r) => r.rerunMs ?? [])), alerts: [...new Set(ok.map((r) => r.alerts))], nativeAlerts: native1(first.file)[0]?.alerts,
      foreignMedian: median(foreign), foreignMax: Math.max(0, ...foreign),
    };
  });
}

function tableRows(lines, debounce) {
  return lines.map((l) => [
    basename(l.file), l.label, l.rows.toLocaleString('en-US'), mb(l.bytes).toFixed(0),
    l.ok ? `${fixed(l.seconds, 2)} (${fixed(l.min, 2)}–${fixed(l.max, 2)})` : 'failed',
    fixed(l.rows / l.seconds / 1e3, 0), fixed(mb(l.bytes) / l.seconds, 0), fixed(l.cpuSeconds, 1), fixed(mb(l.peakRss), 0),
    Number.isFinite(l.ratio) ? `${fixed(l.ratio, 2)}×` : '—',
    l.runner !== 'browser' ? '—' : !Number.isFinite(l.longTask) ? 'n/a' : l.longTask > 0 ? fixed(l.longTask, 0) : '<50',
    l.runner === 'browser' && Number.isFinite(debounce) ? `${fixed(l.rerun, 0)} (${fixed(l.rerun - debounce, 0)})` : fixed(l.rerun, 0),
    l.alerts.join('/') + (l.nativeAlerts !== undefined && l.alerts.some((a) => a !== l.nativeAlerts) ? ' ≠native!' : ''),
    `${l.ok}/${l.runs}`, `${fixed(l.foreignMedian, 2)} (${fixed(l.foreignMax, 2)})${l.foreignMax > FOREIGN_LIMIT ? ' *' : ''}`,
  ]);
}

/** The issue's targets, read off the table (app = the app in Chromium). */
function targetLines(lines) {
  const app = lines.filter((l) => l.runner === 'browser' && l.ok);
  const out = [];
  for (const l of app.filter((x) => x.format === 'csv')) {
    out.push(`${l.rows.toLocaleString('en-US')}-row CSV, ${l.label}: app ÷ native 1 thread ${fixed(l.ratio, 2)}× (target ≤ 1.5× at 1M; stretch < 1), ` +
      `renderer peak ${fixed(mb(l.peakRss), 0)} MB (target ≤ 1000 MB at 6M, flat with size)`);
  }
  for (const j of app.filter((x) => x.format === 'jsonl')) {
    const c = app.find((x) => x.format === 'csv' && x.rows === j.rows && x.cold === j.cold);
    if (c) out.push(`${j.rows.toLocaleString('en-US')} rows, ${j.label}: JSON lines at ${fixed(100 * (j.bytes / j.seconds) / (c.bytes / c.seconds), 0)} % of the CSV path's MB/s (aim ≥ 50 %)`);
  }
  const warm = app.filter((l) => !l.cold && Number.isFinite(l.warmUp));
  if (warm.length) {
    const notWarmed = warm.reduce((n, l) => n + l.notWarmed, 0);
    out.push(`"app in Chromium": file selected once the engine's warm-up was over, ${fixed(median(warm.map((l) => l.warmUp)), 1)} s after "Engine ready" (median)` +
      `${notWarmed ? `; in ${notWarmed} run(s) it was not over after ${WARM_UP_WAIT_MS / 1000} s and the file was selected anyway` : ''}. ` +
      '"app, dropped at start": selected as soon as "Engine ready" showed, which stops the warm-up.');
  }
  const worst = Math.max(...app.map((l) => l.longTask));
  if (app.length) out.push(`longest main-thread task during any load: ${!Number.isFinite(worst) ? 'not measured' : worst > 0 ? `${fixed(worst, 0)} ms` : 'none of 50 ms or more'} (target ≤ 100 ms)`);
  for (const l of app.filter((x) => x.rows >= 1_000_000)) out.push(`${basename(l.file)}, ${l.label}: parameter edit → results ${fixed(l.rerun, 0)} ms (target ≤ 100 ms at 1M)`);
  return out;
}

/** Prints the tables from a results record (also: `--report bench-data/results-….json` re-prints an earlier run). */
function printReport({ machine, options: opt, results, startup }, file) {
  const { snapshot, debounce } = machine;
  console.log('');
  console.log(`Machine: ${machine.cores} cores (${machine.cpu}), ${machine.memoryGB} GB, Node ${machine.node}, Chromium ${machine.chromium}, ` +
    'DuckDB-WASM 1.32.0 (DuckDB 1.4.3, eh bundle, 1 thread) vs @duckdb/node-api 1.4.3-r.3 (DuckDB 1.4.3)');
  console.log(`Code: ${String(snapshot.commit).slice(0, 90)}${snapshot.uncommittedFiles ? ` + ${snapshot.uncommittedFiles} uncommitted files` : ''}, copied at ${snapshot.takenAt} (code hash ${snapshot.hash}` +
    `${machine.workingTreeNow === snapshot.hash ? ', the working tree still held the same code at the end' : `; the working tree had changed by the end (${machine.workingTreeNow})`}).`);
  console.log(`Load average ${machine.loadavgStart.join(' ')} at start, ${machine.loadavgEnd.join(' ')} at end.`);
  console.log(`Command: npm run bench -- --rows ${opt.sizes.join(',')} --formats ${opt.formats.join(',')} --rounds ${opt.rounds}  (raw results: ${file})`);
  console.log('Native half alone: BENCH_NATIVE_FILES=<file> BENCH_NATIVE_THREADS=1|all npm run bench:native');
  console.log('');
  const summary = summarise(results);
  printTable(['file', 'runner', 'rows', 'MB', 'seconds median (range)', 'k rows/s', 'MB/s', 'CPU-s', 'peak RSS MB', '÷ native 1T', 'longest task ms', 're-run ms', 'alerts', 'ok', 'other load (cores)'],
    tableRows(summary, debounce), (c) => c > 1);
  console.log('seconds: browser = file selected → #results not aria-busy (page clock); native = loadSource + refreshEventsView + runDetection.');
  const kept = results.filter((r) => r.ok && !r.discarded);
  const browserKept = kept.filter((r) => r.runner === 'browser');
  const nativeKept = kept.filter((r) => r.runner === 'native');
  console.log('peak RSS: browser = max VmHWM (/proc/<pid>/status) over the Chromium renderer processes (--type=renderer) after the load; the DuckDB ' +
    `worker is a thread of that renderer (a DedicatedWorker thread was found in it in ${browserKept.filter((r) => r.workerInRenderer).length}/${browserKept.length} runs); ` +
    `its RSS after the engine started, before the load: median ${fixed(mb(median(browserKept.map((r) => r.rssBefore))), 0)} MB. ` +
    `native = VmHWM of the Vitest worker process, reset just before the load (Node + Vitest alone: ${fixed(mb(median(nativeKept.map((r) => r.rssBefore))), 0)} MB).`);
  console.log(`longest task: longest main-thread long task (≥ 50 ms) during the load. re-run: median of ${RERUN_THRESHOLDS.length} Threshold edits per round; browser = edit → not busy, ` +
    `(in brackets without the page's ${fixed(debounce, 0)} ms edit debounce); native = runDetection + chartData.`);
  console.log(`other load: CPU (in cores) that processes outside this benchmark used during the runs, median (max); * = more than ${FOREIGN_LIMIT} core in some run, its timing suspect` +
    ` (${results.filter((r) => r.discarded).length} runs were redone for it).`);
  console.log('');
  console.log('Issue 6 targets:');
  for (const line of targetLines(summary)) console.log(`  ${line}`);

  if (startup) {
    console.log('');
    const cell = (xs) => (xs.length ? `${fixed(median(xs) / 1000, 2)} (${fixed(Math.min(...xs) / 1000, 2)}–${fixed(Math.max(...xs) / 1000, 2)})` : 'not run (no dist/LocalHunt.html)');
    printTable(['start-up (seconds, median (range))', ''], [
      ['engine start (page load → "Engine ready")', cell(startup.engineStart)],
      ['"Try the sample data" click → alerts', cell(startup.sample)],
      ['LocalHunt.html from file:// → "Engine ready"', cell(startup.singleFileStart)],
    ], (c) => c > 0);
  }
}

// ---------------------------------------------------------------- main
const reportOf = process.argv.indexOf('--report');
if (reportOf >= 0) {
  const file = process.argv[reportOf + 1];
  printReport(JSON.parse(readFileSync(file, 'utf8')), file);
  process.exit(0);
}
const opt = options();
const startLoad = loadavg();
const files = await ensureData(opt.sizes, opt.formats);

const fresh = opt.build || !existsSync(join(SNAPSHOT, 'snapshot.json'));
if (fresh) {
  console.log(`copying the code to ${relative(root, SNAPSHOT)}…`);
  takeSnapshot();
}
const snapshot = JSON.parse(readFileSync(join(SNAPSHOT, 'snapshot.json'), 'utf8'));
if ((opt.runners.some((r) => r.startsWith('browser')) || opt.startup) && (fresh || !existsSync(join(SNAPSHOT, 'dist/index.html')))) {
  console.log('building the app there…');
  const built = await run(process.execPath, [VITE, 'build', '--logLevel', 'warn'], {}, SNAPSHOT);
  if (built.code !== 0) throw new Error(`the build failed (an edit in progress?):\n${built.output.slice(-3000)}`);
  const single = await run(process.execPath, [VITE, 'build', '--mode', 'single-file', '--logLevel', 'warn'], {}, SNAPSHOT);
  if (single.code !== 0) console.log(`(the single-file build failed; its start-up is not measured)\n${single.output.slice(-1500)}`);
}
const browserWanted = opt.runners.some((r) => r.startsWith('browser'));
const server = browserWanted || opt.startup ? await startServer(SNAPSHOT, opt.port) : null;
let chromiumVersion = '';
const results = [];
let startup = null;
try {
  const probe = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  chromiumVersion = probe.version();
  await probe.close();
  for (let round = 0; round < opt.rounds; round++) {
    for (const file of files) {
      // Interleaved, and the order flips every round so that drift on the machine does not favour one runner.
      const order = round % 2 === 0 ? opt.runners : [...opt.runners].reverse();
      for (const runner of order) {
        for (let attempt = 0; ; attempt++) {
          const quiet = await waitForQuiet(opt.quietWaitS);
          const common = { file: file.path, format: file.format, rows: file.rows, bytes: file.bytes, round, attempt, load: loadavg(), quietBefore: quiet };
          let r;
          if (runner === 'browser' || runner === 'browser-cold') r = { ...common, runner: 'browser', ...(await browserRun(server.base, file, opt.timeoutMs, runner === 'browser-cold')) };
          else r = { ...common, ...(await nativeRun(file, runner === 'native1' ? '1' : 'all')), runner: 'native', file: file.path };
          // A run during which other processes took a real share of the two cores is redone (up to --retries times).
          const redo = r.ok && r.foreignCores > FOREIGN_LIMIT && attempt < opt.retries;
          r.discarded = redo;
          results.push(r);
          console.log(`round ${round + 1}/${opt.rounds} ${basename(file.path)} ${runnerLabel(r).padEnd(21)} ` + (r.ok
            ? `${r.seconds.toFixed(2)} s, ${r.cpuSeconds.toFixed(1)} CPU-s, peak ${mb(r.peakRss).toFixed(0)} MB` +
              (r.runner === 'browser' ? ` (browser process ${mb(r.browserProcessPeak).toFixed(0)} MB; renderer ${mb(r.rssBefore).toFixed(0)} MB before the load, ` +
                `${mb(r.rssAfter).toFixed(0)} MB after), ${r.longtasks.length} long tasks, ${(r.longtasks.reduce((a, t) => a + t.duration, 0) / 1000).toFixed(1)} s in all, ` +
                `longest ${r.longTaskMax.toFixed(0)} ms${frameHint(r.longestFrame)}` : '') +
              `, ${r.alerts} alerts, re-run ${median(r.rerunMs).toFixed(0)} ms, other processes ${r.foreignCores.toFixed(2)} cores, load ${r.load.join(' ')}` +
              (redo ? ' → redone' : '')
            : `FAILED: ${r.problem}`));
          if (!redo) break;
        }
      }
    }
  }
  if (opt.startup) startup = await startupRuns(server.base, opt.rounds);
} finally {
  server?.stop();
}

mkdirSync('bench-data', { recursive: true });
const machine = { cores: cpus().length, cpu: cpus()[0]?.model, memoryGB: Number((totalmem() / 1e9).toFixed(1)), node: process.version, chromium: chromiumVersion,
  loadavgStart: startLoad, loadavgEnd: loadavg(), snapshot, workingTreeNow: codeHash(root), debounce: editDebounceMs(SNAPSHOT) };
writeFileSync(opt.out, JSON.stringify({ machine, options: opt, results, startup }, null, 2));
printReport({ machine, options: opt, results, startup }, opt.out);
