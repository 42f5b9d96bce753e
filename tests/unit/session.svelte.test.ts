import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { flushSync } from 'svelte';
import { Session } from '../../src/lib/state/session.svelte';
import { createNodeEngine } from '../support/node-engine';
import type { Engine } from '../../src/lib/engine/engine';

const CSV = [
  'Timestamp,DeviceName,FileName,ProcessCommandLine,AccountUpn',
  '2024-05-09T10:00:00Z,WS1,net.exe,net user,a@x',
  '2024-05-09T11:00:00Z,WS1,net.exe,net group g /domain,a@x',
  '2024-05-10T10:00:00Z,WS1,net1.exe,net1 user,b@x',
].join('\n');
const file = (name = 'small.csv', text = CSV) => new File([text], name);

let engine: Engine & { close(): void };
beforeAll(async () => { engine = await createNodeEngine(); });
afterAll(() => engine.close());

/** A session whose engine becomes available only when `release` is called. */
function session(ready: Promise<Engine>, debounceMs = 20, warmUpSample?: () => Promise<Blob>) {
  const storage = new Map<string, string>();
  const fakeStorage = {
    getItem: (k: string) => storage.get(k) ?? null, setItem: (k: string, v: string) => void storage.set(k, v),
    removeItem: (k: string) => void storage.delete(k),
  } as Storage;
  return { s: new Session({ getEngine: () => ready, storage: fakeStorage, debounceMs, warmUpSample }), storage };
}

