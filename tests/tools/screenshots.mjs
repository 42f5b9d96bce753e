// Writes the README's screenshots into tests/screenshots/ from a built app: node tests/tools/screenshots.mjs
//
// It builds nothing: run `npm run build` first. It serves dist/ with `vite preview` on a free port of 127.0.0.1,
// loads the sample in Chromium (Debian's /usr/bin/chromium, or CHROMIUM_PATH), light theme, 1440 px wide, takes
// the pictures and stops the server. It exits with 1 when a view did not show what it should (the pictures are
// still written, so you can see what went wrong).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const out = join(root, 'tests', 'screenshots');
const WIDTH = 1440;
const MAX_BYTES = 600 * 1024;
const INTRUDER = 'm.baker@contoso.com';

if (!existsSync(join(root, 'dist', 'index.html'))) {
  console.error('dist/ is missing: run `npm run build` first.');
  process.exit(1);
}
const executablePath = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
if (!executablePath) {
  console.error('Chromium not found: `sudo apt-get install -y chromium`, or set CHROMIUM_PATH.');
  process.exit(1);
}

/** A port the system says is free now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

async function startPreview() {
  const port = await freePort();
  const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  const server = spawn(process.execPath, [vite, 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  server.stdout.on('data', (d) => (log += d));
  server.stderr.on('data', (d) => (log += d));
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 150; i++) {
    if (server.exitCode !== null) throw new Error(`vite preview stopped:\n${log}`);
    if (await fetch(url).then((r) => r.ok, () => false)) return { url, server };
    await new Promise((r) => setTimeout(r, 200));
  }
  server.kill();
  throw new Error(`vite preview did not answer on ${url}:\n${log}`);
}

const problems = [];
const written = [];
const { url, server } = await startPreview();
const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
try {
  mkdirSync(out, { recursive: true });
  const context = await browser.newContext({ viewport: { width: WIDTH, height: 900 }, deviceScaleFactor: 1, colorScheme: 'light', timezoneId: 'UTC', locale: 'en-US' });
  const page = await context.newPage();
  const settled = () => page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'), null, { timeout: 90_000, polling: 50 });
  const shot = { animations: 'disabled', caret: 'hide' };
  /** A box in page coordinates (boundingBox is relative to the viewport, which may have scrolled). */
  const pageBox = (locator) => locator.evaluate((el) => {
    const r = el.getBoundingClientRect();
    return { y: r.top + window.scrollY, height: r.height };
  });
  const save = async (name, take) => {
    const path = join(out, name);
    // No focus ring from the clicks that set the view up.
    await page.evaluate(() => (document.activeElement instanceof HTMLElement ? document.activeElement.blur() : undefined));
    await take(path);
    const bytes = statSync(path).size;
    written.push(`${relative(root, path)} (${Math.round(bytes / 1024)} kB)`);
    if (bytes > MAX_BYTES) problems.push(`${name} is ${Math.round(bytes / 1024)} kB, over ${MAX_BYTES / 1024} kB`);
  };

  await page.goto(url);
  await page.getByRole('button', { name: 'Try the sample data' }).click();
  await page.getByTestId('alert').first().waitFor();
  await settled();

  // 1. The main view: loading, privacy, sources, parameters and the alerts, down to the end of the results.
  const resultsBox = await pageBox(page.locator('section#results'));
  await save('main-alerts.png', (path) => page.screenshot({ ...shot, path, fullPage: true, clip: { x: 0, y: 0, width: WIDTH, height: Math.ceil(resultsBox.y + resultsBox.height + 16) } }));

  // 2. The sources list.
  await save('sources.png', (path) => page.getByRole('region', { name: 'Loaded sources' }).screenshot({ ...shot, path }));

  // 3. The charts.
  await save('charts.png', (path) => page.getByRole('region', { name: 'Charts' }).screenshot({ ...shot, path }));

  // 4. An alert explained: why it fired, its commands, the counted events, and the events around it (±30 minutes).
  await page.getByRole('button', { name: `Show what was counted for ${INTRUDER}`, exact: true }).click();
  await settled();
  const detail = page.locator('.detail-row').filter({ hasText: INTRUDER });
  const around = detail.getByRole('region', { name: 'Around this alert' });
  await around.getByRole('spinbutton').fill('30');
  await around.getByRole('button', { name: 'Show events around this alert' }).click();
  await settled();
  const aroundError = await around.locator('.error').allTextContents();
  if (aroundError.length) problems.push(`"Show events around this alert" failed: ${aroundError.join(' ')}`);
  else if (!(await around.getByRole('table', { name: 'Events around this alert' }).isVisible())) problems.push('the events around the alert did not appear');
  // From the head of the alerts table down to the end of the expanded detail.
  const top = (await pageBox(page.locator('section#results table.alerts').first())).y - 2;
  const detailBox = await pageBox(detail);
  await save('alert-expanded.png', (path) => page.screenshot({ ...shot, path, fullPage: true,
    clip: { x: 0, y: Math.max(0, top), width: WIDTH, height: Math.ceil(detailBox.y + detailBox.height - top + 8) } }));

  await context.close();
} finally {
  await browser.close();
  server.kill();
}

console.log(`Wrote:\n  ${written.join('\n  ')}`);
if (problems.length) {
  console.error(`Problems:\n  ${problems.join('\n  ')}`);
  process.exitCode = 1;
}
