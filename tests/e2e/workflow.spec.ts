/**
 * The analyst's workflow on the sample data: charts and the threshold, explaining an alert, the events around it,
 * tuning with the allowlist, and the hand-over report. Expectations come from tests/tools/sample-facts.json (written
 * by the sample generator from its own count) or from the sample CSV itself, read here independently of the app.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Download, Locator, Page } from '@playwright/test';
import { test, expect, settled, exportJson } from './fixtures';

interface Count { AccountUpn: string; bin: string; TotalEvents: number }
interface SampleAlert extends Count { FirstEvent: string; LastEvent: string; ExecutedCommands: string[] }
const facts = JSON.parse(readFileSync(new URL('../tools/sample-facts.json', import.meta.url), 'utf8')) as
  { rows: number; latest: string; threshold: number; alerts: SampleAlert[]; dailyCounts: Count[] };
const SAMPLE_NAME = 'contoso-DeviceProcessEvents.csv';
const samplePath = new URL(`../../public/sample/${SAMPLE_NAME}`, import.meta.url);
const intruder = facts.alerts.find((a) => a.AccountUpn === 'm.baker@contoso.com')!;
const admin = facts.alerts.find((a) => a.AccountUpn === 'a.lee@contoso.com')!;

/** The alerts a threshold gives, from the generator's own per-account, per-day counts. */
const alertsAt = (threshold: number) => facts.dailyCounts.filter((c) => c.TotalEvents >= threshold);

// ---------------------------------------------------------------------------------------------------------------
// Helpers

async function loadSample(page: Page, hash = ''): Promise<void> {
  await page.goto(`./${hash}`);
  await page.getByRole('button', { name: 'Try the sample data' }).click();
  await settled(page);
  await expect(page.getByTestId('alert')).toHaveCount(facts.alerts.length);
}

async function expand(page: Page, account: string, suppressed = false): Promise<Locator> {
  await page.getByRole('button', { name: `Show what was counted for ${account}${suppressed ? ' (suppressed)' : ''}`, exact: true }).click();
  await settled(page);
  return page.locator('.detail-row').filter({ hasText: account });
}

async function download(page: Page, button: Locator): Promise<{ download: Download; text: string }> {
  const [d] = await Promise.all([page.waitForEvent('download'), button.click()]);
  return { download: d, text: readFileSync((await d.path())!, 'utf8') };
}

/** RFC 4180: quotes, doubled quotes, commas and line breaks inside fields. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c !== '"') field += c;
      else if (text[i + 1] === '"') { field += '"'; i++; } else quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; } else if (c === '\r' || c === '\n') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field); rows.push(row); row = []; field = '';
    } else field += c;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}

function csvObjects(text: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text.replace(/^\uFEFF/, ''));
  return rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i] ?? ''])));
}

/** `2024-05-10T09:14:27.2482822Z` → 100 ns ticks since 1970 (enough to order and compare). */
function ticks(iso: string): bigint {
  const m = /^(.{19})(?:\.(\d{1,7}))?Z$/.exec(iso);
  if (!m) throw new Error(`not an instant: ${iso}`);
  return BigInt(Date.parse(`${m[1]}Z`)) * 10_000n + BigInt((m[2] ?? '').padEnd(7, '0'));
}
const MINUTE = 600_000_000n;

/** The body rows a virtualised grid has in the DOM, in row order, as cell texts. */
async function domRows(grid: Locator): Promise<string[][]> {
  return grid.locator('[role=row][aria-rowindex]').evaluateAll((rows) => rows
    .map((r) => ({ i: Number(r.getAttribute('aria-rowindex')), cells: [...r.querySelectorAll('[role=cell]')].map((c) => c.textContent ?? '') }))
    .sort((a, b) => a.i - b.i).map((r) => r.cells));
}

// ---------------------------------------------------------------------------------------------------------------
// 1. Charts

