import { beforeAll, describe, expect, test } from 'vitest';
import { createNodeEngine } from '../support/node-engine';
import { detect, loadAll } from '../support/harness';
import { allowlistCondition } from '../../src/lib/detections/runner';
import { parseAllowlist } from '../../src/lib/state/allowlist';
import type { Engine } from '../../src/lib/engine/engine';
import type { FailedSource, LoadedSource } from '../../src/lib/ingest/source';

const accounts = ['svc-scan@corp.com', 'SVC-backup@corp.com', 'alice@corp.com', 'a_b@corp.com', 'axb@corp.com', "o'brien@corp.com", '100%@corp.com'];
const csv = ['Timestamp,FileName,ProcessCommandLine,AccountUpn', ...accounts.map((a, i) => `2024-05-09T0${i}:00:00Z,net.exe,net user,${a}`)].join('\n');

let engine: Engine;
let sources: (LoadedSource | FailedSource)[];
beforeAll(async () => {
  engine = await createNodeEngine();
  sources = await loadAll(engine, [{ name: 'accounts.csv', content: csv }]);
});

const run = async (allowlist: string[]) => {
  const res = await detect(engine, sources, { now: '2024-05-10T00:00:00Z', start: '36500d', threshold: 1, allowlist });
  return { alerts: res.alerts.map((a) => a.account), suppressed: res.suppressed.map((a) => a.account) };
};

describe('allowlist', () => {
  test('exact names, case-insensitive; allowlisted accounts move to the suppressed list, nothing disappears', async () => {
    const r = await run(['ALICE@corp.com']);
    expect(r.suppressed).toEqual(['alice@corp.com']);
    expect(r.alerts).toHaveLength(accounts.length - 1);
  });
  test('* wildcards', async () => {
    expect((await run(['svc-*'])).suppressed.sort()).toEqual(['SVC-backup@corp.com', 'svc-scan@corp.com']);
    expect((await run(['*@corp.com'])).alerts).toEqual([]);
  });
  test("LIKE's own wildcards and quotes in entries are literal", async () => {
    expect((await run(['a_b@corp.com'])).suppressed).toEqual(['a_b@corp.com']);
    expect((await run(['a_b*'])).suppressed).toEqual(['a_b@corp.com']);
    expect((await run(['100%*'])).suppressed).toEqual(['100%@corp.com']);
    expect((await run(["o'brien@corp.com"])).suppressed).toEqual(["o'brien@corp.com"]);
  });
  test('the condition is SQL over escaped literals', () => {
    expect(allowlistCondition([])).toBe('false');
    expect(allowlistCondition(["x'); DROP TABLE t; --"])).toBe("coalesce(lower(AccountUpn) = lower('x''); DROP TABLE t; --'), false)");
  });
  test('parsing: one per line, trimmed, comments and duplicates dropped', () => {
    expect(parseAllowlist('# team\n a@x \r\n\nb@x\na@x\n')).toEqual(['a@x', 'b@x']);
    // A file with the old Mac line ends (a carriage return alone) too.
    expect(parseAllowlist('a@x\rb@x\r')).toEqual(['a@x', 'b@x']);
  });
});
