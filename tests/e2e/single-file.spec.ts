import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { test, expect, settled, exportJson, exportCsv } from './fixtures';

const html = fileURLToPath(new URL('../../dist/LocalHunt.html', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const facts = JSON.parse(readFileSync(new URL('../tools/sample-facts.json', import.meta.url), 'utf8')) as { alerts: { AccountUpn: string; TotalEvents: number }[] };
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

test.use({ fileOnly: true });

test('LocalHunt.html is one file of at most 12 MB with its SHA-256 beside it and a strict hash-based CSP', async () => {
  const bytes = readFileSync(html);
  expect(bytes.length).toBeLessThanOrEqual(12 * 1024 * 1024);
  const digest = createHash('sha256').update(bytes).digest('hex');
  expect(readFileSync(`${html}.sha256`, 'utf8')).toBe(`${digest}  LocalHunt.html\n`);
  const text = bytes.toString('utf8');
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(text)?.[1] ?? '';
  expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+' 'wasm-unsafe-eval'/);
  expect(csp).toContain("connect-src blob: data:");
  expect(csp).toContain("default-src 'none'");
  expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
  expect(csp).not.toMatch(/https?:/);
  // Nothing references another file: no src/href to anything but data: URLs.
  expect([...text.matchAll(/\s(?:src|href)="([^"]*)"/g)].map((m) => m[1]).filter((u) => !u!.startsWith('data:'))).toEqual([]);
});

test('opened from disk it does what the served app does: sample, dropped export, drill-down, exports', async ({ page }) => {
  await page.goto(pathToFileURL(html).href);
  await expect(page.getByText(`v${pkg.version}`)).toBeVisible();
  await expect(page.getByText('Engine ready')).toBeVisible({ timeout: 60_000 });

  await page.getByRole('button', { name: 'Try the sample data' }).click();
  await settled(page);
  const rows = page.getByTestId('alert');
  await expect(rows).toHaveCount(facts.alerts.length);
  await page.getByRole('button', { name: 'Show what was counted for m.baker@contoso.com' }).click();
  await settled(page);
  const total = facts.alerts.find((a) => a.AccountUpn === 'm.baker@contoso.com')!.TotalEvents;
  await expect(page.getByText(`${total} of ${total} rows`)).toBeVisible();
  expect(((await exportJson(page)) as { AccountUpn: string }[]).map((r) => r.AccountUpn)).toEqual(facts.alerts.map((a) => a.AccountUpn));

  const params = JSON.parse(readFileSync(fixture('defender-iso.params.json'), 'utf8')) as { now: string; start: string; bin: string; threshold: number };
  await page.getByRole('button', { name: 'Remove contoso-DeviceProcessEvents.csv' }).click();
  await page.evaluate((p) => { location.hash = `start=${p.start}&bin=${p.bin}&threshold=${p.threshold}&now=${encodeURIComponent(p.now)}`; }, params);
  await page.locator('input[type=file]').setInputFiles(fixture('defender-iso.csv'));
  await settled(page);
  expect(await exportJson(page)).toEqual(JSON.parse(readFileSync(fixture('defender-iso.expected.json'), 'utf8')));
  expect((await exportCsv(page)).split('\r\n')[0]).toMatch(/^FirstEvent,LastEvent,TotalEvents,/);

  // A JSON export too, and the report (its file hashes come from a worker that is itself inlined in the page).
  await page.getByRole('button', { name: 'Remove defender-iso.csv' }).click();
  const api = JSON.parse(readFileSync(fixture('api.params.json'), 'utf8')) as typeof params;
  await page.evaluate((p) => { location.hash = `start=${p.start}&bin=${p.bin}&threshold=${p.threshold}&now=${encodeURIComponent(p.now)}`; }, api);
  await page.locator('input[type=file]').setInputFiles(fixture('api.json'));
  await settled(page);
  expect(await exportJson(page)).toEqual(JSON.parse(readFileSync(fixture('api.expected.json'), 'utf8')));
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export report' }).click()]);
  const report = readFileSync((await download.path())!, 'utf8');
  const sha = createHash('sha256').update(readFileSync(fixture('api.json'))).digest('hex');
  expect(report).toContain(sha);
  expect(report).not.toMatch(/<script/i);
});

test('opened from disk it reads the formats that need a worker or a codec: .evtx, .xlsx, Parquet, a protected zip', async ({ page }) => {
  await page.goto(`${pathToFileURL(html).href}#threshold=2&now=2024-10-10T00%3A00%3A00Z`);
  await page.locator('input[type=file]').setInputFiles([fixture('evtx/contoso-clean.evtx'), fixture('tabular/device-process-events.xlsx'),
    fixture('tabular/device-process-events.snappy.parquet'), fixture('archives/zipcrypto-infected.zip')]);
  await page.getByRole('dialog', { name: 'Password needed' }).getByTestId('archive-password').fill('infected');
  await page.getByRole('dialog', { name: 'Password needed' }).getByRole('button', { name: 'Unpack' }).click();
  await settled(page);
  const formats = await page.getByTestId('format').allTextContents();
  expect(formats.slice(0, 3)).toEqual(['Windows event log (.evtx) (Sysmon 1, Security 4688)', 'Excel workbook (sheet "DeviceProcessEvents")', 'Parquet']);
  expect(((await exportJson(page)) as Record<string, unknown>[]).map((r) => r.AccountUpn)).toContain('CONTOSO\\alice');
});
