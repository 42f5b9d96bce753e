import { closeSync, ftruncateSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { test, expect, settled, exportJson, exportCsv, watchBusy } from './fixtures';

/**
 * Broken and awkward files. Each one gets a clear message in the sources list (a role="alert" paragraph starting
 * with the file name, saying what is wrong) or loads as it should; the other files still load, their alerts and
 * Export JSON do not change, and the page stays usable. Big files are generated at test time in a temp folder.
 */

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const ISO = fixture('defender-iso.csv');
const isoBytes = readFileSync(ISO);
const isoText = isoBytes.toString('utf8');
const isoHeader = isoText.slice(0, isoText.indexOf('\n'));
const isoColumns = isoHeader.split(',');
const isoParams = JSON.parse(readFileSync(fixture('defender-iso.params.json'), 'utf8')) as { now: string; start: string; bin: string; threshold: number };
const isoExpected = JSON.parse(readFileSync(fixture('defender-iso.expected.json'), 'utf8')) as Record<string, unknown>[];
const ISO_HASH = `#start=${isoParams.start}&bin=${isoParams.bin}&threshold=${isoParams.threshold}&now=${encodeURIComponent(isoParams.now)}`;
const iso = { name: 'defender-iso.csv', mimeType: 'text/csv', buffer: isoBytes };

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Deterministic "random" bytes (mulberry32), so a failure can be reproduced byte for byte. */
function randomBytes(length: number, seed: number, avoidZero = false): Buffer {
  const out = Buffer.alloc(length);
  let a = seed >>> 0;
  for (let i = 0; i < length; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const b = ((t ^ (t >>> 14)) >>> 0) & 0xff;
    out[i] = avoidZero && b === 0 ? 1 : b;
  }
  return out;
}

/** A CSV row in defender-iso's column layout: the given values, the other columns empty. */
const isoRow = (values: Record<string, string>) => isoColumns.map((c) => values[c] ?? '').join(',');
const benign = (minute: number) => isoRow({ Timestamp: `2024-10-18T10:${String(minute).padStart(2, '0')}:00Z`, DeviceName: 'ws-broken', ActionType: 'ProcessCreated',
  FileName: 'whoami.exe', ProcessCommandLine: 'whoami /all', AccountUpn: 'broken@contoso.com' });

async function openIso(page: Page) {
  await page.goto(`./${ISO_HASH}`);
}

/** The message for `name`: one role="alert" paragraph that starts with the file name and says what is wrong. */
async function expectProblem(page: Page, name: string, what: RegExp) {
  const alert = page.getByTestId('source').filter({ hasText: name }).getByRole('alert');
  await expect(alert).toHaveCount(1);
  const text = (await alert.textContent()) ?? '';
  expect(text, `message for ${name}`).toMatch(new RegExp(`^${escapeRe(name)}: \\S`));
  expect(text.slice(name.length + 2), `message for ${name}`).toMatch(what);
}

/** defender-iso.csv loaded and unchanged: its source facts, the alert table and the exact Export JSON. */
async function expectIsoIntact(page: Page) {
  const source = page.getByTestId('source').filter({ hasText: 'defender-iso.csv' }).filter({ has: page.getByTestId('format') });
  await expect(source).toHaveCount(1);
  await expect(source.getByTestId('format')).toHaveText('Defender Advanced Hunting CSV');
  await expect(source.getByRole('alert')).toHaveCount(0);
  await expect(page.getByTestId('alert')).toHaveCount(isoExpected.length);
  const rows = (await exportJson(page)) as Record<string, unknown>[];
  expect(rows).toEqual(isoExpected);
  rows.forEach((r, i) => expect(Object.keys(r)).toEqual(Object.keys(isoExpected[i]!)));
}

/** The page still works: the broken entry can be removed, an alert can be opened, the results stay the same. */
async function expectStillUsable(page: Page, name: string) {
  const before = await page.getByTestId('source').count();
  const entries = page.getByTestId('source').filter({ hasText: name });
  const failed = entries.filter({ has: page.getByRole('alert') });
  await ((await failed.count()) > 0 ? failed : entries).first().getByRole('button', { name: /^Remove / }).click();
  await settled(page);
  await expect(page.getByTestId('source')).toHaveCount(before - 1);
  const account = String(isoExpected[0]!.AccountUpn);
  await page.getByRole('button', { name: `Show what was counted for ${account}`, exact: true }).click();
  await settled(page);
  await expect(page.locator('tr.detail-row table.commands tbody tr')).toHaveCount((isoExpected[0]!.ExecutedCommands as string[]).length);
  await expectIsoIntact(page);
}

interface Broken {
  name: string;
  why: string;
  bytes: () => Buffer;
  /** A message the file must get; or, for a file that must load, what the sources list must say about it. */
  problem?: RegExp;
  loads?: { rows: string; rejected: string[]; note?: RegExp };
}

const truncatedJson = () => {
  const api = readFileSync(fixture('api.json'));
  return api.subarray(0, Math.floor(api.length * 0.6));
};

const ragged = () => Buffer.from([
  isoHeader,
  benign(1),
  isoColumns.slice(0, 10).map((c) => (c === 'Timestamp' ? '2024-10-18T10:02:00Z' : 'x')).join(','), // data row 2: 10 of 22 fields
  `${benign(3)},extra,fields`, // data row 3: 24 fields
  benign(4),
  `${benign(5).replace('whoami /all', '"whoami /all')}\n${benign(6)}\n`, // data row 5: a quote that never ends
].join('\n'));

const CASES: Broken[] = [
  { name: 'empty.csv', why: 'an empty file', bytes: () => Buffer.alloc(0), problem: /empty/i },
  { name: 'header-only.csv', why: 'a header and no data rows', bytes: () => Buffer.from(`${isoHeader}\n`),
    loads: { rows: '0', rejected: [], note: /header but no data rows/ } },
  { name: 'garbage.csv', why: 'binary garbage named .csv', bytes: () => randomBytes(64 * 1024, 1), problem: /binary|not a (text|recognised)/i },
  { name: 'garbage-no-nul.csv', why: 'binary garbage without NUL bytes named .csv', bytes: () => randomBytes(64 * 1024, 2, true),
    problem: /binary|not a (text|recognised)|not (valid )?UTF-8|not a DeviceProcessEvents/i },
  { name: 'truncated.json', why: 'a truncated JSON document', bytes: truncatedJson, problem: /not valid JSON/i },
  { name: 'wrong-shape-object.json', why: 'JSON of the wrong shape: {"foo": 1}', bytes: () => Buffer.from('{"foo": 1}'),
    problem: /not a DeviceProcessEvents export.*Timestamp.*foo/i },
  { name: 'wrong-shape-array.json', why: 'JSON of the wrong shape: [1,2,3]', bytes: () => Buffer.from('[1,2,3]'), problem: /no row objects|not a JSON object/i },
  { name: 'ragged.csv', why: 'ragged rows and an unterminated quote', bytes: ragged,
    loads: { rows: '5', rejected: ['1 row: fewer fields than the header (data row 2)', '1 row: more fields than the header (data row 3)',
      '1 row: a quoted field that never ends (data row 5)'] } },
];

for (const c of CASES) {
  test(`${c.why} (${c.name}) with defender-iso.csv: ${c.problem ? 'named with its problem' : 'loads as it should'}, the other file's alerts unchanged`, async ({ page }) => {
    await openIso(page);
    const busy = await watchBusy(page);
    // The broken file first, so the good one is read after the failure in the same selection.
    await page.locator('input[type=file]').setInputFiles([{ name: c.name, mimeType: 'application/octet-stream', buffer: c.bytes() }, iso]);
    await settled(page);
    expect(await busy()).toEqual(['true', 'false']);
    await expect(page.getByTestId('source')).toHaveCount(2);
    if (c.problem) {
      await expectProblem(page, c.name, c.problem);
    } else {
      const source = page.getByTestId('source').filter({ hasText: c.name });
      await expect(source.getByRole('alert')).toHaveCount(0);
      await expect(source.getByTestId('rows')).toHaveText(c.loads!.rows);
      if (c.loads!.rejected.length === 0) await expect(source.getByTestId('rejected')).toHaveText('0');
      else {
        const shown = await source.getByTestId('rejected').locator('div').allTextContents();
        // Counted, with their data-row numbers...
        expect(shown.map((t) => /\(data rows? [\d, …]+\)$/.exec(t)?.[0])).toEqual(c.loads!.rejected.map((t) => /\(data rows? [\d, …]+\)$/.exec(t)?.[0]));
        // ...and each with what is wrong. Known failure (see the report): an unterminated quote is reported as
        // "a quote inside an unquoted field" (DuckDB files it under UNQUOTED VALUE, "Value with unterminated quote found.").
        expect.soft(shown).toEqual(c.loads!.rejected);
      }
      if (c.loads!.note) await expect(source.locator('.notes')).toContainText(c.loads!.note);
    }
    await expectIsoIntact(page);
    await expectStillUsable(page, c.name);
  });
}

test('a UTF-16 LE file with a BOM, as Windows PowerShell writes it, loads with its alerts', async ({ page }) => {
  // CRLF between records (as PowerShell writes), the line break inside a quoted field left as it is.
  let inQuotes = false;
  let crlf = '';
  for (const ch of isoText) {
    if (ch === '"') inQuotes = !inQuotes;
    crlf += ch === '\n' && !inQuotes ? '\r\n' : ch;
  }
  const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(crlf, 'utf16le')]);
  await openIso(page);
  await page.locator('input[type=file]').setInputFiles({ name: 'defender-iso.csv', mimeType: 'text/csv', buffer: utf16 });
  await settled(page);
  await expect(page.getByRole('alert')).toHaveCount(0);
  const source = page.getByTestId('source');
  await expect(source.getByTestId('rows')).toHaveText(String(isoText.trimEnd().split('\n').filter((l) => /^\d{4}-/.test(l)).length));
  await expect(source.getByTestId('rejected')).toHaveText('0');
  await expectIsoIntact(page);
});

