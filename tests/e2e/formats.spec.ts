import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { BlobReader, BlobWriter, ZipWriter } from '@zip.js/zip.js';
import { test, expect, settled, exportJson } from './fixtures';

/** Formats beyond Defender, dropped into the real page: archives with passwords, Windows events, the mapping form. */
const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url)));

/** A ZipCrypto archive, as malware-sample collections are packed, made here from the project's own fixtures. */
async function protectedZip(members: { path: string; content: Buffer }[], password: string): Promise<Buffer> {
  const writer = new ZipWriter(new BlobWriter('application/zip'), { password, zipCrypto: true, useWebWorkers: false });
  for (const m of members) await writer.add(m.path, new BlobReader(new Blob([new Uint8Array(m.content)])));
  return Buffer.from(await (await writer.close()).arrayBuffer());
}

test('a password-protected zip: the page asks, says when the password is wrong, and lists every member as a source', async ({ page }) => {
  const zip = await protectedZip([
    { path: 'logs/nxlog.jsonl', content: fixture('windows/nxlog.jsonl') },
    { path: 'logs/securityevent-pandas.csv', content: fixture('windows/securityevent-pandas.csv') },
  ], 'infected');
  await page.goto('./#start=2d&bin=1d&threshold=3&now=2024-10-10T00%3A00%3A00Z');
  await page.locator('input[type=file]').setInputFiles({ name: 'bundle.zip', mimeType: 'application/zip', buffer: zip });
  const dialog = page.getByRole('dialog', { name: 'Password needed' });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('logs/nxlog.jsonl');
  await dialog.getByTestId('archive-password').fill('not-it');
  await dialog.getByRole('button', { name: 'Unpack' }).click();
  await expect(dialog).toContainText('That password was wrong');
  await dialog.getByTestId('archive-password').fill('infected');
  await dialog.getByRole('button', { name: 'Unpack' }).click();
  await settled(page);
  await expect(dialog).toBeHidden();
  const sources = page.getByTestId('source');
  await expect(sources).toHaveCount(2);
  await expect(sources.nth(0)).toContainText('bundle.zip › logs/nxlog.jsonl');
  await expect(sources.nth(0).getByTestId('format')).toHaveText('NXLog JSON (Sysmon 1, Security 4688)');
  await expect(sources.nth(1).getByTestId('format')).toHaveText('Sentinel SecurityEvent CSV (Security 4688)');
  await expect(page.getByTestId('merge-summary')).toContainText('6 Security 4688 events merged');
  await expect(page.getByTestId('merge-summary')).toContainText('1 duplicate event removed');
  await expect(sources.nth(0).getByTestId('removed')).toContainText('8 process events, 6 net.exe / net1.exe');
  await sources.nth(0).getByText('Fields used').click();
  await expect(sources.nth(0).getByTestId('fields-used')).toContainText('UtcTime / @timestamp');
  const rows = (await exportJson(page)) as Record<string, unknown>[];
  expect(rows.map((r) => [r.AccountUpn, r.TotalEvents])).toEqual([['CONTOSO\\alice', 6], ['NORTHWIND\\erin', 3]]);
});

test('skipping the password lists the protected members as not read, and the rest still loads', async ({ page }) => {
  const zip = await protectedZip([{ path: 'nxlog.jsonl', content: fixture('windows/nxlog.jsonl') }], 'infected');
  await page.goto('./#start=2d&threshold=3&now=2024-10-10T00%3A00%3A00Z');
  await page.locator('input[type=file]').setInputFiles([
    { name: 'locked.zip', mimeType: 'application/zip', buffer: zip },
    { name: 'ecs.ndjson', mimeType: 'application/x-ndjson', buffer: fixture('windows/ecs.ndjson') },
  ]);
  await page.getByRole('dialog', { name: 'Password needed' }).getByRole('button', { name: 'Skip protected files' }).click();
  await settled(page);
  await expect(page.getByRole('alert').filter({ hasText: 'locked.zip › nxlog.jsonl' })).toContainText('password-protected; no password given');
  expect(((await exportJson(page)) as Record<string, unknown>[]).map((r) => r.AccountUpn)).toEqual(['FABRIKAM\\carol']);
});

test('an unknown table gets the mapping form with a preview; the mapping is used and remembered for the same header', async ({ page }) => {
  await page.goto('./#start=2d&threshold=3&now=2024-10-10T00%3A00%3A00Z');
  const drop = () => page.locator('input[type=file]').setInputFiles({ name: 'mde-backend.csv', mimeType: 'text/csv', buffer: fixture('windows/mde-backend.csv') });
  await drop();
  await settled(page);
  const form = page.getByRole('form', { name: 'Map the columns' });
  await expect(form).toBeVisible();
  await expect(form.getByRole('table')).toContainText('net localgroup administrators');
  // The guesses are shown; the user only confirms.
  await expect(form.getByLabel('Command line')).toHaveValue('CreatedProcessCommandLine');
  await expect(form.getByLabel('Time of the event')).toHaveValue('CreatedProcessCreationTime');
  await form.getByRole('button', { name: 'Read with this mapping' }).click();
  await settled(page);
  await expect(page.getByTestId('format')).toHaveText('CSV (columns mapped by you)');
  expect(((await exportJson(page)) as Record<string, unknown>[]).map((r) => [r.AccountUpn, r.TotalEvents])).toEqual([['WOODGROVE\\grace', 3]]);

  await page.reload();
  await drop();
  await settled(page);
  await expect(page.getByTestId('format')).toHaveText('CSV (columns mapped by you)');
  await expect(page.getByTestId('source')).toContainText('mapped as you mapped this header before');
  await expect(page.getByRole('button', { name: 'Change mapping' })).toBeVisible();
});

