/**
 * Large CSVs are read in chunks that end on record boundaries (csv-chunks.ts). Reading a file in chunks must give
 * exactly what reading it in one pass gives: statistics, rejected rows and their data-row numbers, times, and the
 * detection's export. Fixtures are cut into tiny chunks here so that cuts fall everywhere: inside quoted fields with
 * line breaks, next to doubled quotes, in CRLF pairs, in multi-byte characters and in broken rows.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { createNodeEngine } from '../support/node-engine';
import type { Engine } from '../../src/lib/engine/engine';
import { detect, loadAll } from '../support/harness';
import { csvChunks, firstRecordEnd, lastRecordEnd } from '../../src/lib/ingest/csv-chunks';
import { loadSource, progressText } from '../../src/lib/ingest/loader';
import { combinedPrefilter, combinedPrefilterHint } from '../../src/lib/detections/registry';
import type { LoadedSource } from '../../src/lib/ingest/source';
import { alertsToJson } from '../../src/lib/export/json';
import { formatTicks } from '../../src/lib/time/ticks';
import { seeded } from '../support/seeded';

type NodeEngine = Awaited<ReturnType<typeof createNodeEngine>>;
let engine: NodeEngine;
let second: NodeEngine;
beforeAll(async () => { [engine, second] = await Promise.all([createNodeEngine(), createNodeEngine()]); });
afterAll(async () => { await engine?.close(); await second?.close(); });

/**
 * The second engine as the loader's scan helper, answering each call after a random pause so that its chunks
 * finish before, between and after the shared engine's; it counts the chunks it scanned and whether it was closed.
 */
function slowHelper(random: () => number, givesBuffersBack = true) {
  const seen = { chunks: 0, closed: 0 };
  const pause = () => new Promise((r) => setTimeout(r, Math.floor(random() * 4)));
  const helper: Engine = {
    registerFile: async () => { throw new Error('a scan helper is only handed chunks'); },
    registerBuffer: async (name, bytes) => {
      await pause();
      seen.chunks++;
      const back = await second.registerBuffer!(name, bytes);
      return givesBuffersBack ? back : undefined;
    },
    dropFile: async (name) => { await pause(); await second.dropFile(name); },
    query: async (sql) => { await pause(); return second.query(sql); },
    exec: async (sql) => { await pause(); await second.exec(sql); },
    insertStrings: async () => { throw new Error('not used by a scan helper'); },
    queryArrow: async (sql) => { await pause(); return second.queryArrow!(sql); },
    close: async () => { seen.closed++; },
  };
  return { seen, start: async () => { await pause(); return helper; } };
}

const enc = new TextEncoder();

describe('record boundaries', () => {
  test('a line feed inside quotes is not a boundary; doubled quotes keep the parity', () => {
    const text = 'a,"x\n""y""\nz",b\nc,d\n"e\n';
    expect(firstRecordEnd(enc.encode(text))).toBe('a,"x\n""y""\nz",b\n'.length);
    expect(lastRecordEnd(enc.encode(text))).toBe('a,"x\n""y""\nz",b\nc,d\n'.length);
    expect(lastRecordEnd(enc.encode('"open\nstill open\n'))).toBe(0);
  });

  test('chunks put back together are the file, and each ends on a boundary', async () => {
    const text = 'h1,h2\r\n' + Array.from({ length: 200 }, (_, i) => `${i},"line ${i}\r\nwith ""quotes"" and é"\r\n`).join('');
    const file = new Blob([enc.encode(text)]);
    const start = firstRecordEnd(enc.encode(text));
    for (const size of [1, 7, 64, 1000]) {
      const parts: Uint8Array[] = [];
      for await (const c of csvChunks(file, start, size)) {
        parts.push(c.bytes);
        expect(lastRecordEnd(c.bytes)).toBe(c.bytes.length);
      }
      expect(new TextDecoder().decode(Buffer.concat(parts))).toBe(text.slice(start));
    }
  });

  test('an unterminated quote does not hold the rest of the file back forever', async () => {
    const text = 'h\n"never closed\n' + 'x\n'.repeat(50);
    const chunks: number[] = [];
    for await (const c of csvChunks(new Blob([enc.encode(text)]), 2, 16)) chunks.push(c.bytes.length);
    expect(chunks.reduce((a, b) => a + b, 0)).toBe(text.length - 2);
  });

  test('progress says bytes read and the time left', () => {
    expect(progressText(100e6, 400e6, 2000)).toBe('read 100.0 of 400.0 MB · about 6.0 s left');
    expect(progressText(400e6, 400e6, 8000)).toBe('read 400.0 of 400.0 MB');
  });
});

