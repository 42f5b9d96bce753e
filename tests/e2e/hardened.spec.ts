import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test, expect, settled, exportJson } from './fixtures';

/** Hardened mode in the page: the mode in the hash, its switches, what it adds, and expected noise set apart. */
const gaps = readFileSync(fileURLToPath(new URL('../fixtures/hardened/gaps.csv', import.meta.url)));

test('hardened mode from the URL: marked alerts, a summary of what it adds, noise apart; switches and mode round-trip through the hash', async ({ page }) => {
  await page.goto('./#start=2d&bin=1d&threshold=3&now=2024-10-10T00%3A00%3A00Z&mode=hardened');
  await page.locator('input[type=file]').setInputFiles({ name: 'gaps.csv', mimeType: 'text/csv', buffer: gaps });
  await settled(page);
  await expect(page.getByTestId('hardened-summary')).toContainText('Hardened mode adds 1 alert and 6 events');
  await expect(page.getByTestId('hardened-summary')).toContainText('3 net1.exe children counted once');
  await expect(page.getByTestId('alert')).toHaveCount(2);
  await expect(page.getByTestId('alert').nth(1).getByTestId('not-in-exact')).toBeVisible();
  await expect(page.getByTestId('alert').nth(0).getByTestId('exact-misses')).toContainText('renamed copy (original file name)');
  await expect(page.getByRole('heading', { name: 'Expected noise (1)' })).toBeVisible();
  await expect(page.getByTestId('noise-reason')).toHaveText('Defender investigation package');
  expect(((await exportJson(page)) as Record<string, unknown>[]).map((r) => [r.AccountUpn, r.TotalEvents])).toEqual([['alice@contoso.com', 4], ['ws1\\localadmin', 3]]);

  // Drill-down marks each event exact mode would miss.
  await page.getByRole('button', { name: 'Show what was counted for alice@contoso.com' }).click();
  await settled(page);
  await expect(page.getByRole('table', { name: 'Counted events' })).toContainText('file name in another letter case');

  // A switch: its state goes to the hash and the counts follow.
  await page.getByTestId('hardening').getByLabel(/Count net\.exe and its net1\.exe child once/).uncheck();
  await settled(page);
  expect(decodeURIComponent(new URL(page.url()).hash)).toContain('hardening=case,original,subcommand,accounts,noise');
  expect(((await exportJson(page)) as Record<string, unknown>[]).map((r) => r.TotalEvents)).toEqual([6, 3]);

  // Back to exact mode: the published query's result, untouched.
  await page.getByLabel(/^Mode:/).selectOption('exact');
  await settled(page);
  expect(new URL(page.url()).hash).toContain('mode=exact');
  await expect(page.getByTestId('hardened-summary')).toHaveCount(0);
  expect(((await exportJson(page)) as Record<string, unknown>[]).map((r) => [r.AccountUpn, r.TotalEvents])).toEqual([['alice@contoso.com', 3]]);
});