test('Excel, Windows event XML, a gzip of NXLog JSON and Parquet load in the page under its CSP', async ({ page }) => {
  await page.goto('./#start=2d&threshold=2&now=2024-10-10T00%3A00%3A00Z');
  await page.locator('input[type=file]').setInputFiles([
    { name: 'dpe.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: fixture('tabular/device-process-events.xlsx') },
    { name: 'events.xml', mimeType: 'text/xml', buffer: fixture('windows-xml/event-viewer-saved.xml') },
    { name: 'nxlog.jsonl.gz', mimeType: 'application/gzip', buffer: gzipSync(fixture('windows/nxlog.jsonl')) },
  ]);
  await settled(page);
  const formats = page.getByTestId('format');
  await expect(formats).toHaveText(['Excel workbook (sheet "DeviceProcessEvents")', 'Windows event XML (Sysmon 1, Security 4688)', 'NXLog JSON (Sysmon 1, Security 4688)']);
  await expect(page.getByTestId('source').nth(2)).toContainText('nxlog.jsonl.gz › nxlog.jsonl');
  await expect(page.getByLabel('Sheet')).toHaveValue('DeviceProcessEvents');
  expect(((await exportJson(page)) as Record<string, unknown>[]).map((r) => [r.AccountUpn, r.TotalEvents]).sort())
    .toEqual([['CONTOSO\\alice', 8], ['alice@contoso.com', 5]]);

  await page.getByLabel('Sheet').selectOption('Notes');
  await settled(page);
  await expect(page.getByRole('form', { name: 'Map the columns' })).toBeVisible();

  await page.locator('input[type=file]').setInputFiles({ name: 'dpe.parquet', mimeType: 'application/octet-stream', buffer: fixture('tabular/device-process-events.zstd.parquet') });
  await settled(page);
  await expect(formats.last()).toHaveText('Parquet');
  expect(((await exportJson(page)) as Record<string, unknown>[]).map((r) => [r.AccountUpn, r.TotalEvents]).sort())
    .toEqual([['CONTOSO\\alice', 8], ['alice@contoso.com', 5]]);
});

test('a native .evtx file is read in a worker and alerts like its XML export', async ({ page }) => {
  await page.goto('./#start=2d&threshold=2&now=2024-10-10T00%3A00%3A00Z');
  await page.locator('input[type=file]').setInputFiles([
    { name: 'Microsoft-Windows-Sysmon%4Operational.evtx', mimeType: 'application/octet-stream', buffer: fixture('evtx/contoso-corrupt-chunk.evtx') },
  ]);
  await settled(page);
  await expect(page.getByTestId('format')).toHaveText('Windows event log (.evtx) (Sysmon 1, Security 4688)');
  await expect(page.getByTestId('source')).toContainText('chunk 1 (offset 0x11000): records checksum mismatch; skipped');
  expect(((await exportJson(page)) as Record<string, unknown>[]).map((r) => [r.AccountUpn, r.TotalEvents])).toEqual([['CONTOSO\\alice', 2]]);
});

test('a large CSV shows bytes read and the time left, and Cancel stops it and leaves nothing behind', async ({ page }) => {
  // About 280 MB: many 16 MiB chunks, so it is read in chunks with progress, and still loading when cancelled.
  const header = 'Timestamp,DeviceName,FileName,ProcessCommandLine,AccountUpn,Padding\n';
  const row = (i: number) => `2024-10-09T10:${String(Math.floor(i / 60000) % 60).padStart(2, '0')}:00.0000000Z,ws${i % 50},cmd.exe,"cmd.exe /c echo ${i}",u${i % 7}@contoso.com,${'x'.repeat(400)}\n`;
  const lines: string[] = [header];
  for (let i = 0; i < 600_000; i++) lines.push(row(i));
  const path = test.info().outputPath('big.csv');
  writeFileSync(path, lines.join(''));
  await page.goto('./');
  await page.getByText('Engine ready').waitFor();
  await page.locator('input[type=file]').setInputFiles(path);
  await expect(page.getByTestId('progress-text')).toContainText(/read [\d.]+ of 2\d\d\.\d MB · about [\d.]+ s left/);
  await expect(page.getByRole('progressbar', { name: 'Bytes read of big.csv' })).toBeVisible();
  await page.getByRole('button', { name: 'Cancel loading big.csv' }).click();
  await settled(page);
  await expect(page.getByTestId('source')).toHaveCount(0);
  // The engine holds nothing of it.
  await page.getByText('SQL console over the loaded data').click();
  await page.locator('textarea[name=sql]').fill("SELECT count(*) AS n FROM duckdb_tables() WHERE table_name LIKE 'lh_cand_%' OR table_name LIKE 'lh_rejects_%'");
  await page.getByRole('button', { name: /Run SQL/ }).click();
  await expect(page.getByRole('region', { name: 'Queries' }).getByRole('alert')).toHaveCount(0);
  await expect(page.getByRole('table', { name: 'SQL result' }).locator('.grid-cell')).toHaveText(['0']);
});