const FIXTURES = ['defender-iso.csv', 'defender-display.csv', 'sentinel-dayfirst.csv', 'sentinel-undecided.csv', 'bad-rows.csv',
  'hostile/hostile.csv', 'hostile/invalid-utf8.csv', 'windows/defender-overlap-a.csv'];

function facts(s: LoadedSource) {
  return {
    rowsRead: s.rowsRead, rejected: s.rejected, skipped: s.skipped, netRows: s.netRows, upn: s.upnNonEmpty, dayOrders: s.dayOrders,
    min: s.minTime === null ? null : formatTicks(s.minTime), max: s.maxTime === null ? null : formatTicks(s.maxTime),
  };
}

/**
 * The engine, counting the reads of copied-out candidate records, the chunks read again whole from the file, and
 * the chunks it scanned (the others were screened on the page).
 */
function countingRecordReads(inner: Engine, counts: { records: number; again: number; chunkScans?: number }, records = (bytes: Uint8Array) => bytes): Engine {
  return {
    ...inner,
    registerBuffer: (name, bytes) => inner.registerBuffer!(name, name.startsWith('lh-records-') ? records(bytes) : bytes),
    exec: async (sql) => {
      if (sql.includes('CREATE OR REPLACE TEMP TABLE lh_whole AS')) counts.records++;
      if (sql.startsWith('CREATE OR REPLACE TEMP TABLE lh_scan AS') && sql.includes("read_csv('lh-chunk-")) counts.chunkScans = (counts.chunkScans ?? 0) + 1;
      if (sql.includes("read_csv('lh-again-")) counts.again++;
      return inner.exec(sql);
    },
  };
}

