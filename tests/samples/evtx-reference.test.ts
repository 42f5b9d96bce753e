/**
 * The EVTX reader against an independent implementation: Debian's python-evtx (williballenthin/python-evtx,
 * `apt-get install -y python3-evtx`). For our generated fixtures and the real files in ../shared/samples (read in
 * place, never copied), python-evtx exports every record as XML; the project's own Windows-XML reader turns that
 * into rows; and every field of every record (System and EventData) must agree with what readEvtx returns, as must
 * the record counts. Run: npx vitest run -c vitest.samples.config.ts tests/samples/evtx-reference.test.ts
 *
 * python-evtx renders some values differently from Windows (and from readEvtx, which follows Windows); only these
 * known differences are forgiven, each value-checked rather than skipped (see `sameLeaf`):
 * - it keeps attributes whose value is null (`Qualifiers=""`, `ActivityID=""`), which Windows leaves out;
 * - GUIDs in lowercase; hex numbers zero-padded (`0x00000000003b5e64`); size_t in decimal; booleans as `True`;
 *   binary as base64;
 * - times as `2019-05-24 01:33:53.112486`: through a float, rounded to microseconds (replayed exactly here), and
 *   a SYSTEMTIME's milliseconds put in the microseconds field;
 * - arrays of strings as `<string>` items in one element, where Windows repeats the element; elements whose
 *   dependency value is null written empty, where Windows leaves them out;
 * - CR LF in values, which XML parsing of its output turns into LF; control characters, which it drops.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, openAsBlob } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { readEvtx } from '../../src/lib/ingest/evtx-reader';
import { readWindowsEventXml } from '../../src/lib/ingest/windows-xml';

const ROOT = path.resolve(import.meta.dirname, '../..');
const FIXTURES = path.join(ROOT, 'tests/fixtures/evtx');
const SAMPLES = path.resolve(ROOT, '../shared/samples');

// Debian installs the module for its own interpreter; a python3 earlier on PATH (pyenv, venv) may not see it.
const PYTHON = ['/usr/bin/python3', 'python3'].find((bin) => {
  try {
    execFileSync(bin, ['-c', 'import Evtx.Evtx'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
});
if (PYTHON === undefined) {
  throw new Error('python-evtx is missing: this suite compares against it. Install it with `apt-get install -y python3-evtx` (Debian/Ubuntu).');
}

/** One JSON line per record of every full chunk: its chunk, whether python-evtx verifies it, and its XML or error. */
const EXPORT = `
import sys, json
import Evtx.Evtx as evtx
with evtx.Evtx(sys.argv[1]) as log:
    for i, chunk in enumerate(log.get_file_header().chunks()):
        try:
            ok = bool(chunk.verify())
        except Exception:
            ok = False
        try:
            for record in chunk.records():
                out = {'chunk': i, 'verified': ok, 'id': record.record_num()}
                try:
                    out['xml'] = record.xml()
                except Exception as e:
                    out['error'] = type(e).__name__
                print(json.dumps(out))
        except Exception as e:
            print(json.dumps({'chunk': i, 'verified': ok, 'chunkError': type(e).__name__}))
`;

interface PyRecord { chunk: number; verified: boolean; id?: number; xml?: string; error?: string; chunkError?: string }
type Row = Record<string, unknown>;

function pythonRecords(file: string): PyRecord[] {
  const out = execFileSync(PYTHON!, ['-c', EXPORT, file], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  return out.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as PyRecord);
}

async function xmlRow(xml: string): Promise<Row> {
  const rows: Row[] = [];
  for await (const b of readWindowsEventXml(new Blob([xml]), { batchRows: 10 })) {
    for (const item of b.items) {
      if (item.row === undefined) throw new Error(`python-evtx XML not readable: ${item.reject ?? item.skip}`);
      rows.push(item.row);
    }
  }
  if (rows.length !== 1) throw new Error(`expected one event in python-evtx's XML, got ${rows.length}`);
  return rows[0]!;
}

async function ourRows(file: string) {
  const items = [];
  const problems = [];
  for await (const b of readEvtx(await openAsBlob(file), { batchRows: 5000 })) {
    items.push(...b.items);
    problems.push(...b.problems);
  }
  return { items, problems };
}

