import { test, expect, settled, exportJson } from './fixtures';

test.use({ timezoneId: 'Europe/Berlin' });

test('times show in UTC by default, labelled; the switch shows local time on screen only', async ({ page }) => {
  await page.goto('./');
  await page.getByRole('button', { name: 'Try the sample data' }).click();
  await settled(page);
  const intruder = page.getByTestId('alert').filter({ hasText: 'm.baker@contoso.com' });
  await expect(page.getByRole('columnheader', { name: 'First event (UTC)' })).toBeVisible();
  await expect(intruder).toContainText('2024-05-10 09:14:27.2482822');
  await page.getByLabel('Show times in my local time zone').check();
  await expect(page.getByRole('columnheader', { name: 'First event (local time)' })).toBeVisible();
  // Berlin is UTC+2 in May.
  await expect(intruder).toContainText('2024-05-10 11:14:27.2482822 +02:00');
  await expect(page.getByTestId('resolved')).toContainText('2024-05-10 19:46:52.2399694 +02:00 local time');
  // Exports stay in UTC.
  const rows = (await exportJson(page)) as Record<string, string>[];
  expect(rows.find((r) => r.AccountUpn === 'm.baker@contoso.com')!.FirstEvent).toBe('2024-05-10T09:14:27.2482822Z');
});