describe('chunked loading equals one pass', () => {
  /** Pieces the later chunks' candidates went into the source's table in, per fixture (one row per piece here). */
  const pieces = new Map<string, number>();
  const reads = { records: 0, again: 0 };
  /** Per fixture, at 997-byte chunks: the chunks, and the chunk scans an engine ran. */
  const scanned = new Map<string, { chunks: number; scans: number }>();
  afterAll(() => {
    // The page screened every later chunk of the plain ISO exports itself (the engine scanned the first, which
    // makes the candidate table); the others' chunks (display or locale times, broken rows) went to the engine.
    const screenedAll = [...scanned].filter(([, s]) => s.chunks > 1 && s.scans === 1).map(([n]) => n);
    expect(screenedAll).toEqual(['defender-iso.csv', 'hostile/hostile.csv']);
    expect(scanned.get('defender-iso.csv')!.chunks).toBeGreaterThan(5);
    // Some fixture had candidates enough for several pieces (the engines kept the chunks: whole rows as Arrow).
    expect(Math.max(...pieces.values())).toBeGreaterThan(1);
    // Where the engine gives chunks back, later chunks' candidates were read from their copied-out records, and
    // every record read back as the row its chunk's scan packed: no chunk had to be read again.
    expect(reads.records).toBeGreaterThan(0);
    expect(reads.again).toBe(0);
  });
  for (const name of FIXTURES) {
    test(name, async () => {
      const content = readFileSync(new URL(`../fixtures/${name}`, import.meta.url));
      const once = (await loadAll(engine, [{ name, content }]))[0] as LoadedSource;
      expect(once.status).toBe('ready');
      const expected = facts(once);
      const params = { now: formatTicks(once.maxTime!), start: '36500d', threshold: 1 };
      const exported = alertsToJson((await detect(engine, [once], params)).alerts);
      // Record numbers order the events (source order) and name rows in messages: each candidate keeps its own.
      const candidates = (s: LoadedSource) => engine.query(`SELECT * FROM ${s.candidateTable} ORDER BY lh_rec`);
      const expectedCandidates = await candidates(once);
      for (const chunkBytes of [61, 997]) {
        const counts = { records: 0, again: 0, chunkScans: 0 };
        // Records read back in pieces of one candidate, at the smaller size.
        const chunked = (await loadAll(countingRecordReads(engine, counts), [{ name, content }], 0, { chunkBytes, handoverRows: chunkBytes === 61 ? 1 : undefined }))[0] as LoadedSource;
        reads.records += counts.records;
        reads.again += counts.again;
        if (chunkBytes === 997) scanned.set(name, { chunks: Math.ceil(content.length / chunkBytes), scans: counts.chunkScans });
        expect(chunked.status).toBe('ready');
        expect(facts(chunked), `${name} in ${chunkBytes}-byte chunks`).toEqual(expected);
        expect(alertsToJson((await detect(engine, [chunked], params)).alerts)).toBe(exported);
        expect(await candidates(chunked)).toEqual(expectedCandidates);
      }
      // Chunks spread over two engines, finishing out of order, are taken up in file order. Neither gives chunks
      // back, so every chunk's candidates come whole, as Arrow.
      const helper = slowHelper(seeded(name.length), false);
      let moves = 0;
      const counting: Engine = {
        ...engine,
        registerBuffer: async (n, bytes) => { await engine.registerBuffer!(n, bytes); },
        exec: async (sql) => { if (/^INSERT INTO lh_cand_\w+ BY NAME SELECT c\.\*/.test(sql)) moves++; return engine.exec(sql); },
      };
      const shared = (await loadAll(counting, [{ name, content }], 0, { chunkBytes: 61, handoverRows: 1, startScanEngine: helper.start, engineScansEveryChunk: true }))[0] as LoadedSource;
      pieces.set(name, moves);
      expect(shared.status).toBe('ready');
      expect(facts(shared), `${name} on two engines`).toEqual(expected);
      expect(alertsToJson((await detect(engine, [shared], params)).alerts)).toBe(exported);
      expect(await candidates(shared)).toEqual(expectedCandidates);
      expect(helper.seen.chunks).toBeGreaterThan(0);
      expect(helper.seen.closed).toBe(1);
      expect(await engine.query("SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'lh_part_%'")).toEqual([]);
    });
  }
});