test.describe('files made at test time', () => {
  let dir = '';
  test.beforeAll(() => { dir = mkdtempSync(path.join(tmpdir(), 'localhunt-broken-')); });
  test.afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  async function engineReady(page: Page) {
    await expect(page.getByText('Engine ready', { exact: false })).toBeVisible({ timeout: 60_000 });
  }

  test('a 50 MB line without a newline that is not an export is rejected quickly', async ({ page }) => {
    const file = path.join(dir, 'one-long-line.csv');
    const unit = 'lorem,ipsum,"dolor",sit amet;';
    writeFileSync(file, unit.repeat(Math.ceil((50 * 1024 * 1024) / unit.length)));
    expect(statSync(file).size).toBeGreaterThanOrEqual(50 * 1024 * 1024);
    await openIso(page);
    await engineReady(page);
    const started = Date.now();
    await page.locator('input[type=file]').setInputFiles([file, ISO]);
    await expect(page.getByTestId('source').filter({ hasText: 'one-long-line.csv' }).getByRole('alert')).toBeVisible({ timeout: 10_000 });
    const seconds = (Date.now() - started) / 1000;
    expect(seconds, 'seconds until the message').toBeLessThan(10);
    await settled(page);
    await expectProblem(page, 'one-long-line.csv', /not a recognised export|header|line|not a DeviceProcessEvents/i);
    await expectIsoIntact(page);
    await expectStillUsable(page, 'one-long-line.csv');
  });

  test('a 2.2 GB file of random bytes is rejected from its first bytes, within seconds', async ({ page }) => {
    const file = path.join(dir, 'huge-random.csv');
    const fd = openSync(file, 'w');
    try {
      writeSync(fd, randomBytes(64 * 1024, 3));
      ftruncateSync(fd, 2.2e9); // sparse: the rest reads as zeros without taking disk space
    } finally {
      closeSync(fd);
    }
    expect(statSync(file).size).toBe(2.2e9);
    await openIso(page);
    await engineReady(page);
    const started = Date.now();
    await page.locator('input[type=file]').setInputFiles([file, ISO]);
    await expect(page.getByTestId('source').filter({ hasText: 'huge-random.csv' }).getByRole('alert')).toBeVisible({ timeout: 5_000 });
    const seconds = (Date.now() - started) / 1000;
    expect(seconds, 'seconds until the message').toBeLessThan(5);
    await settled(page);
    await expectProblem(page, 'huge-random.csv', /binary|not a (text|recognised)/i);
    await expectIsoIntact(page);
    await expectStillUsable(page, 'huge-random.csv');
  });

  test('the same file chosen twice is not counted again, and the alert counts do not double', async ({ page }) => {
    await openIso(page);
    await page.locator('input[type=file]').setInputFiles(ISO);
    await settled(page);
    await expectIsoIntact(page);
    // The second selection of the very same file.
    await page.locator('input[type=file]').setInputFiles(ISO);
    await settled(page);
    await expect(page.getByTestId('source')).toHaveCount(2);
    const second = page.getByTestId('source').nth(1);
    await expect(second.getByRole('alert')).toHaveCount(1);
    const text = (await second.getByRole('alert').textContent()) ?? '';
    expect(text).toMatch(/^defender-iso\.csv: /);
    expect(text).toMatch(/same file as "?defender-iso\.csv"?/);
    expect(text).toContain('not counted again');
    await expect(page.getByText(/\(1 loaded\)/)).toBeVisible();
    await expectIsoIntact(page);
    const totals = (await page.getByTestId('alert').locator('td.total').allTextContents()).map(Number);
    expect(totals).toEqual(isoExpected.map((r) => r.TotalEvents));
    await expectStillUsable(page, 'defender-iso.csv');
  });

  test('50 files dropped at once all load: 50 accounts, 50 alerts', async ({ page }) => {
    const files: string[] = [];
    for (let i = 0; i < 50; i++) {
      const file = path.join(dir, `part-${String(i).padStart(2, '0')}.csv`);
      writeFileSync(file, `Timestamp,DeviceName,FileName,ProcessCommandLine,AccountUpn\n2024-05-09T10:${String(i).padStart(2, '0')}:00Z,ws${i},net.exe,net user,user${String(i).padStart(2, '0')}@example.com\n`);
      files.push(file);
    }
    await page.goto('./#start=36500d&bin=1d&threshold=1&now=latest');
    await page.locator('input[type=file]').setInputFiles(files);
    await settled(page);
    await expect(page.getByTestId('source')).toHaveCount(50);
    await expect(page.getByRole('alert')).toHaveCount(0);
    await expect(page.getByText('(50 loaded)')).toBeVisible();
    await expect(page.getByTestId('alert')).toHaveCount(50);
    const rows = (await exportJson(page)) as Record<string, unknown>[];
    expect(rows.map((r) => r.AccountUpn)).toEqual(Array.from({ length: 50 }, (_, i) => `user${String(i).padStart(2, '0')}@example.com`));
    expect(rows.every((r) => r.TotalEvents === 1 && r.TotalUserEvents === 1)).toBe(true);
    const csv = await exportCsv(page);
    expect(csv.trimEnd().split('\r\n')).toHaveLength(51);
  });
});
