import { readFileSync } from 'node:fs';
import { test, expect, settled, exportJson, watchBusy } from './fixtures';

interface SampleAlert { AccountUpn: string; bin: string; TotalEvents: number; FirstEvent: string; LastEvent: string; ExecutedCommands: string[] }
// Written by the sample generator from its own, independent count of what it generated.
const facts = JSON.parse(readFileSync(new URL('../tools/sample-facts.json', import.meta.url), 'utf8')) as { rows: number; alerts: SampleAlert[] };

test('the page is ready for input at first paint and loads nothing by itself', async ({ page }) => {
  // The page's own requests (the service worker precaches the sample with the app; that is not loading it).
  const requests: string[] = [];
  page.on('request', (r) => { if (!r.serviceWorker()) requests.push(r.url()); });
  await page.goto('./');
  await expect(page.locator('input[type=file][multiple]')).toHaveCount(1);
  await expect(page.locator('section#results')).toHaveAttribute('aria-busy', 'false');
  await expect(page.getByText('No data loaded. Choose')).toBeVisible();
  await page.waitForTimeout(500);
  expect(requests.some((u) => u.includes('/sample/'))).toBe(false);
});

test('one click on "Try the sample data" shows the intruder and the admin', async ({ page }) => {
  await page.goto('./');
  const busy = await watchBusy(page);
  await page.getByRole('button', { name: 'Try the sample data' }).click();
  await settled(page);
  expect(await busy()).toEqual(['true', 'false']);
  await expect(page.getByTestId('rows')).toHaveText(facts.rows.toLocaleString('en-US'));
  const rows = page.getByTestId('alert');
  await expect(rows).toHaveCount(facts.alerts.length);
  const intruder = facts.alerts.find((a) => a.AccountUpn === 'm.baker@contoso.com')!;
  await expect(rows.filter({ hasText: 'm.baker@contoso.com' })).toContainText(String(intruder.TotalEvents));

  await page.getByRole('button', { name: 'Show what was counted for m.baker@contoso.com' }).click();
  await settled(page);
  const events = page.getByRole('table', { name: 'Counted events' }).getByRole('row');
  // Two header rows (names, filters) and one per counted event (all fit the virtualised window).
  await expect(events).toHaveCount(intruder.TotalEvents + 2);
  await expect(page.getByText(`${intruder.TotalEvents} of ${intruder.TotalEvents} rows`)).toBeVisible();
  await expect(page.locator('table.commands')).toContainText('net group "Enterprise Admins" /domain');

  const exported = (await exportJson(page)) as Record<string, unknown>[];
  expect(exported.map((r) => [r.AccountUpn, r.Timestamp, r.TotalEvents, r.FirstEvent, r.LastEvent, r.ExecutedCommands]))
    .toEqual(facts.alerts.map((a) => [a.AccountUpn, a.bin, a.TotalEvents, a.FirstEvent, a.LastEvent, a.ExecutedCommands]));
});

test('the allowlist removes an account before counting and is kept across reloads', async ({ page }) => {
  await page.goto('./');
  await page.getByRole('button', { name: 'Try the sample data' }).click();
  await settled(page);
  await page.getByLabel(/Account allowlist/).fill('A.Lee@contoso.com');
  await settled(page);
  await expect(page.getByTestId('alert')).toHaveCount(facts.alerts.length - 1);
  await expect(page.getByTestId('alert')).toContainText('m.baker@contoso.com');
  await page.reload();
  await expect(page.getByLabel(/Account allowlist/)).toHaveValue('A.Lee@contoso.com');
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }));
  expect(stored).not.toContain('m.baker');
});
