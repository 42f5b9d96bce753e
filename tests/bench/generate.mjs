// Synthetic Defender DeviceProcessEvents exports for the scale benchmark (issue 6), as CSV and as JSON lines.
//
//   node tests/bench/generate.mjs --rows 1000000 [--out-dir bench-data] [--formats csv,jsonl]
//
// Writes <out-dir>/dpe-<rows>.csv, dpe-<rows>.jsonl (the same rows, in the same order) and dpe-<rows>.meta.json
// (generator version, seed, sizes, what the detection should find). Deterministic: the same arguments give the same
// bytes, whichever formats are asked for. Streaming: rows are serialised into ~1 MiB pieces and written with
// back-pressure, so a 6M-row (~4 GB) file never sits in memory.
//
// What the rows look like, and why:
// - The 24 columns of stack-notes §5 (the portal writes the columns the query projected), in the Advanced Hunting
//   CSV style: ISO times with 7 fractional digits and a Z, RFC 4180 quoting only where needed, `""` for a quote,
//   `\n` line ends (as the portal sample in public/sample). Command lines are 30–300 characters, many quoted;
//   about one row in 20,000 has a PowerShell command line with an embedded line break, which real exports have and
//   which any chunked reader must cut around.
// - Hashes belong to images (the same chrome.exe has the same SHA256 everywhere), device ids to devices, object ids
//   to users, as in real data. About a quarter of the rows run as NT AUTHORITY\SYSTEM with no AccountUpn.
// - ~1% of rows are net.exe / net1.exe (net1 started by net, as Windows does), with `net user|group|localgroup|
//   accounts` (counted by the detection) and `net view|use|start|time|share` (not counted), spread over the users.
// - On top of that, a few accounts run a burst of discovery commands (a recon script) in the last days of the
//   export: they reach the default threshold (10 per 1-day bin) whatever the file size, so every size has a few
//   alerts at the default parameters. One burst lies before the default StartTime window and must not alert.
// - The account and device populations grow with the row count (a bigger export is a bigger tenant), so the
//   background rate per account stays below the threshold and the alert count is about the same at 100k and 6M.
import { createWriteStream, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Bump when the rows change: the bench regenerates files whose meta file names another version. */
export const GENERATOR_VERSION = 2;
export const DEFAULT_SEED = 0x6c6f6361; // "loca"

export const COLUMNS = ['Timestamp', 'DeviceId', 'DeviceName', 'ActionType', 'FileName', 'FolderPath', 'SHA1', 'SHA256', 'MD5', 'ProcessId',
  'ProcessCommandLine', 'ProcessIntegrityLevel', 'ProcessCreationTime', 'AccountDomain', 'AccountName', 'AccountSid', 'AccountUpn',
  'AccountObjectId', 'LogonId', 'InitiatingProcessFileName', 'InitiatingProcessCommandLine', 'InitiatingProcessId',
  'InitiatingProcessAccountName', 'ReportId'];
/** Columns the Advanced Hunting API returns as JSON numbers (Kusto `long`); every other one is a string. */
const NUMERIC = new Set(['ProcessId', 'LogonId', 'InitiatingProcessId', 'ReportId']);

export const paths = (outDir, rows) => ({
  csv: join(outDir, `dpe-${rows}.csv`),
  jsonl: join(outDir, `dpe-${rows}.jsonl`),
  meta: join(outDir, `dpe-${rows}.meta.json`),
});

/** sfc32: small, fast, and good enough; seeded so that every run writes the same bytes. */
function makeRng(seed) {
  let a = 0x9e3779b9, b = 0x243f6a88, c = 0xb7e15162, d = seed >>> 0;
  const next = () => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 16; i++) next();
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = (xs) => xs[Math.floor(next() * xs.length)];
  const hex = (n) => { let s = ''; for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(next() * 16)]; return s; };
  const guid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[int(0, 3)]}${hex(3)}-${hex(12)}`;
  return { next, int, pick, hex, guid };
}

/** Cumulative weights → a picker; `items` are [weight, value]. */
function weighted(rng, items) {
  const total = items.reduce((s, [w]) => s + w, 0);
  const cumulative = [];
  let acc = 0;
  for (const [w, v] of items) { acc += w / total; cumulative.push([acc, v]); }
  return () => {
    const x = rng.next();
    for (const [c, v] of cumulative) if (x < c) return v;
    return cumulative[cumulative.length - 1][1];
  };
}

const FIRST = ['adele', 'alex', 'allan', 'bianca', 'christie', 'debra', 'diego', 'emily', 'enrico', 'grady', 'henrietta', 'irvin', 'isaiah',
  'johanna', 'joni', 'józef', 'lee', 'lidia', 'lynne', 'megan', 'miriam', 'nestor', 'patti', 'pradeep', 'raul', 'søren', 'zoë', 'wei', 'yuki', 'amara'];
const LAST = ['vance', 'wilber', 'deyoung', 'cline', 'berg', 'varga', 'soto', 'braun', 'gomez', 'archie', 'cellars', 'sherman', 'langer',
  'lauer', 'sherman', 'müller', 'gu', 'holloway', 'gibbons', 'bowen', 'hamilton', 'wilke', 'fernandez', 'gupta', 'tanaka', 'okafor', 'nakamura'];
const DEPARTMENTS = ['SALES', 'FIN', 'HR', 'DEV', 'OPS', 'LEGAL', 'MKT', 'IT'];

function makeUsers(rng, count) {
  const users = [];
  const seen = new Set();
  for (let i = 0; users.length < count; i++) {
    const first = FIRST[i % FIRST.length];
    const last = LAST[Math.floor(i / FIRST.length) % LAST.length];
    const round = Math.floor(i / (FIRST.length * LAST.length));
    const upnName = `${first}.${last}${round ? round + 1 : ''}`;
    if (seen.has(upnName)) continue;
    seen.add(upnName);
    const sam = `${first[0]}${last}${round ? round + 1 : ''}`.slice(0, 20);
    users.push({ name: sam, upn: `${upnName}@contoso.com`, sid: `S-1-5-21-1004336348-1177238915-682003330-${1104 + i}`, objectId: rng.guid() });
  }
  return users;
}

function makeDevices(rng, count) {
  return Array.from({ length: count }, (_, i) => ({
    name: i % 25 === 0 ? `SRV-${String(i / 25 + 1).padStart(3, '0')}.contoso.com` : `WS-${DEPARTMENTS[i % DEPARTMENTS.length]}-${String(i).padStart(4, '0')}.contoso.com`,
    id: rng.hex(40),
  }));
}

/**
 * The images a workstation runs. `cmd` writes a command line from the row's context; `system` images run as
 * NT AUTHORITY\SYSTEM; `parent` is the initiating process.
 */
function makeImages(rng) {
  const image = (file, folder, integrity, system, cmd, parent) => ({ file, folder, integrity, system, cmd, parent, sha1: rng.hex(40), sha256: rng.hex(64), md5: rng.hex(32) });
  const explorer = { file: 'explorer.exe', cmd: () => 'C:\\Windows\\Explorer.EXE' };
  const services = { file: 'services.exe', cmd: () => 'C:\\Windows\\system32\\services.exe' };
  const svchostParent = { file: 'svchost.exe', cmd: () => 'C:\\Windows\\system32\\svchost.exe -k DcomLaunch -p' };
  const chromeParent = { file: 'chrome.exe', cmd: () => '"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe" --restore-last-session' };
  const edgeParent = { file: 'msedge.exe', cmd: () => '"C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe" --profile-directory=Default' };
  const cmdParent = { file: 'cmd.exe', cmd: () => 'C:\\Windows\\system32\\cmd.exe' };
  const msmpeng = { file: 'MsMpEng.exe', cmd: () => '"C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24030.9-0\\MsMpEng.exe"' };
  const r = rng;
  const chrome = 'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe';
  const edge = 'C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe';
  const ps = 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe';
  const mp = 'C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24030.9-0\\MpCmdRun.exe';
  return [
    [22, image('chrome.exe', chrome, 'Low', false, () => `"${chrome}" --type=renderer --lang=en-US --device-scale-factor=1 --num-raster-threads=4 --renderer-client-id=${r.int(5, 400)} --time-ticks-at-unix-epoch=-${r.int(1e15, 9e15)} --field-trial-handle=${r.int(1000, 9999)},i,${r.int(1e15, 9e15)},${r.int(1e15, 9e15)},262144 --mojo-platform-channel-handle=${r.int(1000, 9999)} /prefetch:1`, chromeParent)],
    [12, image('msedge.exe', edge, 'Low', false, () => `"${edge}" --type=utility --utility-sub-type=network.mojom.NetworkService --lang=en-US --service-sandbox-type=none --field-trial-handle=${r.int(1000, 9999)},i,${r.int(1e15, 9e15)},${r.int(1e15, 9e15)},262144 --variations-seed-version /prefetch:3`, edgeParent)],
    [14, image('svchost.exe', 'C:\\Windows\\System32\\svchost.exe', 'System', true, () => `C:\\Windows\\system32\\svchost.exe ${r.pick(['-k netsvcs -p -s Schedule', '-k LocalServiceNetworkRestricted -p -s Dhcp', '-k NetworkService -p -s Dnscache', '-k wsappx -p -s AppXSvc', `-k UnistackSvcGroup -s CDPUserSvc_${r.hex(5)}`, '-k LocalSystemNetworkRestricted -p -s SysMain'])}`, services)],
    [8, image('powershell.exe', ps, 'Medium', false, (u) => `powershell.exe -NoProfile -ExecutionPolicy Bypass -Command "Get-ChildItem -Path 'C:\\Users\\${u.name}\\Documents' -Filter *.xlsx | Where-Object { $_.Length -gt ${r.int(1000, 900000)} } | Select-Object Name, Length, LastWriteTime"`, explorer)],
    [8, image('cmd.exe', 'C:\\Windows\\System32\\cmd.exe', 'Medium', false, (u) => r.next() < 0.5
      ? `C:\\Windows\\system32\\cmd.exe /c ""C:\\Users\\${u.name}\\AppData\\Local\\Programs\\Git\\cmd\\git.exe" fetch --all --prune --quiet"`
      : `cmd.exe /c "dir /s /b "C:\\Users\\${u.name}\\Desktop\\Q${r.int(1, 4)} report, final.docx" > %TEMP%\\list-${r.int(1, 99999)}.txt"`, explorer)],
    [6, image('conhost.exe', 'C:\\Windows\\System32\\conhost.exe', 'Medium', false, () => '\\??\\C:\\Windows\\system32\\conhost.exe 0xffffffff -ForceV1', cmdParent)],
    [4, image('OUTLOOK.EXE', 'C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE', 'Medium', false, () => `"C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE" /recycle`, explorer)],
    [4, image('Teams.exe', 'C:\\Users\\Public\\AppData\\Local\\Microsoft\\Teams\\current\\Teams.exe', 'Medium', false, (u) => `"C:\\Users\\${u.name}\\AppData\\Local\\Microsoft\\Teams\\current\\Teams.exe" --type=renderer --autoplay-policy=no-user-gesture-required --disable-background-timer-throttling --field-trial-handle=${r.int(1000, 9999)},${r.int(1e6, 9e6)},${r.int(1e9, 9e9)} --lang=en-US --renderer-client-id=${r.int(5, 40)} /prefetch:1`, explorer)],
    [4, image('MpCmdRun.exe', mp, 'System', true, () => `"${mp}" ${r.pick(['SignatureUpdate -ScheduleJob -RestrictPrivileges -DailyReport', 'Scan -ScheduleJob -ScanTrigger 55 -IdleScheduledJob', 'wdenable'])}`, msmpeng)],
    [3, image('git.exe', 'C:\\Program Files\\Git\\mingw64\\bin\\git.exe', 'Medium', false, () => `"C:\\Program Files\\Git\\mingw64\\bin\\git.exe" ${r.pick(['status --porcelain=v2 --branch', 'log -n 20 --pretty=format:"%h %an, %s"', 'fetch origin --prune'])}`, cmdParent)],
    [3, image('python.exe', 'C:\\Program Files\\Python311\\python.exe', 'Medium', false, () => `"C:\\Program Files\\Python311\\python.exe" -m pip install --upgrade "requests>=2.31,<3" --index-url https://pypi.org/simple`, cmdParent)],
    [3, image('rundll32.exe', 'C:\\Windows\\System32\\rundll32.exe', 'Medium', false, () => `C:\\Windows\\system32\\rundll32.exe C:\\Windows\\system32\\shell32.dll,SHCreateLocalServerRunDll {9aa46009-3ce0-458a-a354-715610a075e6} -Embedding`, svchostParent)],
    [3, image('WmiPrvSE.exe', 'C:\\Windows\\System32\\wbem\\WmiPrvSE.exe', 'System', true, () => 'C:\\Windows\\system32\\wbem\\wmiprvse.exe -secured -Embedding', svchostParent)],
    [3, image('taskhostw.exe', 'C:\\Windows\\System32\\taskhostw.exe', 'Medium', false, () => `taskhostw.exe ${r.pick(['KEYROAMING', 'Install $(Arg0)', 'SYSTEM'])}`, svchostParent)],
    [2, image('backgroundTaskHost.exe', 'C:\\Windows\\System32\\backgroundTaskHost.exe', 'Low', false, () => `"C:\\Windows\\system32\\backgroundTaskHost.exe" -ServerName:BackgroundTaskHost.WebAccountProvider`, svchostParent)],
    [2, image('SearchProtocolHost.exe', 'C:\\Windows\\System32\\SearchProtocolHost.exe', 'System', true, () => {
      const n = r.int(1, 99);
      return `"C:\\Windows\\system32\\SearchProtocolHost.exe" Global\\UsGthrFltPipeMssGthrPipe${n}_ Global\\UsGthrCtrlFltPipeMssGthrPipe${n} 1 -2147483646 "Software\\Microsoft\\Windows Search" "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT; MS Search 4.0 Robot)" "C:\\ProgramData\\Microsoft\\Search\\Data\\Temp\\usgthrsvc" "DownLevelDaemon"`;
    }, { file: 'SearchIndexer.exe', cmd: () => 'C:\\Windows\\system32\\SearchIndexer.exe /Embedding' })],
  ];
}

