// Benchmark: time from a click on "Try the sample data", and from selecting a generated 100,000-row export,
// until #results is no longer aria-busy, in Chromium against the production build. Run: npm run bench
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const file = `bench-data/dpe-${ROWS}.csv`;
if (!existsSync(file)) execFileSync('node', ['tests/bench/generate.mjs', String(ROWS), file], { stdio: 'inherit' });
if (!existsSync('dist/index.html') || !existsSync('dist/LocalHunt.html')) execFileSync('npm', ['run', 'build'], { stdio: 'inherit' });

const port = 4175;
const server = spawn('npx', ['vite', 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'], { stdio: 'ignore', detached: true });
const base = `http://127.0.0.1:${port}/`;
for (let i = 0; i < 100; i++) { try { await fetch(base); break; } catch { await new Promise((r) => setTimeout(r, 200)); } }

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
const settled = (page) => page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'), null, { timeout: 300_000, polling: 10 });
const results = { engineStart: [], singleFileStart: [], sample: [], drop: [] };
try {
  for (let round = 0; round < ROUNDS; round++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const t0 = performance.now();
    await page.goto(base);
    await page.getByText('Engine ready').waitFor({ timeout: 60_000 });
    results.engineStart.push(performance.now() - t0);

    let t = performance.now();
    await page.getByRole('button', { name: 'Try the sample data' }).click();
    await settled(page);
    results.sample.push(performance.now() - t);

    await page.getByRole('button', { name: /^Remove/ }).first().click();
    await settled(page);
    t = performance.now();
    await page.locator('input[type=file]').setInputFiles(file);
    await settled(page);
    results.drop.push(performance.now() - t);
    const alerts = await page.getByTestId('alert').count();
    if (round === 0) console.log(`(${alerts} alerts at the default parameters for the ${ROWS}-row file)`);
    await context.close();

    // The single file, opened from disk: from navigation to the engine being ready.
    const sfContext = await browser.newContext();
    const sfPage = await sfContext.newPage();
    const t1 = performance.now();
    await sfPage.goto(new URL('../../dist/LocalHunt.html', import.meta.url).href);
    await sfPage.getByText('Engine ready').waitFor({ timeout: 60_000 });
    results.singleFileStart.push(performance.now() - t1);
    await sfContext.close();
  }
} finally {
  await browser.close();
  process.kill(-server.pid);
}
const mb = statSync(file).size / 1e6;
const fmt = (xs) => `median ${(xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] / 1000).toFixed(2)} s (min ${(Math.min(...xs) / 1000).toFixed(2)}, max ${(Math.max(...xs) / 1000).toFixed(2)})`;
console.log(`engine start (page load → ready):       ${fmt(results.engineStart)}`);
console.log(`LocalHunt.html from file:// → ready:    ${fmt(results.singleFileStart)}`);
console.log(`"Try the sample data" click → alerts:   ${fmt(results.sample)}`);
console.log(`select ${ROWS}-row export (${mb.toFixed(1)} MB) → alerts: ${fmt(results.drop)}; ${(ROWS / (results.drop[Math.floor(results.drop.length / 2)] / 1000) / 1e3).toFixed(0)}k rows/s`);