describe('candidates read from copied-out records', () => {
  test('a file with a quote inside an unquoted field (DuckDB keeps it as a character) is read in one pass, exactly', async () => {
    const header = readFileSync(new URL('../fixtures/defender-iso.csv', import.meta.url), 'utf8').split('\n')[0];
    const time = (i: number) => `2024-10-18T14:${String(10 + Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}Z`;
    const row = (i: number, o: { device?: string; file?: string; cmd?: string; integrity?: string } = {}) => [
      time(i), `dev${i}`, o.device ?? `ws-${i}`, 'ProcessCreated', o.file ?? 'whoami.exe', `C:\\Windows\\System32\\${o.file ?? 'whoami.exe'}`, '1', String(1000 + i),
      o.cmd ?? 'whoami', o.integrity ?? 'Medium', time(i), 'contoso', 'j.doe', 'S-1-5-21-1', 'j.doe@contoso.com', '1', 'cmd.exe', '3004', 'cmd.exe', 'explorer.exe', String(i), '{}',
    ].join(',');
    const rows = Array.from({ length: 62 }, (_, k) => {
      const i = k + 1;
      if (i === 31) return row(i, { device: 'ws"S' });
      // A quoted command line whose second line looks like a row of its own, and another stray quote.
      if (i === 32) return row(i, { file: 'net.exe', cmd: `"net user /domain\n${time(i)},dev${i},ws-F,ProcessCreated,net.exe,C:\\x\\net.exe,1,1,net group"`, integrity: 'Med"ium' });
      return i % 10 === 0 ? row(i, { file: 'net.exe', cmd: 'net group /domain' }) : row(i);
    });
    const content = enc.encode(`${header}\n${rows.join('\n')}\n`);
    const name = 'stray-quotes.csv';
    const once = (await loadAll(engine, [{ name, content }]))[0] as LoadedSource;
    expect(once.status).toBe('ready');
    const candidates = (s: LoadedSource) => engine.query(`SELECT * FROM ${s.candidateTable} ORDER BY lh_rec`);
    const expectedCandidates = await candidates(once);
    expect(expectedCandidates.length).toBeGreaterThan(5);
    for (let chunkBytes = 400; chunkBytes <= 12_000; chunkBytes += 389) {
      let onePass = 0;
      const counting: Engine = { ...engine, exec: async (sql) => { if (sql.includes("lh_scan AS") && sql.includes("read_csv('lh-src-")) onePass++; return engine.exec(sql); } };
      const chunked = (await loadAll(counting, [{ name, content }], 0, { chunkBytes }))[0] as LoadedSource;
      expect(facts(chunked), `${chunkBytes}-byte chunks`).toEqual(facts(once));
      expect(await candidates(chunked), `${chunkBytes}-byte chunks`).toEqual(expectedCandidates);
      if (chunkBytes < content.length) expect(onePass, `${chunkBytes}-byte chunks`).toBe(1);
    }
  });

  test('records that do not read back as the rows the scan packed are read again from the file, whole', async () => {
    const name = 'defender-iso.csv';
    const content = readFileSync(new URL(`../fixtures/${name}`, import.meta.url));
    const once = (await loadAll(engine, [{ name, content }]))[0] as LoadedSource;
    const candidates = (s: LoadedSource) => engine.query(`SELECT * FROM ${s.candidateTable} ORDER BY lh_rec`);
    const counts = { records: 0, again: 0 };
    // The records arrive empty: none of the chunks' candidates can be paired with its whole row.
    const broken = countingRecordReads(engine, counts, () => new Uint8Array(0));
    const chunked = (await loadAll(broken, [{ name, content }], 0, { chunkBytes: 200, handoverRows: 2 }))[0] as LoadedSource;
    expect(counts.records).toBe(1);
    expect(counts.again).toBeGreaterThan(1);
    expect(facts(chunked)).toEqual(facts(once));
    expect(await candidates(chunked)).toEqual(await candidates(once));
  });
});