test.describe('charts', () => {
  test('each chart is an SVG with a title (aria-label) and a visible text description', async ({ page }) => {
    await loadSample(page);
    const charts = page.getByRole('region', { name: 'Charts' });
    for (const id of ['chart-counts', 'chart-histogram', 'chart-timeline']) {
      const svg = charts.getByTestId(id).locator('svg[aria-label]');
      await expect(svg, id).toHaveCount(1);
      await expect(svg, id).toBeVisible();
      const title = (await svg.getAttribute('aria-label'))!;
      expect(title.length, id).toBeGreaterThan(10);
      // The figure's caption repeats the title, and a paragraph says in words what the picture shows.
      const figure = charts.locator('figure').filter({ has: page.getByTestId(id) });
      await expect(figure.locator('figcaption'), id).toHaveText(title);
      const description = figure.locator('p.chart-text');
      await expect(description, id).toBeVisible();
      await expect(description, id).toHaveText(/\d/);
    }
    await expect(charts.getByTestId('chart-histogram').locator('svg[aria-label]')).toHaveAttribute('aria-description', /threshold of 10: 2 alerts/);
    await expect(charts.locator('figure').filter({ has: page.getByTestId('chart-timeline') }).locator('p.chart-text'))
      .toContainText(`${facts.dailyCounts.reduce((n, c) => n + c.TotalEvents, 0)} counted events`);
  });

  test('the threshold slider moves the pictures at once, then the hash and the alert table follow', async ({ page }) => {
    await loadSample(page);
    const threshold = 4;
    const expected = alertsAt(threshold);
    const slider = page.getByRole('slider', { name: /Threshold/ });
    await expect(slider).toHaveValue(String(facts.threshold));
    // Move the slider and look in the same task as the input event (plus Svelte's microtask flush): the pictures
    // have changed while the results are still stale (busy).
    const atOnce = await slider.evaluate(async (el: HTMLInputElement, value) => {
      el.value = String(value);
      el.dispatchEvent(new Event('input', { bubbles: true }));
      await Promise.resolve();
      await new Promise((r) => requestAnimationFrame(r));
      const figure = el.closest('figure')!;
      return {
        output: figure.querySelector('output')!.textContent,
        description: figure.querySelector('p.chart-text')!.textContent,
        svg: figure.querySelector('svg[aria-label]')!.getAttribute('aria-description'),
        busy: document.querySelector('section#results')!.getAttribute('aria-busy'),
      };
    }, threshold);
    expect(atOnce.output).toBe(`${threshold} → ${expected.length} alerts`);
    expect(atOnce.description).toContain(`At the threshold of ${threshold}: ${expected.length} alerts.`);
    expect(atOnce.svg).toContain(`At the threshold of ${threshold}: ${expected.length} alerts.`);
    expect(atOnce.busy).toBe('true');
    expect(new URL(page.url()).hash).toContain(`threshold=${threshold}`);

    await settled(page);
    await expect(page.getByTestId('alert')).toHaveCount(expected.length);
    await expect(page.getByRole('heading', { name: `Alerts (${expected.length})` })).toBeVisible();
    const rows = (await exportJson(page)) as { AccountUpn: string; Timestamp: string; TotalEvents: number }[];
    expect(rows.map((r) => [r.AccountUpn, r.Timestamp, r.TotalEvents]).sort())
      .toEqual(expected.map((c) => [c.AccountUpn, c.bin, c.TotalEvents]).sort());
    // The Threshold field of the parameters says the same as the slider.
    await expect(page.getByRole('spinbutton', { name: 'Threshold' }), 'the Threshold parameter field follows the slider')
      .toHaveValue(String(threshold), { timeout: 2000 });
  });

  test('dragging on the histogram moves the threshold', async ({ page }) => {
    await loadSample(page);
    const histogram = page.getByTestId('chart-histogram').locator('svg[aria-label]');
    const output = page.getByRole('region', { name: 'Charts' }).locator('output');
    await histogram.scrollIntoViewIfNeeded();
    const box = (await histogram.boundingBox())!;
    const y = box.y + box.height / 2;
    // The x axis runs from 0.5 (left margin) to the largest count; press left of the middle, drag right.
    await page.mouse.move(box.x + box.width * 0.25, y);
    await page.mouse.down();
    await expect(output).not.toHaveText(/^10 →/);
    const pressed = Number((await output.textContent())!.split(' ')[0]);
    await page.mouse.move(box.x + box.width * 0.55, y, { steps: 5 });
    await page.mouse.up();
    await expect(output).not.toHaveText(new RegExp(`^${pressed} →`));
    const dragged = Number((await output.textContent())!.split(' ')[0]);
    expect(pressed).toBeGreaterThanOrEqual(1);
    expect(dragged).toBeGreaterThan(pressed);
    await expect(output).toHaveText(`${dragged} → ${alertsAt(dragged).length} alerts`);
    await expect(page.getByRole('slider', { name: /Threshold/ })).toHaveValue(String(dragged));
    expect(new URL(page.url()).hash).toContain(`threshold=${dragged}`);
    await settled(page);
    await expect(page.getByTestId('alert')).toHaveCount(alertsAt(dragged).length);
  });

  test('in dark mode the charts draw in the page\'s light text colour', async ({ page }) => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await loadSample(page);
    const luminance = (rgb: string) => {
      const [r, g, b] = rgb.match(/\d+(\.\d+)?/g)!.map(Number);
      return (0.2126 * r! + 0.7152 * g! + 0.0722 * b!) / 255;
    };
    for (const id of ['chart-counts', 'chart-histogram', 'chart-timeline']) {
      const svg = page.getByTestId(id).locator('svg[aria-label]');
      const colours = await svg.evaluate((el) => ({
        svg: getComputedStyle(el).color,
        // An axis tick label: Plot draws text with fill="currentColor".
        tick: getComputedStyle(el.querySelector('g[aria-label="y-axis tick label"] text, text')!).fill,
        page: getComputedStyle(document.body).backgroundColor,
      }));
      expect(luminance(colours.svg), `${id} text colour ${colours.svg}`).toBeGreaterThan(0.7);
      expect(luminance(colours.tick), `${id} tick label ${colours.tick}`).toBeGreaterThan(0.7);
      expect(luminance(colours.page), 'dark page background').toBeLessThan(0.2);
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------
// 2. Explain an alert

test('explain: bin, why it fired, devices, commands and a sortable, filterable, exportable evidence grid', async ({ page }) => {
  await loadSample(page);
  const detail = await expand(page, intruder.AccountUpn);
  /** The <dd> after the <dt> that names it. */
  const fact = (name: string) => detail.locator('dl.why dt').filter({ hasText: name }).locator('xpath=following-sibling::dd[1]');
  await expect(fact('Bin')).toContainText('2024-05-10 00:00:00 → 2024-05-11 00:00:00');
  await expect(fact('Fired because')).toContainText(`TotalEvents ${intruder.TotalEvents} ≥ Threshold 10`);

  // Devices: every device of the counted events in the sample.
  const sample = csvObjects(readFileSync(samplePath, 'utf8'));
  const counted = sample.filter((r) => r.AccountUpn === intruder.AccountUpn && ticks(r.Timestamp!) >= ticks(intruder.FirstEvent)
    && ticks(r.Timestamp!) <= ticks(intruder.LastEvent) && intruder.ExecutedCommands.includes(r.ProcessCommandLine!));
  expect(counted).toHaveLength(intruder.TotalEvents);
  const devices = [...new Set(counted.map((r) => r.DeviceName!))].sort();
  await expect(fact('Devices')).toHaveText(devices.join(', '));

  // Commands with how often each ran.
  const commandRows = await detail.locator('table.commands tbody tr').evaluateAll((trs) =>
    trs.map((tr) => [Number(tr.children[0]!.textContent), tr.children[1]!.textContent ?? '']));
  const runs = new Map<string, number>();
  for (const r of counted) runs.set(r.ProcessCommandLine!, (runs.get(r.ProcessCommandLine!) ?? 0) + 1);
  expect(commandRows.map(([n, c]) => [c, n]).sort()).toEqual([...runs].sort());

  // The counted events: all of them, in time order.
  const grid = page.getByRole('table', { name: 'Counted events' });
  const tools = detail.locator('.grid-tools').first();
  await expect(tools).toContainText(`${intruder.TotalEvents} of ${intruder.TotalEvents} rows`);
  const headers = await grid.getByRole('columnheader').allTextContents();
  const col = (label: string) => headers.findIndex((h) => h.startsWith(label));
  const timeCol = col('Time (UTC)');
  const commandCol = col('Command');
  let rows = await domRows(grid);
  expect(rows.map((r) => r[timeCol])).toEqual(counted.map((r) => r.Timestamp).sort());

  // Sort by Command: aria-sort follows, the first row changes; again for descending.
  const commandHeader = grid.getByRole('columnheader').nth(commandCol);
  await expect(commandHeader).toHaveAttribute('aria-sort', 'none');
  await commandHeader.getByRole('button').click();
  await expect(commandHeader).toHaveAttribute('aria-sort', 'ascending');
  await expect(grid.getByRole('columnheader').nth(timeCol)).toHaveAttribute('aria-sort', 'none');
  const commands = counted.map((r) => r.ProcessCommandLine!);
  rows = await domRows(grid);
  expect(rows.map((r) => r[commandCol])).toEqual([...commands].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  await commandHeader.getByRole('button').click();
  await expect(commandHeader).toHaveAttribute('aria-sort', 'descending');
  rows = await domRows(grid);
  expect(rows[0]![commandCol]).toBe([...commands].sort().at(-1));

  // Filter Command by "group" (case-insensitive substring): fewer rows, and the count says so.
  const withGroup = counted.filter((r) => /group/i.test(r.ProcessCommandLine!));
  expect(withGroup.length).toBeLessThan(counted.length);
  await grid.getByRole('searchbox', { name: 'Filter Command' }).fill('group');
  await expect(tools).toContainText(`${withGroup.length} of ${intruder.TotalEvents} rows`);
  rows = await domRows(grid);
  expect(rows).toHaveLength(withGroup.length);
  expect(rows.every((r) => /group/i.test(r[commandCol]!))).toBe(true);

  // The exports hold exactly the rows shown, in the order shown.
  const columnKeys = ['Timestamp', 'DeviceName', 'FileName', 'ProcessCommandLine', 'InitiatingProcessFileName', 'AccountDomain', 'AccountName', 'AccountUpn', 'NetActionType'];
  const json = JSON.parse((await download(page, tools.getByRole('button', { name: 'Export shown as JSON' }))).text) as Record<string, string>[];
  expect(json.map((r) => Object.keys(r))).toEqual(json.map(() => columnKeys));
  expect(json.map((r) => columnKeys.map((k) => r[k]))).toEqual(rows);
  const csv = await download(page, tools.getByRole('button', { name: 'Export shown as CSV' }));
  expect(csv.download.suggestedFilename()).toMatch(/\.csv$/);
  const parsed = parseCsv(csv.text.replace(/\r\n$/, ''));
  expect(parsed[0]).toEqual(columnKeys);
  expect(parsed.slice(1)).toEqual(rows);
});

// ---------------------------------------------------------------------------------------------------------------
// 3. Around this alert

test('around this alert: every process event of the account or its devices within ±30 minutes, in time order, with its file', async ({ page }) => {
  await loadSample(page);
  const detail = await expand(page, intruder.AccountUpn);
  const devices = (await detail.locator('dl.why dt').filter({ hasText: 'Devices' }).locator('xpath=following-sibling::dd[1]').textContent())!.split(', ');
  const around = detail.getByRole('region', { name: 'Around this alert' });
  await around.getByRole('spinbutton').fill('30');
  await around.getByRole('button', { name: 'Show events around this alert' }).click();
  await settled(page);
  expect(await around.locator('.error').allTextContents(), 'an error instead of the events').toEqual([]);
  const grid = around.getByRole('table', { name: 'Events around this alert' });
  await expect(grid).toBeVisible();
  await expect(grid.getByRole('columnheader', { name: 'Source file' })).toBeVisible();

  const from = ticks(intruder.FirstEvent) - 30n * MINUTE;
  const to = ticks(intruder.LastEvent) + 30n * MINUTE;
  const expected = csvObjects(readFileSync(samplePath, 'utf8'))
    .filter((r) => (r.AccountUpn === intruder.AccountUpn || devices.includes(r.DeviceName!)) && ticks(r.Timestamp!) >= from && ticks(r.Timestamp!) <= to);
  expect(expected.length).toBeGreaterThan(intruder.TotalEvents);
  await expect(around.locator('.grid-tools')).toContainText(`${expected.length} of ${expected.length} rows`);

  const shown = JSON.parse((await download(page, around.getByRole('button', { name: 'Export shown as JSON' }))).text) as Record<string, string>[];
  const key = (r: Record<string, string>) => [r.Timestamp, r.DeviceName, r.FileName, r.ProcessCommandLine].join('|');
  expect(shown.map(key).sort()).toEqual(expected.map(key).sort());
  // Sorted by time, and not only net.exe: what the intruder ran before and between the discovery commands.
  const times = shown.map((r) => ticks(r.Timestamp!));
  expect(times.every((t, i) => i === 0 || times[i - 1]! <= t)).toBe(true);
  const files = new Set(shown.map((r) => r.FileName));
  for (const f of ['cmd.exe', 'whoami.exe', 'upd.exe', 'net.exe', 'net1.exe']) expect(files, f).toContain(f);
  expect(new Set(shown.map((r) => r.Source))).toEqual(new Set([SAMPLE_NAME]));
  // The grid in the page shows the same first rows.
  const rows = await domRows(grid);
  expect(rows[0]![0]).toBe(shown[0]!.Timestamp);
  expect(rows[0]!.at(-1)).toBe(SAMPLE_NAME);
});

test('around this alert with 100,000 events: virtualised, scrolls to the last, sorts and filters', async ({ page }) => {
  test.setTimeout(60_000);
  // One account on one device: 99,990 ordinary process events within one hour, and 10 `net user` runs (an alert at
  // the default threshold of 10). ±60 minutes around the alert covers all 100,000, the most "around" returns.
  const dir = mkdtempSync(join(tmpdir(), 'localhunt-around-'));
  const file = join(dir, 'bulk-DeviceProcessEvents.csv');
  const start = Date.UTC(2024, 5, 3, 10, 0, 0);
  const iso = (ms: number, extraTicks = 0) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, (_, f: string) => `.${f}${String(extraTicks).padStart(4, '0')}Z`);
  const BULK = 99_990;
  const lines = ['Timestamp,DeviceId,DeviceName,ActionType,FileName,ProcessCommandLine,AccountDomain,AccountName,AccountUpn,InitiatingProcessFileName'];
  const programs = ['svchost.exe', 'chrome.exe', 'conhost.exe', 'notepad.exe'];
  for (let i = 0; i < BULK; i++) {
    const program = programs[i % programs.length]!;
    lines.push(`${iso(start + i * 36)},d1,WS-BULK-01.fabrikam.com,ProcessCreated,${program},${program} --task ${i},fabrikam,j.doe,j.doe@fabrikam.com,explorer.exe`);
  }
  for (let k = 0; k < 10; k++) {
    lines.push(`${iso(start + 30 * 60_000 + k * 1000, 1)},d1,WS-BULK-01.fabrikam.com,ProcessCreated,net.exe,net user j.doe${k} /domain,fabrikam,j.doe,j.doe@fabrikam.com,cmd.exe`);
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
  const first = iso(start);
  const last = iso(start + (BULK - 1) * 36);
  try {
    await page.goto('./');
    await page.locator('input[type=file]').setInputFiles(file);
    await settled(page);
    await expect(page.getByTestId('alert')).toHaveCount(1);
    const detail = await expand(page, 'j.doe@fabrikam.com');
    await expect(detail.locator('.grid-tools').first()).toContainText('10 of 10 rows');

    const around = detail.getByRole('region', { name: 'Around this alert' });
    await around.getByRole('spinbutton').fill('60');
    await around.getByRole('button', { name: 'Show events around this alert' }).click();
    await settled(page);
    expect(await around.locator('.error').allTextContents(), 'an error instead of the events').toEqual([]);
    const tools = around.locator('.grid-tools');
    await expect(tools).toContainText('100,000 of 100,000 rows');
    await expect(around.getByText('Showing the first 100,000 events')).toHaveCount(0);

    const grid = around.getByRole('table', { name: 'Events around this alert' });
    const bodyRows = grid.locator('[role=row][aria-rowindex]');
    const inDom = await bodyRows.count();
    expect(inDom).toBeGreaterThan(5);
    expect(inDom).toBeLessThan(60);
    expect((await domRows(grid))[0]![0]).toBe(first);

    // Scroll the grid body to the bottom: the last event is there (row index = data index + 3).
    const body = grid.locator('.grid-body');
    await body.evaluate((el) => { el.scrollTop = el.scrollHeight; });
    const lastRow = grid.locator('[role=row][aria-rowindex="100002"]');
    await expect(lastRow.locator('[role=cell]').first()).toHaveText(last);
    expect(await bodyRows.count()).toBeLessThan(60);

    // Sort by time, descending (the first click sorts ascending): the bottom now holds the first event.
    const timeHeader = grid.getByRole('columnheader').first();
    await timeHeader.getByRole('button').click();
    await timeHeader.getByRole('button').click();
    await expect(timeHeader).toHaveAttribute('aria-sort', 'descending');
    await expect(lastRow.locator('[role=cell]').first()).toHaveText(first);
    await body.evaluate((el) => { el.scrollTop = 0; });
    await expect(grid.locator('[role=row][aria-rowindex="3"] [role=cell]').first()).toHaveText(last);

    // Filter: only the ten net user runs.
    await grid.getByRole('searchbox', { name: 'Filter Command' }).fill('net user');
    await expect(tools).toContainText('10 of 100,000 rows');
    const rows = await domRows(grid);
    expect(rows).toHaveLength(10);
    expect(rows.map((r) => r[3])).toEqual(Array.from({ length: 10 }, (_, k) => `net user j.doe${9 - k} /domain`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// ---------------------------------------------------------------------------------------------------------------
// 4. Tune with the allowlist

test('tune: suppress and restore an account, wildcard, export and import the allowlist', async ({ page }) => {
  await loadSample(page);
  const allowlist = page.getByRole('textbox', { name: /Account allowlist/ });
  const suppressedRows = page.getByTestId('suppressed-alert');

  // Suppress a.lee from his alert.
  const detail = await expand(page, admin.AccountUpn);
  await detail.getByRole('button', { name: 'Suppress this account' }).click();
  await settled(page);
  await expect(page.getByTestId('alert')).toHaveCount(facts.alerts.length - 1);
  await expect(page.getByTestId('alert')).toContainText(intruder.AccountUpn);
  await expect(page.getByRole('heading', { name: 'Suppressed by the allowlist (1)' })).toBeVisible();
  await expect(suppressedRows).toHaveCount(1);
  await expect(suppressedRows).toContainText(admin.AccountUpn);
  await expect(suppressedRows.locator('.badge')).toHaveText('suppressed');
  await expect(allowlist).toHaveValue(new RegExp(`^${admin.AccountUpn.replace(/\./g, '\\.')}\\s*$`));
  let exported = (await exportJson(page)) as { AccountUpn: string }[];
  expect(exported.map((r) => r.AccountUpn)).toEqual([intruder.AccountUpn]);

  // Restore him from the suppressed row.
  const suppressedDetail = await expand(page, admin.AccountUpn, true);
  await suppressedDetail.getByRole('button', { name: 'Stop suppressing this account' }).click();
  await settled(page);
  await expect(page.getByTestId('alert')).toHaveCount(facts.alerts.length);
  await expect(suppressedRows).toHaveCount(0);
  await expect(allowlist).not.toHaveValue(/a\.lee/);
  exported = (await exportJson(page)) as { AccountUpn: string }[];
  expect(exported.map((r) => r.AccountUpn).sort()).toEqual(facts.alerts.map((a) => a.AccountUpn).sort());

  // A wildcard suppresses every contoso account.
  await allowlist.fill('*@contoso.com');
  await settled(page);
  await expect(page.getByTestId('alert')).toHaveCount(0);
  await expect(suppressedRows).toHaveCount(facts.alerts.length);
  expect(await exportJson(page)).toEqual([]);

  // Export the allowlist: its text.
  const saved = await download(page, page.getByRole('button', { name: 'Export allowlist' }));
  expect(saved.download.suggestedFilename()).toMatch(/\.txt$/);
  expect(saved.text).toBe('*@contoso.com\n');

  // Import merges a file's lines into the list (a file chooser, not a second input in the page).
  await allowlist.fill('helpdesk@contoso.com');
  await settled(page);
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByRole('button', { name: 'Import allowlist…' }).click()]);
  await chooser.setFiles({ name: 'team.txt', mimeType: 'text/plain', buffer: Buffer.from('\uFEFF# the admins\nA.Lee@contoso.com\nsvc-backup@contoso.com\n') });
  await settled(page);
  expect((await allowlist.inputValue()).split('\n').filter((l) => l.trim() !== ''))
    .toEqual(['helpdesk@contoso.com', '# the admins', 'A.Lee@contoso.com', 'svc-backup@contoso.com']);
  await expect(page.getByTestId('alert')).toHaveCount(1);
  await expect(page.getByTestId('alert')).toContainText(intruder.AccountUpn);
  await expect(suppressedRows).toHaveCount(1);
  await expect(page.locator('input[type=file]')).toHaveCount(1);
});

// ---------------------------------------------------------------------------------------------------------------
// 5. The hand-over report

test('export report: one self-contained HTML file that loads nothing, shows the run and prints to PDF', async ({ page, context }) => {
  await loadSample(page);
  const { download: d, text: html } = await download(page, page.getByRole('button', { name: 'Export report' }));
  await settled(page);
  expect(d.suggestedFilename()).toMatch(/\.html$/);

  expect(html).not.toMatch(/<script/i);
  expect(html).toMatch(/^<!DOCTYPE html>\s*<html[^>]*>\s*<head>\s*<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">/i);
  const sha256 = createHash('sha256').update(readFileSync(samplePath)).digest('hex');
  expect(html).toContain(sha256);
  expect(html).toMatch(/2024-05-10[ T]17:46:52\.2399694/);

  // Open it in a page of its own: nothing is requested, and it reads as a report.
  const report = await context.newPage();
  const requests: string[] = [];
  report.on('request', (r) => requests.push(r.url()));
  await report.setContent(html, { waitUntil: 'load' });
  expect(await report.evaluate(() => document.head.firstElementChild?.outerHTML))
    .toBe('<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; img-src data:">');

  const files = report.locator('#files table.files tbody tr');
  await expect(files).toHaveCount(1);
  await expect(files).toContainText(SAMPLE_NAME);
  await expect(files.locator('td.hash')).toHaveText(sha256);
  expect(sha256).toMatch(/^[0-9a-f]{64}$/);

  const alerts = report.locator('#alerts table.alerts tbody tr');
  await expect(alerts).toHaveCount(facts.alerts.length);
  for (const [i, a] of facts.alerts.entries()) {
    await expect(alerts.nth(i)).toContainText(a.AccountUpn);
    await expect(alerts.nth(i).locator('td.total')).toHaveText(String(a.TotalEvents));
  }
  const parameter = (name: RegExp) => report.locator('#parameters tr').filter({ has: report.locator('th', { hasText: name }) }).locator('td');
  await expect(parameter(/^StartTime$/)).toHaveText('2d');
  await expect(parameter(/^BinFormat$/)).toHaveText('1d');
  await expect(parameter(/^Threshold$/)).toHaveText('10');
  await expect(parameter(/^now\(\) resolved/)).toHaveText(/2024-05-10[ T]17:46:52\.2399694/);

  await expect(report.locator('#queries pre.kql')).toHaveCount(2);
  await expect(report.locator('#queries pre.kql').first()).toContainText('DeviceProcessEvents');
  await expect(report.locator('#queries pre.sql')).toContainText(/SELECT/i);

  // Three inline charts, each the whole chart (its title as aria-label, axes drawn), not a legend swatch.
  // Soft: the printing and no-request checks below still run when a chart is wrong.
  const charts = await report.locator('#charts figure.chart').evaluateAll((figures) => figures.map((f) => {
    const svg = f.querySelector('.chart-image > svg');
    return { title: f.querySelector('.chart-title')?.textContent, ariaLabel: svg?.getAttribute('aria-label'),
      wide: (svg?.getBoundingClientRect().width ?? 0) > 200, labels: (svg?.querySelectorAll('text').length ?? 0) > 5 };
  }));
  expect(charts).toHaveLength(3);
  expect.soft(charts, 'each report chart is the chart itself').toEqual(charts.map((c) => ({ title: c.title, ariaLabel: c.title, wide: true, labels: true })));

  const pdf = await report.pdf({ format: 'A4' });
  expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  expect(pdf.length).toBeGreaterThan(20_000);
  expect(requests).toEqual([]);
  await report.close();
});
