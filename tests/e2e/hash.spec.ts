import { test, expect, settled, exportJson, watchBusy } from './fixtures';

const CSV = [
  'Timestamp,DeviceName,FileName,ProcessCommandLine,AccountUpn',
  '2024-05-09T10:00:00.0000000Z,WS1,net.exe,net user,a@x',
  '2024-05-09T11:00:00.0000000Z,WS1,net.exe,net group g /domain,a@x',
  '2024-05-10T10:00:00.0000000Z,WS1,net.exe,net user,a@x',
  '2024-05-10T10:30:00.0000000Z,WS1,net1.exe,net1 user,b@x',
].join('\n');
const file = { name: 'small.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) };

test('the URL hash sets the parameters at load', async ({ page }) => {
  await page.goto('./#start=36500d&bin=12h&threshold=2&now=2024-05-10T17:30:00+02:00');
  await expect(page.locator('input[name=start]')).toHaveValue('36500d');
  await expect(page.locator('input[name=bin]')).toHaveValue('12h');
  await expect(page.locator('input[name=threshold]')).toHaveValue('2');
  // `+` is a zone sign, not a space: 17:30+02:00 is 15:30 UTC.
  await expect(page.getByTestId('resolved')).toContainText('2024-05-10 15:30:00 UTC');
  await page.locator('input[type=file]').setInputFiles(file);
  await settled(page);
  const rows = (await exportJson(page)) as Record<string, unknown>[];
  expect(rows.map((r) => [r.AccountUpn, r.Timestamp, r.TotalEvents])).toEqual([['a@x', '2024-05-09T00:00:00.0000000Z', 2]]);
});

test('a hash change re-runs without reload, and an invalid value falls back with a message', async ({ page }) => {
  await page.goto('./#start=36500d&bin=1d&threshold=1&now=latest');
  await page.locator('input[type=file]').setInputFiles(file);
  await settled(page);
  expect(((await exportJson(page)) as unknown[]).length).toBe(3);

  const busy = await watchBusy(page);
  await page.evaluate(() => { location.hash = 'start=36500d&bin=3d&threshold=3&now=latest'; });
  await settled(page);
  expect(await busy()).toEqual(['true', 'false']);
  // 3d bins counted from 0001-01-01: 2024-05-09 starts one (day 739,014 = 3 × 246,338), so a@x's three rows share it.
  const rows = (await exportJson(page)) as Record<string, unknown>[];
  expect(rows.map((r) => [r.AccountUpn, r.Timestamp, r.TotalEvents])).toEqual([['a@x', '2024-05-09T00:00:00.0000000Z', 3]]);

  await page.evaluate(() => { location.hash = 'start=36500d&bin=1d&threshold=zero&now=latest'; });
  await settled(page);
  await expect(page.getByText('threshold="zero" is not a whole number of at least 1; using 10.')).toBeVisible();
  await expect(page.locator('input[name=threshold]')).toHaveValue('10');
  expect(await exportJson(page)).toEqual([]);
});

test('editing a parameter writes the hash without a history entry', async ({ page }) => {
  await page.goto('./#start=36500d&bin=1d&threshold=1&now=latest');
  await page.locator('input[type=file]').setInputFiles(file);
  await settled(page);
  const length = await page.evaluate(() => history.length);
  const busy = await watchBusy(page);
  await page.locator('input[name=threshold]').fill('2');
  await settled(page);
  expect(await busy()).toEqual(['true', 'false']);
  expect(await page.evaluate(() => location.hash)).toBe('#start=36500d&bin=1d&threshold=2&now=latest&mode=exact');
  expect(await page.evaluate(() => history.length)).toBe(length);
  const rows = (await exportJson(page)) as Record<string, unknown>[];
  expect(rows.map((r) => r.AccountUpn)).toEqual(['a@x']);
});