/** `net` sub-commands: the first four are what the detection counts (`has` user/group/localgroup/accounts). */
const COUNTED = ['user', 'user /domain', 'group "Domain Admins" /domain', 'group /domain', 'localgroup administrators', 'accounts', 'accounts /domain'];
const NOT_COUNTED = ['view \\\\FS01', 'use Z: \\\\FS01\\share /persistent:no', 'start', 'time \\\\DC01', 'share', 'session'];

/**
 * Recon bursts: [fraction of the file where the burst starts, hot account index, net command pairs]. Each pair is a
 * net.exe row and the net1.exe row it starts, both counted. The export spans 14 days and the default window starts
 * at the start of the day two days before the last event, i.e. at 12/14 ≈ 0.857 of the file; 0.30 is outside it.
 * No burst starts within a few rows of a midnight (k/14), so each one falls in one daily bin.
 */
const BURSTS = [[0.30, 0, 9], [0.88, 0, 8], [0.90, 1, 6], [0.915, 2, 12], [0.94, 3, 7], [0.955, 4, 20], [0.975, 5, 5], [0.99, 1, 9]];
const SPAN_MS = 14 * 86_400_000;
const START_MS = Date.UTC(2024, 4, 1);

/** RFC 4180 quoting, as the portal writes it: only fields that need it, `"` doubled. */
const csvField = (s) => (/[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);

/**
 * Yields every row as an array of strings (column order of COLUMNS). Everything random comes from one seeded
 * generator, in a fixed order, so the rows do not depend on the output formats.
 */
export function* rowsOf(rows, seed = DEFAULT_SEED) {
  const rng = makeRng(seed);
  const users = makeUsers(rng, Math.max(200, Math.round(rows / 2500)));
  const devices = makeDevices(rng, Math.max(150, Math.round(rows / 4000)));
  const hot = [0, 1, 2, 3, 4, 5].map((k) => users[(k * 37 + 11) % users.length]);
  const pickImage = weighted(rng, makeImages(rng));
  const netImage = { folder: 'C:\\Windows\\System32\\net.exe', sha1: rng.hex(40), sha256: rng.hex(64), md5: rng.hex(32) };
  const net1Image = { folder: 'C:\\Windows\\System32\\net1.exe', sha1: rng.hex(40), sha256: rng.hex(64), md5: rng.hex(32) };
  const system = { name: 'system', domain: 'nt authority', sid: 'S-1-5-18', upn: '', objectId: '' };
  const bursts = new Map(BURSTS.map(([f, who, pairs]) => [Math.floor(f * rows), { user: hot[who], pairs }]));

  let second = -1;
  let secondText = '';
  let pending = []; // rows already decided (net1 children, burst rows), emitted before any new one
  for (let i = 0; i < rows; i++) {
    const ms = START_MS + Math.floor((i / rows) * SPAN_MS);
    const s = Math.floor(ms / 1000);
    if (s !== second) { second = s; secondText = new Date(s * 1000).toISOString().slice(0, 19); }
    const time = `${secondText}.${String(rng.int(0, 9_999_999)).padStart(7, '0')}Z`;
    const device = devices[rng.int(0, devices.length - 1)];
    const reportId = String(i + 1);
    const burst = bursts.get(i);
    if (burst) for (let p = 0; p < burst.pairs; p++) pending.push({ user: burst.user, command: rng.pick(COUNTED), device });

    let row;
    if (pending.length > 0) {
      row = netRow(pending.shift(), time, reportId);
    } else if (rng.next() < 0.005) {
      // A background net command, and its net1 child on the next row.
      const user = users[rng.int(0, users.length - 1)];
      const command = rng.next() < 0.6 ? rng.pick(COUNTED) : rng.pick(NOT_COUNTED);
      row = netRow({ user, command, device }, time, reportId);
    } else {
      const img = pickImage();
      const account = img.system ? system : users[rng.int(0, users.length - 1)];
      let cmd = img.cmd(account);
      // Rarely, a multi-line PowerShell command (quoted, with an embedded line break).
      if (!img.system && rng.next() < 0.00005) cmd = `powershell.exe -NoProfile -Command "$ErrorActionPreference = 'Stop'\n Get-Service -Name ""WinRM"" | Restart-Service -Force"`;
      const pid = String(rng.int(1000, 65000));
      row = [time, device.id, device.name, 'ProcessCreated', img.file, img.folder, img.sha1, img.sha256, img.md5, pid, cmd, img.integrity, time,
        account.domain ?? 'contoso', account.name, account.sid, account.upn, account.objectId, String(img.system ? 999 : rng.int(100000, 9999999)),
        img.parent.file, img.parent.cmd(), String(rng.int(1000, 65000)), account.name, reportId];
    }
    yield row;
  }

  // Builds a net.exe row and queues its net1.exe child (same account, device and logon, started by it).
  function netRow(step, time, reportId) {
    if (step.child) {
      const c = step.child;
      return [time, c.device.id, c.device.name, 'ProcessCreated', 'net1.exe', net1Image.folder, net1Image.sha1, net1Image.sha256, net1Image.md5,
        String(rng.int(1000, 65000)), `C:\\Windows\\system32\\net1  ${c.command}`, c.integrity, time, 'contoso', c.user.name, c.user.sid, c.user.upn,
        c.user.objectId, c.logon, 'net.exe', c.parentCmd, c.parentPid, c.user.name, reportId];
    }
    const { user, command, device } = step;
    const cmd = rng.next() < 0.5 ? `net  ${command}` : `"C:\\Windows\\system32\\net.exe" ${command}`;
    const pid = String(rng.int(1000, 65000));
    const integrity = rng.next() < 0.7 ? 'Medium' : 'High';
    const logon = String(rng.int(100000, 9999999));
    pending.unshift({ child: { user, command, device, integrity, logon, parentCmd: cmd, parentPid: pid } });
    return [time, device.id, device.name, 'ProcessCreated', 'net.exe', netImage.folder, netImage.sha1, netImage.sha256, netImage.md5, pid, cmd,
      integrity, time, 'contoso', user.name, user.sid, user.upn, user.objectId, logon, 'cmd.exe', 'C:\\Windows\\system32\\cmd.exe', String(rng.int(1000, 65000)),
      user.name, reportId];
  }
}

/** A line of the JSON-lines export: one object, Kusto longs as numbers. */
function jsonLine(row) {
  const o = {};
  for (let c = 0; c < COLUMNS.length; c++) o[COLUMNS[c]] = NUMERIC.has(COLUMNS[c]) ? Number(row[c]) : row[c];
  return JSON.stringify(o);
}

/** A write stream with back-pressure and ~1 MiB writes; written to `<path>.part`, renamed when complete. */
function sink(path) {
  const stream = createWriteStream(`${path}.part`);
  let buffer = '';
  let bytes = 0;
  return {
    async add(text) {
      buffer += text;
      if (buffer.length < 1 << 20) return;
      const chunk = buffer;
      buffer = '';
      bytes += Buffer.byteLength(chunk);
      if (!stream.write(chunk)) await once(stream, 'drain');
    },
    async close() {
      bytes += Buffer.byteLength(buffer);
      stream.end(buffer);
      await once(stream, 'finish');
      renameSync(`${path}.part`, path);
      return bytes;
    },
  };
}

/** Write the requested formats for `rows` rows; returns the meta record (also written next to the files). */
export async function generate({ rows, outDir = 'bench-data', formats = ['csv', 'jsonl'], seed = DEFAULT_SEED, log = console.log }) {
  if (!Number.isSafeInteger(rows) || rows < 1000) throw new Error(`--rows must be a whole number of at least 1000, not ${rows}`);
  mkdirSync(outDir, { recursive: true });
  const p = paths(outDir, rows);
  const csv = formats.includes('csv') ? sink(p.csv) : null;
  const jsonl = formats.includes('jsonl') ? sink(p.jsonl) : null;
  const t0 = performance.now();
  await csv?.add(COLUMNS.join(',') + '\n');
  let n = 0;
  let netRows = 0;
  for (const row of rowsOf(rows, seed)) {
    if (row[4] === 'net.exe' || row[4] === 'net1.exe') netRows++;
    if (csv) await csv.add(row.map(csvField).join(',') + '\n');
    if (jsonl) await jsonl.add(jsonLine(row) + '\n');
    if (++n % 1_000_000 === 0) log(`  ${n.toLocaleString('en-US')} rows…`);
  }
  const meta = {
    generatorVersion: GENERATOR_VERSION, seed, rows, netRows,
    bytes: { ...(csv ? { csv: await csv.close() } : {}), ...(jsonl ? { jsonl: await jsonl.close() } : {}) },
    seconds: Number(((performance.now() - t0) / 1000).toFixed(1)),
  };
  // Formats written earlier for the same size and version stay listed.
  let previous = {};
  try { previous = JSON.parse(readFileSync(p.meta, 'utf8')); } catch { /* first time */ }
  if (previous.generatorVersion === GENERATOR_VERSION && previous.seed === seed) meta.bytes = { ...previous.bytes, ...meta.bytes };
  writeFileSync(p.meta, JSON.stringify(meta, null, 2) + '\n');
  log(`wrote ${Object.keys(meta.bytes).map((f) => `${p[f]} (${(meta.bytes[f] / 1e6).toFixed(1)} MB)`).join(', ')}: ${rows.toLocaleString('en-US')} rows, ${netRows.toLocaleString('en-US')} net/net1 rows, ${meta.seconds} s`);
  return meta;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const opt = (name, fallback) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : fallback; };
  // The old positional form `generate.mjs [rows]` still works.
  const rows = Number(opt('rows', args[0] && !args[0].startsWith('--') ? args[0] : 100_000));
  await generate({ rows, outDir: opt('out-dir', 'bench-data'), formats: opt('formats', 'csv,jsonl').split(','), seed: Number(opt('seed', DEFAULT_SEED)) });
}
