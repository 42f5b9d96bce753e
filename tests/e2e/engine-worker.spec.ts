import { fileURLToPath, pathToFileURL } from 'node:url';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page, Worker } from '@playwright/test';
import { test, expect, settled } from './fixtures';

/**
 * The engine worker gives each file chunk's buffer back to the page once DuckDB has copied it
 * (src/lib/engine/chunk-return.ts): checked in the real worker of both builds, by handing it a buffer the way the
 * page does, then reading the file back through the SQL console.
 */
const html = fileURLToPath(new URL('../../dist/LocalHunt.html', import.meta.url));

/** The page's shared engine: the first engine worker (a spare helper for large files starts once it is ready). */
async function engineWorker(page: Page, pick: (w: Worker) => boolean): Promise<Worker> {
  await expect(page.getByText('Engine ready')).toBeVisible({ timeout: 60_000 });
  const engines = page.workers().filter(pick);
  expect(engines.length).toBeGreaterThanOrEqual(1);
  return engines[0]!;
}

async function expectChunkGivenBackAfterCopy(page: Page, worker: Worker): Promise<void> {
  // The message DuckDB's page side sends for registerFileBuffer, with the buffer as the worker receives it.
  const byteLengthAfter = await worker.evaluate(() => {
    const bytes = new TextEncoder().encode('n\n19\n23\n');
    const request = { messageId: 1e9, type: 'REGISTER_FILE_BUFFER', data: ['lh-release-check.csv', bytes] };
    self.dispatchEvent(new MessageEvent('message', { data: request }));
    return bytes.buffer.byteLength;
  });
  expect(byteLengthAfter, 'the buffer has left the worker (moved back to the page)').toBe(0);
  // DuckDB copied it first: the file reads back whole.
  await page.getByText('SQL console over the loaded data').click();
  await page.locator('textarea[name=sql]').fill("SELECT sum(n) AS total FROM read_csv('lh-release-check.csv')");
  await page.getByRole('button', { name: /Run SQL/ }).click();
  await settled(page);
  await expect(page.getByRole('table', { name: 'SQL result' }).locator('.grid-cell')).toHaveText(['42']);
}

test('served: the engine worker gives a chunk buffer back once DuckDB has copied it', async ({ page }) => {
  await page.goto('./');
  await expectChunkGivenBackAfterCopy(page, await engineWorker(page, (w) => /duckdb\.worker/.test(w.url())));
});

test.describe('single file', () => {
  test.use({ fileOnly: true });
  test('from disk: the engine worker gives a chunk buffer back once DuckDB has copied it', async ({ page }) => {
    await page.goto(pathToFileURL(html).href);
    await expectChunkGivenBackAfterCopy(page, await engineWorker(page, (w) => w.url().startsWith('blob:')));
  });
});

test('served: the engine is marked warm once its warm-up has read the sample through the large-file path', async ({ page }) => {
  await page.goto('./');
  await expect(page.getByText('Engine ready')).toBeVisible({ timeout: 60_000 });
  // The benchmark waits for this mark before it drops a file (tests/bench/drop-to-alerts.mjs).
  await expect(page.locator('p.engine')).toHaveAttribute('data-warm', 'done', { timeout: 60_000 });
  // The warm-up left no source behind.
  await expect(page.getByTestId('source')).toHaveCount(0);
});

test('served: a helper engine waits for large files; one the page screens leaves it waiting, one it cannot takes it, and a new one starts', async ({ page }) => {
  const isEngine = (w: Worker) => /duckdb\.worker/.test(w.url());
  await page.goto('./#start=36500d&now=latest');
  await expect(page.getByText('Engine ready')).toBeVisible({ timeout: 60_000 });
  await expect.poll(() => page.workers().filter(isEngine).length, { timeout: 30_000 }).toBe(2);
  const [shared, spare] = page.workers().filter(isEngine);
  let spareClosed = false;
  spare!.on('close', () => { spareClosed = true; });
  // Over three chunks of 16 MB (loader.ts): the sample's rows, repeated.
  const sample = readFileSync(new URL('../../public/sample/contoso-DeviceProcessEvents.csv', import.meta.url), 'utf8');
  const [header, ...body] = sample.trimEnd().split('\n');
  const copies = Math.ceil((50 << 20) / sample.length);
  const dir = mkdtempSync(join(tmpdir(), 'lh-large-'));
  const write = (name: string, rows: string[]) => {
    const path = join(dir, name);
    writeFileSync(path, [header, ...Array.from({ length: copies }, () => rows.join('\n'))].join('\n') + '\n');
    return path;
  };
  // ISO times in the quick form: the page screens every chunk after the first itself (chunk-screen.ts).
  await page.locator('input[type=file]').setInputFiles(write('large.csv', body!));
  await settled(page);
  await expect(page.getByTestId('source')).toHaveClass(/ready/);
  expect(spareClosed).toBe(false);
  expect(page.workers().filter(isEngine)).toEqual([shared, spare]);
  // Times written `2024-05-08 00:08:21Z`: the page leaves them to the engine, so the chunks go to the engines.
  await page.locator('input[type=file]').setInputFiles(write('spaced.csv', body!.map((r) => r.replace(/^(\d{4}-\d\d-\d\d)T/, '$1 '))));
  await settled(page);
  await expect(page.getByTestId('source')).toHaveCount(2);
  await expect(page.getByTestId('source').nth(1)).toHaveClass(/ready/);
  await expect.poll(() => spareClosed, { timeout: 30_000 }).toBe(true);
  await expect.poll(() => page.workers().filter(isEngine).length, { timeout: 30_000 }).toBe(2);
  expect(page.workers().filter(isEngine)[0]).toBe(shared);
  expect(page.workers().filter(isEngine)).not.toContain(spare);
});
