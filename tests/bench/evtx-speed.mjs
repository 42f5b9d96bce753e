// .evtx reading speed in Chromium (issue 8): `npm run bench:evtx`.
//
// Builds a large .evtx by repeating the chunks of a real Sysmon log (../shared/samples' PanacheSysmon file when it is
// beside the project, read in place; otherwise this project's own generated fixture), selects it in the served
// production build, and times selection → #results no longer busy: the whole path (worker read, mapping of Sysmon 1
// and Security 4688, engine). Prints records/s and MB/s. Options: BENCH_EVTX_MB (default 100), BENCH_ROUNDS (3),
// BENCH_PORT (4176), CHROMIUM_PATH.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium } from '@playwright/test';

const root = resolve(new URL('../..', import.meta.url).pathname);
process.chdir(root);
const MB = Number(process.env.BENCH_EVTX_MB ?? 100);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PORT = Number(process.env.BENCH_PORT ?? 4176);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const shared = resolve(root, '../shared/samples/evtx-attack-samples/PanacheSysmon_vs_AtomicRedTeam01.evtx');
const source = existsSync(shared) ? shared : resolve(root, 'tests/fixtures/evtx/contoso-clean.evtx');
const HEADER = 4096;
const CHUNK = 65536;

/** The source's file header, then its chunks over and over: a long, valid (if repetitive) log. */
function build() {
  const bytes = readFileSync(source);
  const chunks = [];
  for (let at = HEADER; at + CHUNK <= bytes.length; at += CHUNK) chunks.push(bytes.subarray(at, at + CHUNK));
  const count = Math.max(chunks.length, Math.round((MB * 1e6) / CHUNK));
  const out = Buffer.alloc(HEADER + count * CHUNK);
  bytes.copy(out, 0, 0, HEADER);
  for (let i = 0; i < count; i++) chunks[i % chunks.length].copy(out, HEADER + i * CHUNK);
  mkdirSync('bench-data', { recursive: true });
  const file = `bench-data/evtx-${MB}MB.evtx`;
  writeFileSync(file, out);
  return file;
}

const file = build();
if (!existsSync('dist/index.html')) execFileSync('npm', ['run', 'build'], { stdio: 'inherit' });
const server = spawn('npx', ['vite', 'preview', '--host', '127.0.0.1', '--port', String(PORT), '--strictPort'], { stdio: 'ignore', detached: true });
const base = `http://127.0.0.1:${PORT}/`;
for (let i = 0; i < 150; i++) { try { await fetch(base); break; } catch { await new Promise((r) => setTimeout(r, 200)); } }

const seconds = [];
let records = 0;
try {
  for (let round = 0; round < ROUNDS; round++) {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
    const page = await browser.newPage();
    await page.goto(`${base}#start=36500d`);
    await page.getByText('Engine ready').waitFor({ timeout: 120_000 });
    const t0 = Date.now();
    await page.locator('input[type=file]').setInputFiles(file);
    await page.waitForFunction(() => document.querySelector('#results')?.getAttribute('aria-busy') === 'false' && !document.querySelector('[aria-busy="true"]'),
      null, { timeout: 3_600_000, polling: 20 });
    seconds.push((Date.now() - t0) / 1000);
    records = Number((await page.getByTestId('rows').first().textContent())?.replace(/,/g, '') ?? 0);
    await browser.close();
  }
} finally {
  process.kill(-server.pid);
}
seconds.sort((a, b) => a - b);
const median = seconds[Math.floor(seconds.length / 2)];
const mb = statSync(file).size / 1e6;
console.log(`source chunks: ${source.startsWith(root) ? source.slice(root.length + 1) : source}`);
console.log(`${file}: ${mb.toFixed(1)} MB, ${records.toLocaleString('en-US')} records`);
console.log(`select → alerts in Chromium: median ${median.toFixed(2)} s (${seconds.map((s) => s.toFixed(2)).join(', ')}): ` +
  `${(mb / median).toFixed(1)} MB/s, ${Math.round(records / median).toLocaleString('en-US')} records/s`);