const system = (row: Row) => (row.Event as Row).System as Row;
const eventData = (row: Row) => ((row.Event as Row).EventData ?? {}) as Row;
const text = (v: unknown): string => (typeof v === 'string' ? v : String((v as Row)['#text'] ?? ''));
const eventId = (row: Row) => text(system(row).EventID);
const recordId = (row: Row) => text(system(row).EventRecordID);
const isProcessCreation = (row: Row) => {
  const channel = text(system(row).Channel);
  return (eventId(row) === '1' && channel === 'Microsoft-Windows-Sysmon/Operational') || (eventId(row) === '4688' && channel === 'Security');
};
const isNetEvent = (row: Row) => {
  if (!isProcessCreation(row)) return false;
  const image = text(eventData(row)[eventId(row) === '1' ? 'Image' : 'NewProcessName']).toLowerCase();
  return image.endsWith('\\net.exe') || image.endsWith('\\net1.exe');
};

/** python-evtx keeps null attributes as `=""`; Windows (and readEvtx) leave them out. */
function dropEmptyAttributes(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const obj: Row = {};
  for (const [k, v] of Object.entries(value as Row)) {
    if (k === '#attributes') {
      const attrs = Object.fromEntries(Object.entries(v as Row).filter(([, a]) => a !== ''));
      if (Object.keys(attrs).length > 0) obj[k] = attrs;
    } else {
      obj[k] = dropEmptyAttributes(v);
    }
  }
  const keys = Object.keys(obj);
  if (keys.length === 0) return '';
  if (keys.length === 1 && keys[0] === '#text') return obj['#text'];
  return obj;
}

const OUR_TIME = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)\.(\d{7})Z$/;
const PY_TIME = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d{6}))?$/;
const FILETIME_UNIX_SECONDS = 11644473600n;

/** Python's round(): halves to even. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * python-evtx's text for a FILETIME, computed the way it does: `datetime.utcfromtimestamp(float(ticks) * 1e-7 -
 * 11644473600)`, i.e. through one 64-bit float (both languages use IEEE doubles, so the result is the same to the
 * bit), then rounded to microseconds, halves to even. Our text keeps every tick, so python's can be derived exactly.
 */
