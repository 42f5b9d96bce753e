import { readFileSync } from 'node:fs';
import { test, expect, settled } from './fixtures';

const facts = JSON.parse(readFileSync(new URL('../tools/sample-facts.json', import.meta.url), 'utf8')) as { netRows: number; rows: number };

test('the KQL carries the current parameters and allowlist; the SQL that ran is shown; the console queries the data', async ({ page }) => {
  await page.goto('./#start=3d&bin=12h&threshold=7&now=latest');
  await page.getByRole('button', { name: 'Try the sample data' }).click();
  await settled(page);
  await page.getByText('KQL for Defender Advanced Hunting, with the current parameters').click();
  const kql = page.getByTestId('kql-defender');
  await expect(kql).toContainText('let StartTime = 3d;\nlet BinFormat = 12h;\nlet Threshold = 7;');
  await page.getByLabel(/Account allowlist/).fill('svc-*');
  await settled(page);
  await expect(kql).toContainText('| where not(AccountUpn matches regex "(?i)^svc-.*$")');
  await page.getByText('The DuckDB SQL that ran').click();
  await expect(page.getByTestId('sql-ran')).toContainText('FROM with_account');

  await page.getByText('SQL console over the loaded data').click();
  const sql = page.locator('textarea[name=sql]');
  await sql.fill('SELECT count(*) AS n FROM candidates WHERE FileName IN (\'net.exe\', \'net1.exe\')');
  await page.getByRole('button', { name: /Run SQL/ }).click();
  const result = page.getByRole('table', { name: 'SQL result' });
  await expect(result.locator('.grid-cell')).toHaveText([String(facts.netRows)]);
  await sql.fill('SELECT count(*) AS n FROM source_1');
  await page.getByRole('button', { name: /Run SQL/ }).click();
  await expect(result.locator('.grid-cell')).toHaveText([String(facts.rows)]);
  await sql.fill('SELEC oops');
  await page.getByRole('button', { name: /Run SQL/ }).click();
  await expect(page.getByRole('alert').filter({ hasText: /syntax error/i })).toBeVisible();
});