describe('chunks the page screens (chunk-screen.ts) read as the engine reads them', () => {
  /**
   * A random Defender-style export: quick ISO times of every fraction length, file names that are, nearly are or
   * hide net.exe, quoted fields with delimiters, doubled quotes and line feeds, empty and quoted-empty accounts,
   * blank lines, CRLF. Some files also hold what the page must leave to the engine: a row with one field too many,
   * a 30 February, a quoted or blank-padded time, `Invalid date`.
   */
  function randomExport(random: () => number, quirks: boolean): string {
    const pick = <T,>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
    const q = (v: string) => `"${v.replaceAll('"', '""')}"`;
    const field = (v: string) => (/[",\r\n]/.test(v) || random() < 0.1 ? q(v) : v);
    const time = () => {
      const digits = Math.floor(random() * 8);
      const fraction = digits === 0 ? '' : '.' + String(Math.floor(random() * 1e7)).padStart(7, '0').slice(0, digits);
      const day = pick(['2024-02-29', '2024-05-01', '2023-12-31', '2024-01-01']);
      return `${day}T${String(Math.floor(random() * 24)).padStart(2, '0')}:${String(Math.floor(random() * 60)).padStart(2, '0')}:${String(Math.floor(random() * 60)).padStart(2, '0')}${fraction}Z`;
    };
    const names = ['net.exe', 'net1.exe', 'NET.EXE', 'Net1.exe', 'xnet.exe', 'net.exe ', 'cmd.exe', 'nét.exe', 'net.exe.bak', '', 'whoami.exe'];
    const commands = ['net user /domain', 'net group "Domain Admins" /domain', 'net localgroup administrators', 'net accounts',
      'cmd /c "dir, /s"', 'net user "x""y", /add\nsecond line', 'whoami /all'];
    const eol = random() < 0.5 ? '\r\n' : '\n';
    const lines = ['Timestamp,DeviceName,FileName,ProcessVersionInfoOriginalFileName,ProcessCommandLine,AccountDomain,AccountName,AccountUpn,ReportId'];
    const n = 40 + Math.floor(random() * 60);
    for (let i = 0; i < n; i++) {
      const netRow = random() < 0.4;
      const upn = pick(['a@contoso.com', 'b@contoso.com', '', '""', ' ']);
      const cells = [time(), field(`ws-${i % 3}`), field(netRow ? pick(names.slice(0, 4)) : pick(names)), field(pick(['net.exe', '', 'NET1.EXE', 'whoami.exe'])),
        field(netRow ? pick(commands.slice(0, 4)) : pick(commands)), 'contoso', field(pick(['alice', 'bob', ''])), upn === '""' ? upn : field(upn), String(i)];
      if (quirks && random() < 0.08) {
        const quirk = Math.floor(random() * 5);
        if (quirk === 0) cells.push('extra');
        else if (quirk === 1) cells[0] = '2023-02-29T10:00:00Z';
        else if (quirk === 2) cells[0] = q(cells[0]!);
        else if (quirk === 3) cells[0] = ` ${cells[0]}`;
        else cells[0] = 'Invalid date';
      }
      lines.push(cells.join(','));
      // (Not with rejected rows: DuckDB's one-pass reject numbers count blank lines, a known difference.)
      if (!quirks && random() < 0.05) lines.push('');
    }
    return lines.join(eol) + eol;
  }

  /** Loads `content` in one pass and in small chunks (screened where the page can): the same outcome. */
  async function sameBothWays(name: string, content: string | Uint8Array, chunkBytes = 400, counts = { records: 0, again: 0 }) {
    const once = (await loadAll(engine, [{ name, content }]))[0]!;
    const chunked = (await loadAll(countingRecordReads(engine, counts), [{ name, content }], 0, { chunkBytes }))[0]!;
    expect(chunked.status, name).toBe(once.status);
    if (once.status !== 'ready' || chunked.status !== 'ready') return { once, chunked };
    expect(facts(chunked), name).toEqual(facts(once));
    const candidates = (s: LoadedSource) => engine.query(`SELECT * FROM ${s.candidateTable} ORDER BY lh_rec`);
    expect(await candidates(chunked), name).toEqual(await candidates(once));
    return { once, chunked };
  }
  const rowsOf = (n: number, row: (i: number) => string) => Array.from({ length: n }, (_, i) => row(i + 1));
  const header = 'Timestamp,FileName,ProcessCommandLine,AccountName,AccountUpn,AdditionalFields';
  const plain = (i: number) => `2024-05-01T10:${String(i % 60).padStart(2, '0')}:00Z,${i % 4 ? 'cmd.exe' : 'net.exe'},net user,u${i % 3},u${i % 3}@x,{}`;

  test('a truncated file whose last record is still inside quotes: its row is rejected as in one pass', async () => {
    const content = [header, ...rowsOf(40, plain), '2020-01-01T00:00:00Z,net.exe,net user,u1,u1@x,"{""truncated'].join('\n');
    const { once } = await sameBothWays('truncated.csv', content);
    expect(once.status === 'ready' && once.rejected.map((r) => r.count)).toEqual([1]);
  });

  test('a line that does not end as the header does is left to the engine, which reads it as in one pass', async () => {
    // An LF file with one row ending in CRLF after a quoted field: one pass rejects that row.
    const lf = [header, ...rowsOf(40, (i) => (i === 30 ? `${plain(i).slice(0, -2)}"x"\r` : plain(i)))].join('\n') + '\n';
    const { once } = await sameBothWays('mixed-lf.csv', lf);
    expect(once.status === 'ready' && once.rejected.map((r) => r.count)).toEqual([1]);
    // Endings one pass cannot read at all: the chunked load fails too, wherever the chunks are cut.
    for (const [name, content] of [
      ['crlf-blank-in-lf.csv', [header, ...rowsOf(20, plain), '\r', ...rowsOf(20, plain)].join('\n') + '\n'],
      ['lf-row-in-crlf.csv', [header, ...rowsOf(20, plain)].join('\r\n') + '\r\n' + plain(21) + '\n' + rowsOf(20, plain).join('\r\n') + '\r\n'],
    ] as const) for (const chunkBytes of [300, 400, 700]) await sameBothWays(name, content, chunkBytes);
  });

  test('a byte order mark inside a record stays part of its value', async () => {
    // FileName first: row 25's `\uFEFFnet.exe` is no net.exe, even when its record starts the candidates' records.
    const row = (i: number) => `${i === 25 ? '\uFEFFnet.exe' : i % 4 ? 'cmd.exe' : 'net.exe'},2024-05-01T10:${String(i % 60).padStart(2, '0')}:00Z,net user,u${i % 3},u${i % 3}@x,{}`;
    const content = ['FileName,Timestamp,ProcessCommandLine,AccountName,AccountUpn,AdditionalFields', ...rowsOf(40, row)].join('\n') + '\n';
    for (const chunkBytes of [300, 400, 1000]) {
      const { once } = await sameBothWays('bom.csv', content, chunkBytes);
      expect(once.status === 'ready' && once.netRows).toBe(10);
    }
    // The first data row (the start of the first chunk), and rows 5 or 9 to 40 (the start of later chunks, and of the
    // buffer of candidates' records): DuckDB would drop the mark at the start of a buffer, one pass keeps it.
    for (const bommed of [(i: number) => i === 1, (i: number) => i >= 5, (i: number) => i >= 9]) {
      const rows = rowsOf(40, (i) => (bommed(i) ? row(i).replace(/^[^,]*/, '\uFEFFnet.exe') : row(i)));
      const text = ['FileName,Timestamp,ProcessCommandLine,AccountName,AccountUpn,AdditionalFields', ...rows].join('\n') + '\n';
      for (const chunkBytes of [300, 400, 600]) {
        const counts = { records: 0, again: 0 };
        await sameBothWays('bom-starts.csv', text, chunkBytes, counts);
        // The candidates' records read back as the page saw them: no chunk is read again.
        expect(counts.again).toBe(0);
      }
    }
  });

  test('statistics, rejects, candidates and alerts equal one pass, on random exports with and without rows the page leaves to the engine', async () => {
    const random = seeded(2026);
    let screened = 0;
    let leftToEngine = 0;
    for (let round = 0; round < 12; round++) {
      const quirks = round % 3 === 2;
      const content = randomExport(random, quirks);
      const name = `random-${round}.csv`;
      const once = (await loadAll(engine, [{ name, content }]))[0] as LoadedSource;
      expect(once.status, name).toBe('ready');
      const candidates = (s: LoadedSource) => engine.query(`SELECT * FROM ${s.candidateTable} ORDER BY lh_rec`);
      const expectedCandidates = await candidates(once);
      const params = { now: formatTicks(once.maxTime!), start: '36500d', threshold: 1 };
      const exported = alertsToJson((await detect(engine, [once], params)).alerts);
      const chunkBytes = 300 + Math.floor(random() * 900);
      const counts = { records: 0, again: 0, chunkScans: 0 };
      const chunked = (await loadAll(countingRecordReads(engine, counts), [{ name, content }], 0, { chunkBytes }))[0] as LoadedSource;
      const what = `${name}, ${chunkBytes}-byte chunks`;
      expect(facts(chunked), what).toEqual(facts(once));
      expect(await candidates(chunked), what).toEqual(expectedCandidates);
      expect(alertsToJson((await detect(engine, [chunked], params)).alerts), what).toBe(exported);
      expect(counts.again, what).toBe(0);
      const chunks = Math.ceil(new TextEncoder().encode(content).length / chunkBytes);
      screened += chunks - counts.chunkScans;
      if (quirks) leftToEngine += counts.chunkScans - 1;
      else expect(counts.chunkScans, what).toBe(1);
    }
    // Both ways were taken many times.
    expect(screened).toBeGreaterThan(50);
    expect(leftToEngine).toBeGreaterThan(3);
  });
});

describe('times read by the quick ISO parser in later chunks', () => {
  /** A Defender export whose rows 1..n have the times `time(i)`; every third row runs net.exe. */
  const exportWith = (n: number, time: (i: number) => string) => ['Timestamp,DeviceName,FileName,ProcessCommandLine,AccountDomain,AccountName',
    ...Array.from({ length: n }, (_, i) => `${time(i + 1)},ws-${i % 4},${i % 3 ? 'cmd.exe' : 'net.exe'},"${i % 3 ? 'cmd /c dir' : 'net user /domain'}",contoso,user${i % 5}`)].join('\n') + '\n';
  const quick = (i: number) => `2024-05-01T10:${String(i % 60).padStart(2, '0')}:00.${String(1000000 + i * 7919).slice(1)}Z`;

  async function compare(content: string) {
    const once = (await loadAll(engine, [{ name: 'x.csv', content }]))[0] as LoadedSource;
    let scans = 0;
    const counting: Engine = { ...engine, exec: async (sql) => { if (sql.startsWith('CREATE OR REPLACE TEMP TABLE lh_scan AS')) scans++; return engine.exec(sql); } };
    const chunked = (await loadAll(counting, [{ name: 'x.csv', content }], 0, { chunkBytes: 500 }))[0] as LoadedSource;
    expect([once.status, chunked.status]).toEqual(['ready', 'ready']);
    expect(facts(chunked)).toEqual(facts(once));
    const params = { now: formatTicks(once.maxTime!), start: '36500d', threshold: 1 };
    const alerts = alertsToJson((await detect(engine, [once], params)).alerts);
    expect(JSON.parse(alerts).length).toBeGreaterThan(0);
    expect(alertsToJson((await detect(engine, [chunked], params)).alerts)).toBe(alerts);
    return { once, scans, chunks: Math.ceil(new TextEncoder().encode(content).length / 500) };
  }

  test('the quick form everywhere: each chunk is scanned once', async () => {
    const { once, scans, chunks } = await compare(exportWith(120, quick));
    expect(once.skipped).toEqual([]);
    expect(scans).toBeGreaterThan(10);
    expect(scans).toBeLessThanOrEqual(chunks + 1);
  });

  test('other ISO forms, offsets, blanks and unreadable times: the chunks holding them are scanned again, with the one-pass result', async () => {
    const others = ['2024-05-01 10:07:00Z', '2024-05-01T12:07:00+02:00', '2024-05-01T10:07:00.123456789Z', ' 2024-05-01T10:07:00Z', '2024-5-1T10:07Z', '', 'Invalid date', 'yesterday', '2024-02-30T10:00:00Z'];
    const time = (i: number) => (i % 11 === 5 ? others[Math.floor(i / 11) % others.length]! : quick(i));
    const { once, scans, chunks } = await compare(exportWith(120, time));
    // The unreadable times (not the blank one, nor `Invalid date`) are counted, with their rows.
    expect(once.rejected).toEqual([expect.objectContaining({ reason: 'unreadable Timestamp value (e.g. "yesterday")', count: 2, first: [82, 93] })]);
    expect(scans).toBeGreaterThan(chunks + 2);
  });

  test('display-style times, one unreadable: the quick parser does not apply, and no chunk is scanned twice', async () => {
    const time = (i: number) => (i === 50 ? 'yesterday' : `"May 1, 2024 ${1 + (i % 12)}:${String(i % 60).padStart(2, '0')}:00 PM"`);
    const { once, scans, chunks } = await compare(exportWith(120, time));
    expect(once.rejected).toEqual([expect.objectContaining({ count: 1, first: [50] })]);
    expect(scans).toBeLessThanOrEqual(chunks + 1);
  });
});

describe('rows that cannot be candidates are read narrow, with the same result', () => {
  const JSON_FIXTURES = ['rows.jsonl', 'streaming.jsonl', 'api.json', 'windows/nxlog.jsonl', 'windows/ecs.ndjson', 'tabular/device-process-events.xlsx'];
  for (const name of JSON_FIXTURES) {
    test(name, async () => {
      const content = readFileSync(new URL(`../fixtures/${name}`, import.meta.url));
      const whole = (await loadAll(engine, [{ name, content }], 0, { wholeRows: true }))[0] as LoadedSource;
      const narrow = (await loadAll(engine, [{ name, content }]))[0] as LoadedSource;
      expect([whole.status, narrow.status]).toEqual(['ready', 'ready']);
      expect({ ...facts(narrow), removed: narrow.removed }).toEqual({ ...facts(whole), removed: whole.removed });
      const params = { now: formatTicks(whole.maxTime!), start: '36500d', threshold: 1 };
      const a = alertsToJson((await detect(engine, [whole], params)).alerts);
      expect(alertsToJson((await detect(engine, [narrow], params)).alerts)).toBe(a);
      expect(JSON.parse(a).length).toBeGreaterThan(0);
    });
  }
});

describe('cancelling a load the page screens', () => {
  test('stops between chunks and leaves no table behind, without ever starting a helper', async () => {
    const content = readFileSync(new URL('../fixtures/defender-iso.csv', import.meta.url));
    const controller = new AbortController();
    let chunksTaken = 0;
    let helpers = 0;
    const before = await engine.query("SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'lh%' AND table_name <> 'lh_scan' ORDER BY 1");
    const result = await loadSource(
      { engine, prefilter: combinedPrefilter(), prefilterHint: combinedPrefilterHint(), chunkBytes: 200, signal: controller.signal,
        startScanEngine: async () => { helpers++; return engine; },
        onProgress: (_, bytes) => { if (bytes && ++chunksTaken === 5) controller.abort(); } },
      { file: new Blob([content]), name: 'defender-iso.csv', id: 9_002, ordinal: 9_002 },
    );
    expect(result).toMatchObject({ status: 'failed', problem: 'cancelled' });
    expect(chunksTaken).toBeLessThan(content.length / 200 - 5);
    expect(helpers).toBe(0);
    expect(await engine.query("SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'lh%' AND table_name <> 'lh_scan' ORDER BY 1")).toEqual(before);
  });
});

describe('cancelling a load read by two engines', () => {
  test('stops between chunks, closes the helper and leaves no table behind', async () => {
    const content = readFileSync(new URL('../fixtures/defender-iso.csv', import.meta.url));
    const helper = slowHelper(seeded(7));
    const controller = new AbortController();
    let scans = 0;
    // The shared engine cancels the load (as the page's Cancel button does) once a few chunks were scanned.
    const cancelling: Engine = { ...engine, exec: async (sql) => {
      if (sql.includes('lh_scan AS') && ++scans === 3) controller.abort();
      return engine.exec(sql);
    } };
    const before = await engine.query("SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'lh%' AND table_name <> 'lh_scan' ORDER BY 1");
    const result = await loadSource(
      { engine: cancelling, prefilter: combinedPrefilter(), chunkBytes: 61, signal: controller.signal, startScanEngine: helper.start },
      { file: new Blob([content]), name: 'defender-iso.csv', id: 9_001, ordinal: 9_001 },
    );
    expect(result).toMatchObject({ status: 'failed', problem: 'cancelled' });
    expect(helper.seen.closed).toBe(1);
    // Chunks were still to come when it stopped.
    expect(scans).toBeLessThan(content.length / 61);
    expect(await engine.query("SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'lh%' AND table_name <> 'lh_scan' ORDER BY 1")).toEqual(before);
  });
});
