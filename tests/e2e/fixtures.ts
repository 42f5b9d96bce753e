import { test as base, expect, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';

/**
 * Every browser test goes through this fixture: it records every request the context makes (pages, workers and
 * the service worker) and fails the test on any request to another origin, on any request to the app's own origin
 * for a DuckDB extension, and on any Content-Security-Policy violation the page reports.
 */
/** A host name tests use on purpose to prove the policy blocks it; nothing else may be exempt. */
export const CSP_PROBE = 'csp-probe.invalid';

export const test = base.extend<{ requests: string[]; allowedOrigins: string[]; fileOnly: boolean }>({
  allowedOrigins: [[], { option: true }],
  /** For LocalHunt.html on file://: only file:, blob: and data: URLs may be requested at all. */
  fileOnly: [false, { option: true }],
  requests: [async ({ context, baseURL, allowedOrigins, fileOnly }, use) => {
    const seen: string[] = [];
    const violations: string[] = [];
    context.on('request', (r) => seen.push(r.url()));
    context.on('console', (m) => { if (/Content Security Policy/i.test(m.text()) && !m.text().includes(CSP_PROBE)) violations.push(m.text()); });
    await context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => console.error(`Content Security Policy violation: ${e.violatedDirective} ${e.blockedURI}`));
    });
    await use(seen);
    expect(violations, 'Content-Security-Policy violations').toEqual([]);
    const origins = new Set([new URL(baseURL!).origin, ...allowedOrigins]);
    const foreign = fileOnly
      ? seen.filter((u) => !/^(file|blob|data):/i.test(u))
      : seen.filter((u) => /^[a-z]+:/i.test(u) && !u.startsWith('data:') && !u.startsWith('blob:')
        && !origins.has(new URL(u).origin) && new URL(u).hostname !== CSP_PROBE);
    const extensions = seen.filter((u) => /duckdb[-_]?extension|\.duckdb_extension/i.test(u));
    expect(foreign, 'requests to other origins').toEqual([]);
    expect(extensions, 'requests for DuckDB extensions').toEqual([]);
  }, { auto: true }],
});

export { expect };

/**
 * Record every value #results' aria-busy takes from now on, so a test can prove it turned "true" even when the
 * work is too quick for polling to see.
 */
export async function watchBusy(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(() => {
    const w = window as unknown as { __busy: string[] };
    w.__busy = [];
    const el = document.querySelector('section#results')!;
    new MutationObserver(() => w.__busy.push(el.getAttribute('aria-busy') ?? '')).observe(el, { attributes: true, attributeFilter: ['aria-busy'] });
  });
  return () => page.evaluate(() => (window as unknown as { __busy: string[] }).__busy);
}

/** Wait until the page has finished reacting to the last input (the contract's busy signal). */
export async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'), null, { timeout: 90_000, polling: 50 });
}

export async function exportJson(page: Page): Promise<unknown> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export JSON', exact: true }).click()]);
  return JSON.parse(readFileSync((await download.path())!, 'utf8'));
}

export async function exportCsv(page: Page): Promise<string> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV', exact: true }).click()]);
  return readFileSync((await download.path())!, 'utf8');
}