function pythonFileTime(date: string, time: string, fraction7: string): string {
  const ticks = (BigInt(Date.parse(`${date}T${time}Z`) / 1000) + FILETIME_UNIX_SECONDS) * 10_000_000n + BigInt(fraction7);
  const t = Number(ticks) * 1e-7 - 11644473600;
  let seconds = Math.trunc(t);
  let us = roundHalfEven((t - seconds) * 1e6);
  if (us >= 1_000_000) {
    seconds += 1;
    us -= 1_000_000;
  }
  const iso = new Date(seconds * 1000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${us === 0 ? '' : `.${String(us).padStart(6, '0')}`}`;
}

/** Which known rendering difference makes two leaves the same value, '' if equal, or null if they differ. */
function sameLeaf(ours: string, theirs: string): string | null {
  if (ours === theirs) return '';
  if (/^\{[0-9A-F-]{36}\}$/.test(ours) && ours.toLowerCase() === theirs) return 'GUID in lowercase';
  if (/^0x[0-9a-f]+$/.test(ours)) {
    if (/^0x[0-9a-f]+$/.test(theirs) && BigInt(ours) === BigInt(theirs)) return 'hex zero-padded';
    if (/^\d+$/.test(theirs) && BigInt(ours) === BigInt(theirs)) return 'size_t in decimal';
  }
  // python-evtx drops the characters XML 1.1 restricts (\x01-\x08, \x0B, \x0C, \x0E-\x1F, \x7F-\x84, \x86-\x9F).
  if (ours.replace(/[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f]/g, '') === theirs) return 'control characters dropped';
  if ((ours === 'true' && theirs === 'True') || (ours === 'false' && theirs === 'False')) return 'boolean capitalised';
  if (/^[0-9A-F]+$/.test(ours) && ours.length % 2 === 0 && Buffer.from(theirs, 'base64').toString('hex').toUpperCase() === ours) return 'binary as base64';
  const o = OUR_TIME.exec(ours);
  if (o && PY_TIME.test(theirs)) {
    if (pythonFileTime(o[1]!, o[2]!, o[3]!) === theirs) return 'time through a float, to the microsecond';
    // python-evtx's SYSTEMTIME puts the milliseconds into the microseconds field.
    if (o[3]!.endsWith('0000') && theirs === `${o[1]} ${o[2]}.000${o[3]!.slice(0, 3)}`) return 'SYSTEMTIME milliseconds as microseconds';
  }
  return null;
}

const STRING_ARRAY = /^(?:<string>[\s\S]*?<\/string>\n)+$/;

/**
 * python-evtx writes an array of strings as `<string>a</string>\n<string>b</string>\n` text inside one element;
 * Windows repeats the element once per item (MS-EVEN6 3.1.4.7.5), which the XML rule numbers `Data`, `Data1`….
 * Rebuild python's object the Windows way, numbering repeated keys as tree.ts does.
 */
function expandStringArrays(theirs: Row, rules: Map<string, number>): Row {
  if (!Object.values(theirs).some((v) => typeof v === 'string' && STRING_ARRAY.test(v))) return theirs;
  const out: Row = {};
  const add = (key: string, value: unknown) => {
    let k = key;
    for (let n = 1; Object.hasOwn(out, k); n++) k = `${key}${n}`;
    out[k] = value;
  };
  for (const [key, value] of Object.entries(theirs)) {
    const base = key.replace(/\d+$/, '');
    if (typeof value === 'string' && STRING_ARRAY.test(value)) {
      for (const m of value.matchAll(/<string>([\s\S]*?)<\/string>\n/g)) add(base, m[1]);
      rules.set('string array as <string> items', (rules.get('string array as <string> items') ?? 0) + 1);
    } else {
      add(/^Data\d+$/.test(key) ? 'Data' : key, value);
    }
  }
  return out;
}

/** Differences between our row and python-evtx's, as `path: ours ≠ theirs`; known rendering differences counted in `rules`. */
function compare(ours: unknown, theirs: unknown, at: string, rules: Map<string, number>, out: string[]): void {
  const count = (rule: string) => rules.set(rule, (rules.get(rule) ?? 0) + 1);
  if (typeof ours === 'string' && typeof theirs === 'string') {
    let rule = sameLeaf(ours, theirs);
    // XML parsing turns python's raw CR LF into LF; readEvtx keeps the value as stored.
    if (rule === null && ours.includes('\r') && sameLeaf(ours.replace(/\r\n?/g, '\n'), theirs) !== null) rule = 'line ends normalised by XML parsing';
    if (rule === null) out.push(`${at}: ${JSON.stringify(ours)} ≠ python ${JSON.stringify(theirs)}`);
    else if (rule !== '') count(rule);
    return;
  }
  // An element whose dependency value is null: Windows leaves it out, python-evtx writes it empty.
  if (ours === undefined && theirs === '') {
    count('element left out by its null dependency (python-evtx keeps it empty)');
    return;
  }
  if (typeof ours !== 'object' || ours === null || typeof theirs !== 'object' || theirs === null) {
    out.push(`${at}: ${JSON.stringify(ours)} ≠ python ${JSON.stringify(theirs)}`);
    return;
  }
  const expanded = expandStringArrays(theirs as Row, rules);
  const keys = new Set([...Object.keys(ours), ...Object.keys(expanded)]);
  for (const k of keys) compare((ours as Row)[k], expanded[k], `${at}.${k}`, rules, out);
}

interface Case {
  file: string;
  /** Records readEvtx yields (rows and rejects). */
  records: number;
  /** Records python-evtx yields from chunks it verifies. */
  python: number;
  /** EventRecordIDs we read that python-evtx does not give (chunks it ignores or cannot verify), with why. */
  extra?: Record<string, string>;
  /** EventRecordIDs whose XML python-evtx cannot produce, with why: compared by count only. */
  pythonFails?: number;
  processCreation: number;
  net: number;
  problems: number;
}

const FIXTURE_CASES: Case[] = [
  { file: 'contoso-clean.evtx', records: 6, python: 6, processCreation: 5, net: 4, problems: 0 },
  { file: 'contoso-dirty.evtx', records: 6, python: 5, extra: { 48231: 'past the recorded end of chunk 1 (python-evtx stops there)' }, processCreation: 5, net: 4, problems: 0 },
  { file: 'contoso-corrupt-chunk.evtx', records: 3, python: 3, processCreation: 3, net: 3, problems: 1 },
  {
    file: 'contoso-truncated.evtx', records: 5, python: 3,
    extra: { 902312: 'in the cut-short last chunk (python-evtx reads full chunks only)', 48230: 'same' },
    processCreation: 5, net: 4, problems: 2,
  },
  // python-evtx cannot render the second event (it reads CDATA lengths as bytes and ANSI as ASCII).
  { file: 'value-types.evtx', records: 2, python: 2, pythonFails: 1, processCreation: 0, net: 0, problems: 0 },
];

// Counts from ../shared/samples/README.md (records; net events there count process-creation rows, net.exe and net1.exe).
const SAMPLE_CASES: Case[] = [
  { file: 'evtx-attack-samples/LM_typical_IIS_webshell_sysmon_1_10_traces.evtx', records: 4, python: 4, processCreation: 3, net: 2, problems: 0 },
  { file: 'evtx-attack-samples/PanacheSysmon_vs_AtomicRedTeam01.evtx', records: 565, python: 565, processCreation: 511, net: 3, problems: 0 },
  { file: 'evtx-attack-samples/Sysmon 7 dllhijack_cdpsshims_CDPSvc.evtx', records: 13, python: 13, processCreation: 9, net: 2, problems: 0 },
  { file: 'sigma/grixba_recon_af688c76-4ce4-4309-bfdd-e896f01acf27.evtx', records: 1, python: 1, processCreation: 1, net: 0, problems: 0 },
];

async function check(c: Case, file: string): Promise<void> {
  const [{ items, problems }, py] = await Promise.all([ourRows(file), Promise.resolve(pythonRecords(file))]);
  expect(items.filter((i) => i.reject !== undefined).map((i) => i.reject)).toEqual([]);
  expect(items.length).toBe(c.records);
  expect(problems.length).toBe(c.problems);

  const rows = new Map<string, Row>();
  for (const item of items) {
    const id = recordId(item.row!);
    expect(rows.has(id), `EventRecordID ${id} appears twice`).toBe(false);
    rows.set(id, item.row!);
  }
  const verified = py.filter((r) => r.verified && r.chunkError === undefined);
  expect(verified.length).toBe(c.python);
  expect(verified.filter((r) => r.error !== undefined).length).toBe(c.pythonFails ?? 0);

  const rules = new Map<string, number>();
  const diffs: string[] = [];
  const matched = new Set<string>();
  for (const r of verified) {
    if (r.xml === undefined) continue;
    const theirs = dropEmptyAttributes(await xmlRow(r.xml)) as Row;
    const id = recordId(theirs);
    const ours = rows.get(id);
    if (ours === undefined) {
      diffs.push(`EventRecordID ${id}: python-evtx has it, readEvtx does not`);
      continue;
    }
    matched.add(id);
    compare(ours, theirs, `EventRecordID ${id} Event`, rules, diffs);
  }
  expect(diffs).toEqual([]);
  const unmatched = [...rows.keys()].filter((id) => !matched.has(id));
  const failedInPython = (c.pythonFails ?? 0);
  expect(unmatched.length - failedInPython).toBe(Object.keys(c.extra ?? {}).length);
  for (const id of Object.keys(c.extra ?? {})) expect(unmatched).toContain(id);

  const ourRowsList = [...rows.values()];
  expect(ourRowsList.filter(isProcessCreation).length).toBe(c.processCreation);
  expect(ourRowsList.filter(isNetEvent).length).toBe(c.net);
  // Each forgiven difference is one python-evtx is known for, never a silent skip.
  console.log(`${path.basename(file)}: ${matched.size} records equal to python-evtx's (${ourRowsList.filter(isProcessCreation).length} Sysmon 1 / 4688)` +
    (rules.size > 0 ? `; python-evtx renderings forgiven: ${[...rules].map(([r, n]) => `${r} ×${n}`).join(', ')}` : ''));
}

describe('readEvtx agrees with python-evtx on the generated fixtures', () => {
  for (const c of FIXTURE_CASES) test(c.file, () => check(c, path.join(FIXTURES, c.file)), 180_000);
});

describe('readEvtx agrees with python-evtx on the real samples (../shared/samples, read in place)', () => {
  for (const c of SAMPLE_CASES) {
    test(c.file, () => {
      const file = path.join(SAMPLES, c.file);
      if (!existsSync(file)) throw new Error(`${file} is missing: this suite needs the shared samples folder beside the project.`);
      return check(c, file);
    }, 300_000);
  }
});
