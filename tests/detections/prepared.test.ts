/**
 * The detection's queries run as prepared statements (runner.ts queryBound): a parameter edit sends new arguments
 * to the statement prepared by the first run. Each run must return what the same SQL with the values written in
 * returns, whatever the edit, and after the events view changed under the statement.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { createNodeEngine } from '../support/node-engine';
import type { Engine } from '../../src/lib/engine/engine';
import { detect, loadAll, netDiscovery, runParams, type TestParams } from '../support/harness';
import { bindSql, queryBound, summarizeQuery } from '../../src/lib/detections/runner';
import type { LoadedSource } from '../../src/lib/ingest/source';

type NodeEngine = Awaited<ReturnType<typeof createNodeEngine>>;
let inner: NodeEngine;
beforeAll(async () => { inner = await createNodeEngine(); });
afterAll(async () => { await inner?.close(); });

/** The engine, keeping the statements it was asked to prepare and to let go. */
function recording() {
  const prepared: string[] = [];
  const deallocated: string[] = [];
  const engine: Engine = { ...inner, exec: async (sql) => {
    const p = /^PREPARE (\w+) AS /.exec(sql);
    if (p) prepared.push(p[1]!);
    const d = /^DEALLOCATE (\w+)/.exec(sql);
    if (d) deallocated.push(d[1]!);
    return inner.exec(sql);
  } };
  return { engine, prepared, deallocated };
}

const fixture = (name: string) => ({ name, content: readFileSync(new URL(`../fixtures/${name}`, import.meta.url)) });

test('edits of StartTime, BinFormat and Threshold reuse the prepared statement, with the results of the written-out SQL', async () => {
  const { engine, prepared } = recording();
  const sources = (await loadAll(engine, [fixture('defender-iso.csv')])) as LoadedSource[];
  const now = '2024-10-20T00:00:00Z';
  const edits: TestParams[] = [
    { now, start: '36500d', threshold: 1 }, { now, start: '36500d', threshold: 2 }, { now, start: '3d', threshold: 1 },
    { now, start: '36500d', bin: '1h', threshold: 1 }, { now, start: '36500d', bin: '5m', threshold: 3 },
  ];
  const outcomes = new Set<string>();
  for (const p of edits) {
    const alerts = (await detect(engine, sources, p)).alerts;
    outcomes.add(JSON.stringify(alerts.map((a) => [a.account, a.bin, a.total])));
    const literal = await inner.query(summarizeQuery(netDiscovery, runParams(p)));
    expect(alerts.map((a) => [a.account, a.bin, a.total]), JSON.stringify(p))
      .toEqual(literal.filter((r) => r.lh_suppressed !== true).map((r) => [r.AccountUpn, r.lh_bin, Number(r.TotalEvents)])
        .sort((a, b) => (String(a[1]) < String(b[1]) ? -1 : String(a[1]) > String(b[1]) ? 1 : String(a[0]) < String(b[0]) ? -1 : 1)));
  }
  // The edits changed what alerts; one statement served them all.
  expect(outcomes.size).toBeGreaterThan(3);
  expect(prepared).toHaveLength(1);
  // The allowlist is written into the SQL: a new list is a new statement.
  await detect(engine, sources, { now, start: '36500d', threshold: 1, allowlist: ['*@contoso.com'] });
  expect(prepared).toHaveLength(2);
});

test('a statement prepared over one events view reads the view that replaced it', async () => {
  const { engine } = recording();
  const params = { now: '2024-10-20T00:00:00Z', start: '36500d', threshold: 1 };
  const [a] = (await loadAll(engine, [fixture('defender-iso.csv')])) as LoadedSource[];
  const [b] = (await loadAll(engine, [fixture('windows/defender-overlap-a.csv')])) as LoadedSource[];
  const alone = async (s: LoadedSource) => (await detect(engine, [s], params)).alerts.map((x) => [x.account, x.total]);
  const first = await alone(a!);
  const second = await alone(b!);
  expect(second).not.toEqual(first);
  expect(await alone(a!)).toEqual(first);
});

test('past 32 statements the least recently run is let go', async () => {
  const { engine, prepared, deallocated } = recording();
  const sources = (await loadAll(engine, [fixture('defender-iso.csv')])) as LoadedSource[];
  const run = (allowlist: string[]) => detect(engine, sources, { now: '2024-10-20T00:00:00Z', start: '36500d', threshold: 1, allowlist });
  await run([]);
  const kept = prepared[0];
  for (let i = 0; i < 40; i++) {
    await run([`user${i}@x`]);
    // The statement without an allowlist runs now and then: it is never the least recently run.
    if (i % 10 === 9) await run([]);
  }
  expect(prepared).toHaveLength(41);
  expect(deallocated.length).toBeGreaterThanOrEqual(9);
  expect(deallocated).not.toContain(kept);
  const before = prepared.length;
  await run([]);
  expect(prepared).toHaveLength(before);
});

test('a parameter named only in a comment is not passed to the statement', async () => {
  const rows = await queryBound(inner, 'SELECT {{threshold}} AS t -- not {{cutoff}} nor {{bin}}', runParams({ now: '2024-10-20T00:00:00Z', threshold: 7 }));
  expect(rows).toEqual([{ t: 7 }]);
});

test('only the code is filled in: a parameter in a string literal or a comment stays as written', async () => {
  const params = runParams({ now: '2024-10-20T00:00:00Z', threshold: 3, allowlist: ['x@y\r--'] });
  const template = "SELECT '{{bin}} {{nope}}' AS text, {{threshold}} AS t, {{allowlisted}} AS a -- {{cutoff}} {{allowlisted}}\nFROM (SELECT 'x@y\r--' AS AccountUpn)";
  expect(bindSql(template, params)).toContain("'{{bin}} {{nope}}' AS text, 3 AS t");
  expect(bindSql(template, params)).toContain('-- {{cutoff}} {{allowlisted}}\n');
  // An allowlist entry with a carriage return stays inside its string literal, never in a comment it could end.
  expect(await queryBound(inner, template, params)).toEqual([{ text: '{{bin}} {{nope}}', t: 3, a: true }]);
});