const until = async (cond: () => boolean, ms = 20_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

/**
 * A session without a debounce with the small file loaded, over an engine that counts detection runs from now on;
 * each run first waits for the promise last given to `hold`.
 */
async function loadedCountingRuns() {
  let held: Promise<void> = Promise.resolve();
  const summaries = countingRuns(/HAVING count\(\*\) >= /, () => held);
  const { s } = session(Promise.resolve(summaries.engine), 0);
  s.applyHash('#start=36500d&threshold=1&now=latest', false);
  s.addFiles([file()]);
  await until(() => !s.busy);
  summaries.reset();
  return { s, runs: summaries.count, hold: (p: Promise<void>) => { held = p; } };
}

/**
 * The engine, counting the runs of the statements whose SQL matches `pattern`: the detection's queries run as
 * prepared statements (runner.ts queryBound), prepared once and executed by each run. Each run first waits for
 * `before`.
 */
function countingRuns(pattern: RegExp, before: () => Promise<void> = async () => {}) {
  let runs = 0;
  const statements = new Set<string>();
  const counting: Engine = { ...engine, exec: async (sql) => {
    const prepared = /^PREPARE (\w+) AS /.exec(sql);
    if (prepared && pattern.test(sql)) statements.add(prepared[1]!);
    return engine.exec(sql);
  }, query: async (sql) => {
    if (statements.has(/^EXECUTE (\w+)/.exec(sql)?.[1] ?? '')) { runs++; await before(); }
    return engine.query(sql);
  } };
  return { engine: counting, count: () => runs, reset: () => { runs = 0; } };
}

describe('Session', () => {
  test('the engine counts as warm once its warm-up has run to the end; a file brought first leaves it cold', async () => {
    const sample = async () => new Blob([CSV]);
    const { s: warm } = session(Promise.resolve(engine), 0, sample);
    await warm.startEngine();
    await until(() => warm.engineWarm);
    // The user's file arrives while the warm-up is scanning: it is stopped, and the engine is not warm.
    let scanning!: () => void;
    const warmUpScans = new Promise<void>((r) => { scanning = r; });
    let fileAdded!: () => void;
    const added = new Promise<void>((r) => { fileAdded = r; });
    let first = true;
    const gated: Engine = { ...engine, exec: async (sql) => {
      if (first && sql.includes('lh_scan AS')) { first = false; scanning(); await added; }
      return engine.exec(sql);
    } };
    const { s: cold } = session(Promise.resolve(gated), 0, sample);
    await cold.startEngine();
    await warmUpScans;
    cold.addFiles([file()]);
    fileAdded();
    await until(() => !cold.busy && cold.sources.every((x) => x.status !== 'loading'));
    await new Promise((r) => setTimeout(r, 200));
    expect(cold.engineWarm).toBe(false);
    expect(cold.sources.map((x) => x.status)).toEqual(['ready']);
  });

  test('a helper engine for large files is started when the engine is ready, taken by a large load, and replaced after its alerts', async () => {
    const helpers: { closed: boolean; chunks: number }[] = [];
    const engines: { close(): Promise<void> }[] = [];
    const startScanEngine = async (): Promise<Engine> => {
      const real = await createNodeEngine();
      engines.push(real);
      const helper = { closed: false, chunks: 0 };
      helpers.push(helper);
      return { ...real, registerBuffer: (name, bytes) => { helper.chunks++; return real.registerBuffer!(name, bytes); },
        close: async () => { helper.closed = true; } };
    };
    const storage = { getItem: () => null, setItem: () => {}, removeItem: () => {} } as unknown as Storage;
    const s = new Session({ getEngine: () => Promise.resolve(engine), storage, debounceMs: 0, startScanEngine, chunkBytes: 1024, spareDelayMs: 50 });
    s.applyHash('#start=36500d&threshold=1&now=latest', false);
    await s.startEngine();
    await until(() => helpers.length === 1);
    // Small files and edits leave the spare waiting; it is not started twice.
    s.addFiles([file()]);
    await until(() => !s.busy);
    s.applyHash('#start=36500d&threshold=2&now=latest');
    await until(() => !s.busy);
    expect(helpers).toEqual([{ closed: false, chunks: 0 }]);
    // A file of several chunks: the spare scans some of them, is closed after the load, and a new one waits.
    const rows = Array.from({ length: 400 }, (_, i) => `2024-05-${String(10 + (i % 5)).padStart(2, '0')}T10:00:00Z,WS1,net.exe,net user u${i},c@x`);
    s.addFiles([file('large.csv', [CSV.split('\n')[0], ...rows].join('\n'))]);
    await until(() => !s.busy && helpers.length === 2);
    expect(helpers[0]!.closed).toBe(true);
    expect(helpers[0]!.chunks).toBeGreaterThan(0);
    expect(helpers[1]).toEqual({ closed: false, chunks: 0 });
    expect(s.sources.map((x) => x.status)).toEqual(['ready', 'ready']);
    // Every row counted once, whichever engine scanned its chunk: 80 a day for five days.
    expect(s.result?.alerts.filter((a) => a.account === 'c@x').map((a) => a.total)).toEqual([80, 80, 80, 80, 80]);
    for (const e of engines) await e.close();
  });

  test('no warm-up when a file was dropped while the engine started, and any engine work stops one under way', async () => {
    let asked = 0;
    const sample = async () => { asked++; return new Blob([CSV]); };
    let release!: (e: Engine) => void;
    const { s: early } = session(new Promise<Engine>((r) => { release = r; }), 0, sample);
    early.applyHash('#start=36500d&threshold=1&now=latest', false);
    early.addFiles([file()]);
    void early.startEngine();
    release(engine);
    await until(() => !early.busy && early.result !== null);
    await new Promise((r) => setTimeout(r, 100));
    expect(asked).toBe(0);
    expect(early.engineWarm).toBe(false);
    // Engine ready first: the warm-up starts; an edit (not a file) stops it at its next chunk.
    let scanning!: () => void;
    const warmUpScans = new Promise<void>((r) => { scanning = r; });
    let edited!: () => void;
    const edit = new Promise<void>((r) => { edited = r; });
    let scans = 0;
    const gated: Engine = { ...engine, exec: async (sql) => {
      if (sql.includes('lh_scan AS') && ++scans === 1) { scanning(); await edit; }
      return engine.exec(sql);
    } };
    const { s: idle } = session(Promise.resolve(gated), 0, sample);
    await idle.startEngine();
    await warmUpScans;
    idle.applyHash('#start=36500d&threshold=2&now=latest');
    edited();
    await until(() => !idle.busy);
    await new Promise((r) => setTimeout(r, 100));
    expect(idle.engineWarm).toBe(false);
  });

  test('the charts come after the alerts, and a report waiting for them gets them', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => { release = r; });
    const charts = countingRuns(/AS account, lh_fmt/, () => held);
    const { s } = session(Promise.resolve(charts.engine), 0);
    s.applyHash('#start=36500d&threshold=1&now=latest', false);
    s.addFiles([file()]);
    await until(() => !s.busy && s.result !== null);
    expect(s.charts).toBeNull();
    let settled: unknown = 'waiting';
    const waiting = s.settledCharts(s.result!).then((c) => { settled = c; });
    await new Promise((r) => setTimeout(r, 50));
    expect(settled).toBe('waiting');
    release();
    await waiting;
    expect(settled).not.toBeNull();
    expect(settled).toBe(s.charts);
    // A Threshold edit keeps the charts: they go with its result too. A result a newer run replaced has none.
    const before = s.result!;
    s.applyHash('#start=36500d&threshold=2&now=latest');
    await until(() => !s.busy && s.result !== before);
    expect(await s.settledCharts(s.result!)).toBe(s.charts);
    expect(await s.settledCharts(before)).toBeNull();
  });

  test('a Threshold edit reuses the chart data; a StartTime or BinFormat edit computes it again', async () => {
    const charts = countingRuns(/AS account, lh_fmt/);
    const { s } = session(Promise.resolve(charts.engine), 0);
    s.applyHash('#start=36500d&threshold=1&now=latest', false);
    s.addFiles([file()]);
    await until(() => !s.busy && s.charts !== null);
    const first = s.charts;
    expect(charts.count()).toBe(1);
    s.applyHash('#start=36500d&threshold=2&now=latest');
    await until(() => !s.busy);
    await new Promise((r) => setTimeout(r, 100));
    expect(charts.count()).toBe(1);
    expect(s.charts).toBe(first);
    s.applyHash('#start=36500d&bin=1h&threshold=2&now=latest');
    await until(() => !s.busy && charts.count() === 2);
    expect(s.charts).not.toBe(first);
  });

  test('without a debounce, edits made while a run waits for the engine skip to the newest one', async () => {
    // Each detection run waits for `hold`, so the edits below arrive while a run is under way.
    const { s, runs, hold } = await loadedCountingRuns();
    let release!: () => void;
    hold(new Promise((r) => { release = r; }));
    s.applyHash('#start=36500d&threshold=2&now=latest');
    await until(() => runs() === 1);
    for (const t of [3, 4, 5, 2]) {
      s.applyHash(`#start=36500d&threshold=${t}&now=latest`);
      await new Promise((r) => setTimeout(r, 5)); // typed, one key at a time: each edit's run is queued
    }
    await new Promise((r) => setTimeout(r, 50));
    release();
    await until(() => !s.busy);
    // The run under way finished; of the four queued behind it only the last ran.
    expect(runs()).toBe(2);
    expect(s.result?.alerts.map((a) => [a.account, a.total])).toEqual([['a@x', 2]]);
  });

  test('without a debounce, the query of an edit reaches the engine before the next task of the page (the charts redraw)', async () => {
    const { s, runs } = await loadedCountingRuns();
    // A task queued before the edit (as the charts' next frame would be): the run's query must not wait for it.
    let inTask = -1;
    const nextTask = new Promise<void>((r) => setTimeout(() => { inTask = runs(); r(); }, 0));
    s.updateSettings({ threshold: 2 }, () => {});
    await nextTask;
    expect(inTask).toBe(1);
    await until(() => !s.busy);
    expect(s.result?.alerts.map((a) => [a.account, a.total])).toEqual([['a@x', 2]]);
  });

  test('busy turns true in the same task as a file selection and false once results reflect it', async () => {
    let release!: (e: Engine) => void;
    const { s } = session(new Promise<Engine>((r) => { release = r; }));
    s.applyHash('#start=36500d&bin=1d&threshold=2&now=latest', false);
    expect(s.busy).toBe(false);
    s.addFiles([file()]);
    expect(s.busy).toBe(true);
    // Chosen before the engine is ready: queued, not lost.
    await new Promise((r) => setTimeout(r, 50));
    expect(s.sources.map((x) => x.status)).toEqual(['loading']);
    expect(s.busy).toBe(true);
    release(engine);
    await until(() => !s.busy);
    expect(s.sources.map((x) => x.status)).toEqual(['ready']);
    expect(s.result?.alerts.map((a) => [a.account, a.total])).toEqual([['a@x', 2]]);
  });

  test('a hash change marks results stale at once; only the last of quick changes is shown', async () => {
    const { s } = session(Promise.resolve(engine));
    s.applyHash('#start=36500d&threshold=1&now=latest', false);
    s.addFiles([file()]);
    await until(() => !s.busy);
    expect(s.result?.alerts).toHaveLength(2);
    s.applyHash('#start=36500d&threshold=2&now=latest');
    expect(s.busy).toBe(true);
    s.applyHash('#start=36500d&threshold=3&now=latest');
    await until(() => !s.busy);
    expect(s.resultParams?.threshold).toBe(3);
    expect(s.result?.alerts).toEqual([]);
    expect(s.explanation?.largestGroup).toBe(2);
  });

  test('a failed file is reported by name and the others keep working; removing a source re-runs', async () => {
    const { s } = session(Promise.resolve(engine));
    s.applyHash('#start=36500d&threshold=1&now=latest', false);
    s.addFiles([file('notes.csv', 'a,b\n1,2\n'), file('good.csv')]);
    await until(() => !s.busy);
    expect(s.sources.map((x) => x.status)).toEqual(['failed', 'ready']);
    const failed = s.sources[0]!;
    expect(failed.status === 'failed' && failed.problem).toContain('not a DeviceProcessEvents export');
    expect(s.result?.alerts).toHaveLength(2);
    s.removeSource(s.sources[1]!.id);
    expect(s.busy).toBe(true);
    await until(() => !s.busy);
    expect(s.loaded).toHaveLength(0);
    expect(s.result).toBeNull();
  });

  test('the allowlist is applied before counting and only it is kept in storage', async () => {
    const { s, storage } = session(Promise.resolve(engine));
    s.applyHash('#start=36500d&threshold=1&now=latest', false);
    s.addFiles([file()]);
    await until(() => !s.busy);
    s.setAllowlist('# helpdesk\nB@X\n');
    flushSync();
    expect(s.busy).toBe(true);
    await until(() => !s.busy);
    expect(s.result?.alerts.map((a) => a.account)).toEqual(['a@x']);
    expect([...storage.keys()]).toEqual(['localhunt.allowlist']);
    expect(storage.get('localhunt.allowlist')).toBe('# helpdesk\nB@X\n');
  });

  test('now = latest is the latest accepted event; a future one is flagged', async () => {
    const { s } = session(Promise.resolve(engine));
    s.addFiles([file('future.csv', 'Timestamp,FileName,ProcessCommandLine,AccountUpn\n2999-01-01T00:00:00Z,net.exe,net user,a@x\n')]);
    await until(() => !s.busy);
    expect(s.nowInFuture).toBe(true);
  });

  test('the SQL console reads the candidates and each CSV source with its own column names; bad SQL is a clear error', async () => {
    const { s } = session(Promise.resolve(engine));
    const hostileHeader = 'Timestamp,FileName,ProcessCommandLine,AccountUpn,"we""ird\\ name"\n2024-05-09T10:00:00Z,net.exe,net user,a@x,1\n2024-05-09T10:01:00Z,cmd.exe,cmd,a@x,2\n';
    s.addFiles([file('weird.csv', hostileHeader)]);
    await until(() => !s.busy);
    const id = s.loaded[0]!.id;
    expect((await s.runConsole('SELECT count(*) AS n FROM candidates;')).rows).toEqual([{ n: '1' }]);
    const all = await s.runConsole(`SELECT "we""ird\\ name" AS w, FileName FROM source_${id} ORDER BY w`);
    expect(all).toEqual({ columns: ['w', 'FileName'], rows: [{ w: '1', FileName: 'net.exe' }, { w: '2', FileName: 'cmd.exe' }], truncated: false });
    await expect(s.runConsole('SELEC nonsense')).rejects.toThrow(/syntax error/i);
    expect((await s.runConsole('SELECT 1 AS one')).rows).toEqual([{ one: '1' }]);
  });

  test('removing a source while a run is under way: busy stays true until the result no longer holds it', async () => {
    // Every query takes a while, so the removal lands in the middle of a run.
    const slow: Engine = { ...engine, query: async (sql) => { await new Promise((r) => setTimeout(r, 60)); return engine.query(sql); } };
    const { s } = session(Promise.resolve(slow));
    s.applyHash('#start=36500d&threshold=1&now=latest', false);
    s.addFiles([file()]);
    await until(() => !s.busy);
    expect(s.result?.alerts).toHaveLength(2);
    s.applyHash('#start=36500d&threshold=1&bin=12h&now=latest');
    await new Promise((r) => setTimeout(r, 260)); // the debounced run has started
    s.removeSource(s.sources[0]!.id);
    const seen: { busy: boolean; alerts: number | undefined }[] = [];
    await until(() => { seen.push({ busy: s.busy, alerts: s.result?.alerts.length }); return !s.busy; });
    expect(s.result).toBeNull();
    expect(seen.filter((x) => !x.busy && x.alerts !== undefined)).toEqual([]);
  });

  test('"Suppress this account" refuses a name the allowlist would read as a pattern or comment', async () => {
    const { s } = session(Promise.resolve(engine));
    s.suppressAccount('svc@contoso.com\n*');
    expect(s.allowlistText).toBe('');
    expect(s.suppressProblem).toContain('cannot hold it exactly');
    for (const bad of ['*@contoso.com', '#admin', ' a@x ']) { s.suppressAccount(bad); expect(s.allowlistText).toBe(''); }
    s.suppressAccount('a@x');
    expect(s.allowlistText).toBe('a@x\n');
    expect(s.suppressProblem).toBeNull();
  });
});
