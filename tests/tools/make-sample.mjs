#!/usr/bin/env node
// Writes public/sample/contoso-DeviceProcessEvents.csv (a fictional MDE Advanced Hunting
// export of DeviceProcessEvents) and tests/tools/sample-facts.json (the alerts the
// "net.exe discovery" detection must raise on it). Deterministic: a seeded PRNG drives
// every choice, so each run writes byte-identical files.  Usage: node tests/tools/make-sample.mjs
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CSV_PATH = join(ROOT, 'public', 'sample', 'contoso-DeviceProcessEvents.csv');
const FACTS_PATH = join(ROOT, 'tests', 'tools', 'sample-facts.json');
const THRESHOLD = 10;
const COLUMNS = ('Timestamp,DeviceId,DeviceName,ActionType,FileName,FolderPath,SHA1,SHA256,MD5,FileSize,' +
  'ProcessVersionInfoOriginalFileName,ProcessId,ProcessCommandLine,ProcessIntegrityLevel,ProcessTokenElevation,' +
  'ProcessCreationTime,AccountDomain,AccountName,AccountSid,AccountUpn,AccountObjectId,LogonId,' +
  'InitiatingProcessAccountName,InitiatingProcessFileName,InitiatingProcessCommandLine,InitiatingProcessId,' +
  'InitiatingProcessCreationTime,InitiatingProcessFolderPath,InitiatingProcessParentFileName,ReportId,AdditionalFields').split(',');

// ---------- deterministic randomness (mulberry32) ----------
function mulberry32(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = mulberry32(20240510);
const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
const pick = (arr) => arr[Math.floor(rand() * arr.length)];
const hex = (n) => Array.from({ length: n }, () => '0123456789abcdef'[int(0, 15)]).join('');
const guid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-${pick(['8', '9', 'a', 'b'])}${hex(3)}-${hex(12)}`;

// ---------- time: integer 100 ns ticks since 2024-05-08T00:00:00Z (fits a double exactly) ----------
const BASE_MS = Date.UTC(2024, 4, 8);
const TPS = 1e7;
const ms = (n) => n * 1e4;
const at = (day, h, m, s = 0) => ((day * 24 + h) * 3600 + m * 60 + s) * TPS + int(0, TPS - 1);
const between = (day, h0, h1) => at(day, 0, 0) + Math.floor((h0 + rand() * (h1 - h0)) * 3600 * TPS);
function iso(t) { // MDE style: 7 fractional digits, Z
  const sec = Math.floor(t / TPS);
  return new Date(BASE_MS + sec * 1000).toISOString().slice(0, 19) + '.' + String(t - sec * TPS).padStart(7, '0') + 'Z';
}
const usedTicks = new Set(); // every row gets its own Timestamp: no ties when sorting
function claim(t) { while (usedTicks.has(t)) t++; usedTicks.add(t); return t; }

// ---------- binaries: fixed path, version-info name, size; hashes derived from the path ----------
const sys = (f) => 'C:\\Windows\\System32\\' + f;
const OFFICE = 'C:\\Program Files\\Microsoft Office\\root\\Office16\\';
const DEFENDER = 'C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24030.9-0\\';
const SENSE = 'C:\\Program Files\\Windows Defender Advanced Threat Protection\\';
const BIN = {};
function bin(key, path, orig, size) {
  // Same image on every host => same hashes; lower-casing makes NET.EXE hash like net.exe.
  const h = (alg) => createHash(alg).update('contoso:' + path.toLowerCase()).digest('hex');
  BIN[key] = { name: path.split('\\').pop(), path, orig, size, sha1: h('sha1'), sha256: h('sha256'), md5: h('md5') };
}
bin('net', sys('net.exe'), 'net.exe', 57344); bin('NETUPPER', sys('NET.EXE'), 'net.exe', 57344);
bin('net1', sys('net1.exe'), 'net1.exe', 183808); bin('cmd', sys('cmd.exe'), 'Cmd.Exe', 323584);
bin('conhost', sys('conhost.exe'), 'CONHOST.EXE', 868352);
bin('powershell', sys('WindowsPowerShell\\v1.0\\powershell.exe'), 'PowerShell.EXE', 455680);
bin('whoami', sys('whoami.exe'), 'whoami.exe', 77824); bin('ipconfig', sys('ipconfig.exe'), 'ipconfig.exe', 35840);
bin('nltest', sys('nltest.exe'), 'nltestrk.exe', 438272); bin('userinit', sys('userinit.exe'), 'USERINIT.EXE', 34304);
bin('explorer', 'C:\\Windows\\explorer.exe', 'EXPLORER.EXE', 5611448); bin('notepad', sys('notepad.exe'), 'NOTEPAD.EXE', 201216);
bin('winlogon', sys('winlogon.exe'), 'WINLOGON.EXE', 906240); bin('services', sys('services.exe'), 'services.exe', 721560);
bin('svchost', sys('svchost.exe'), 'svchost.exe', 57528); bin('taskhostw', sys('taskhostw.exe'), 'taskhostw.exe', 101376);
bin('bgtask', sys('backgroundTaskHost.exe'), 'backgroundTaskHost.exe', 19352);
bin('searchph', sys('SearchProtocolHost.exe'), 'SearchProtocolHost.exe', 429056);
bin('wmiprvse', sys('wbem\\WmiPrvSE.exe'), 'Wmiprvse.exe', 496640);
bin('msmpeng', DEFENDER + 'MsMpEng.exe', 'MsMpEng.exe', 133008); bin('mpcmdrun', DEFENDER + 'MpCmdRun.exe', 'MpCmdRun.exe', 1522232);
bin('mssense', SENSE + 'MsSense.exe', 'MsSense.exe', 3964312); bin('senseir', SENSE + 'SenseIR.exe', 'SenseIR.exe', 1835400);
bin('chrome', 'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe', 'chrome.exe', 3156248);
bin('msedge', 'C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe', 'msedge.exe', 4078504);
bin('outlook', OFFICE + 'OUTLOOK.EXE', 'Outlook.exe', 43003800); bin('winword', OFFICE + 'WINWORD.EXE', 'WinWord.exe', 1637304);
bin('excel', OFFICE + 'EXCEL.EXE', 'Excel.exe', 65176480);
bin('teams', 'C:\\Program Files\\WindowsApps\\MSTeams_24091.214.2846.1452_x64__8wekyb3d8bbwe\\ms-teams.exe', 'ms-teams.exe', 1143720);
bin('onedrive', 'C:\\Program Files\\Microsoft OneDrive\\OneDrive.exe', 'OneDrive.exe', 3412416);
bin('upd', 'C:\\Users\\m.baker\\AppData\\Local\\Temp\\upd.exe', '', 284160); // unsigned dropper: no version info

// ---------- accounts ----------
const DOMAIN_SID = 'S-1-5-21-1004336348-1177238915-682003330';
let nextRid = 1104;
const user = (name) => ({ domain: 'contoso', name, sid: `${DOMAIN_SID}-${nextRid++}`, upn: `${name}@contoso.com`, oid: guid() });
const builtin = (name, sid, logon) => ({ domain: 'nt authority', name, sid, upn: '', oid: '', logon });
const SYSTEM = builtin('system', 'S-1-5-18', 999);
const LOCAL_SERVICE = builtin('local service', 'S-1-5-19', 997);
const NETWORK_SERVICE = builtin('network service', 'S-1-5-20', 996);
const session = (acct) => ({ ...acct, logon: int(200000, 90000000) }); // new LogonId per interactive logon
const U = Object.fromEntries(['jdoe', 's.patel', 'm.baker', 'k.wong', 'r.garcia', 'l.chen', 'a.lee', 'helpdesk', 'svc-backup']
  .map((n) => [n, user(n)]));

// ---------- devices and their long-running (pre-window, never emitted) processes ----------
const rows = []; // process objects that become CSV rows
const pid = () => int(256, 16383) * 4; // Windows PIDs are multiples of 4
const SYS = { il: 'System', elev: 'TokenElevationTypeDefault' };
const USR = { il: 'Medium', elev: 'TokenElevationTypeLimited' };
const ADMIN = { il: 'High', elev: 'TokenElevationTypeFull' };
function ghost(dev, key, cmd, parentName, t, acct = SYSTEM) {
  return { dev, bin: BIN[key], pid: pid(), t, cmd, acct, parentName, ...SYS };
}
function device(host, server = false) {
  const dev = { name: `${host}.contoso.com`, id: hex(40), server, reportId: int(1000, 60000) };
  const boot = at(-int(1, 6), int(4, 9), int(0, 59));
  dev.winlogon = ghost(dev, 'winlogon', 'winlogon.exe', 'smss.exe', boot + 5 * TPS);
  dev.services = ghost(dev, 'services', sys('services.exe'), 'wininit.exe', boot + 4 * TPS);
  dev.dcom = ghost(dev, 'svchost', sys('svchost.exe -k DcomLaunch -p'), 'services.exe', boot + 6 * TPS);
  dev.sched = ghost(dev, 'svchost', sys('svchost.exe -k netsvcs -p -s Schedule'), 'services.exe', boot + 9 * TPS);
  dev.mpeng = ghost(dev, 'msmpeng', `"${BIN.msmpeng.path}"`, 'services.exe', boot + 10 * TPS);
  dev.sense = ghost(dev, 'mssense', `"${BIN.mssense.path}"`, 'services.exe', boot + 12 * TPS);
  return dev;
}
// Primary user of each workstation.
const WORKSTATIONS = [['WS-FIN-01', 'jdoe'], ['WS-FIN-02', 's.patel'], ['WS-FIN-03', 'm.baker'], ['WS-HR-01', 'k.wong'],
  ['WS-SALES-01', 'r.garcia'], ['WS-SALES-02', 'l.chen'], ['WS-IT-01', 'a.lee'], ['WS-IT-02', 'helpdesk']]
  .map(([host, name]) => ({ dev: device(host), user: U[name] }));
const DEV = Object.fromEntries(WORKSTATIONS.map((w) => [w.dev.name.split('.')[0], w.dev]));
DEV['DC01'] = device('DC01', true);
DEV['FS01'] = device('FS01', true);

// A child inherits its parent's account and token unless told otherwise.
function spawn(parent, key, cmd, t, over = {}) {
  const p = { dev: parent.dev, bin: BIN[key], pid: pid(), t: claim(t), cmd, acct: parent.acct, il: parent.il,
    elev: parent.elev, parent, parentName: parent.bin.name, ...over };
  rows.push(p);
  return p;
}
const withConhost = (p) => (spawn(p, 'conhost', '\\??\\C:\\Windows\\system32\\conhost.exe 0xffffffff -ForceV1', p.t + ms(int(2, 15))), p);
const quoted = (key, args = '') => `"${BIN[key].path}" ${args}`.trimEnd();

// net.exe re-launches net1.exe with its own argument tail (which keeps the leading space),
// hence the real-world "net1  user /domain" with two spaces.
function runNet(shell, typed, t, key = 'net') {
  const net = spawn(shell, key, typed, t);
  if (key === 'net') spawn(net, 'net1', 'C:\\Windows\\system32\\net1 ' + typed.replace(/^\S+/, ''), net.t + ms(int(4, 40)));
  return net;
}
const shell = (parent, t, over) => withConhost(spawn(parent, 'cmd', '"C:\\Windows\\system32\\cmd.exe" ', t, over));

// ---------- 1. normal work ----------
function chromeArgs() {
  const type = pick(['renderer --lang=en-US --renderer-client-id=' + int(5, 90), 'gpu-process --gpu-preferences=WAAAAAAAAADgAAA',
    'utility --utility-sub-type=network.mojom.NetworkService --lang=en-US --service-sandbox-type=none']);
  return `--type=${type} --field-trial-handle=${int(1800, 2100)},i,${int(1e15, 9e15)},${int(1e15, 9e15)},262144 /prefetch:${int(1, 8)}`;
}
const APPS = {
  chrome: (u) => pick(['', '--single-argument https://contoso.sharepoint.com/sites/' + pick(['finance', 'hr', 'sales', 'intranet'])]),
  msedge: () => '--single-argument https://portal.office.com/',
  winword: (u) => `/n "C:\\Users\\${u}\\Documents\\${pick(['Q2 Forecast', 'Board notes, May', 'Vendor contract'])}.docx" /o ""`,
  excel: (u) => `"C:\\Users\\${u}\\Downloads\\${pick(['invoice-2024-0507', 'budget_fy24', 'headcount'])}.xlsx"`,
  notepad: (u) => `C:\\Users\\${u}\\Desktop\\notes.txt`,
  outlook: () => '', teams: () => '', cmd: () => '', powershell: () => '',
};
const APP_WEIGHTS = ['chrome', 'chrome', 'chrome', 'chrome', 'msedge', 'msedge', 'winword', 'winword', 'excel', 'excel',
  'excel', 'notepad', 'notepad', 'outlook', 'teams', 'cmd', 'powershell'];
function launch(explorer, app, t) {
  const p = spawn(explorer, app, quoted(app, APPS[app](explorer.acct.name)), t);
  if (app === 'chrome' || app === 'msedge') {
    for (let i = int(1, 3); i > 0; i--) spawn(p, app, quoted(app, chromeArgs()), p.t + ms(int(60, 4000)));
  }
  if (app === 'cmd' || app === 'powershell') withConhost(p);
}
const explorers = {}; // "host|day" -> explorer process, so the stories can hang off a user's session
function workday(dev, acct, day) {
  const start = at(day, int(7, 8), int(0, 59));
  const end = day === 2 ? at(2, int(16, 17), int(0, 29)) : at(day, int(16, 17), int(0, 45));
  const userinit = spawn(dev.winlogon, 'userinit', sys('userinit.exe'), start, { acct: session(acct), ...USR });
  const explorer = spawn(userinit, 'explorer', 'C:\\Windows\\Explorer.EXE', start + ms(int(800, 3000)));
  explorers[`${dev.name.split('.')[0]}|${day}`] = explorer;
  // Start-up apps, then the day's ad-hoc launches spread over working hours.
  spawn(explorer, 'onedrive', quoted('onedrive', '/background'), explorer.t + ms(int(3000, 9000)));
  launch(explorer, 'teams', explorer.t + ms(int(10000, 30000)));
  launch(explorer, 'outlook', explorer.t + ms(int(40000, 300000)));
  for (let i = int(22, 32); i > 0; i--) launch(explorer, pick(APP_WEIGHTS), start + Math.floor(rand() * (end - start)));
}
// OS housekeeping around the clock (the export ends a little before 18:00 on the last day).
const BACKGROUND = [
  (d, t) => spawn(d.services, 'svchost', sys('svchost.exe -k ' + pick(['netsvcs -p -s BITS', 'LocalServiceNetworkRestricted -p',
    'NetworkService -p -s DnsCache', 'wsappx -p -s ClipSVC'])), t, { acct: pick([SYSTEM, LOCAL_SERVICE, NETWORK_SERVICE]) }),
  (d, t) => spawn(d.sched, 'taskhostw', 'taskhostw.exe ' + pick(['SYSTEM', '-RegisterDevice -ProtectionStateChanged -FreeNetworkOnly', 'Install $(Arg0)']), t),
  (d, t) => spawn(d.dcom, 'bgtask', quoted('bgtask', '-ServerName:BackgroundTaskHost.WebAccountProvider'), t),
  (d, t) => spawn(d.dcom, 'wmiprvse', sys('wbem\\wmiprvse.exe -secured -Embedding'), t, { acct: NETWORK_SERVICE }),
  (d, t) => spawn(d.services, 'searchph', quoted('searchph', 'Global\\UsGthrFltPipeMssGthrPipe1_ Global\\UsGthrCtrlFltPipeMssGthrPipe1 1 -2147483646 "Software\\Microsoft\\Windows Search"'), t),
  (d, t) => spawn(d.mpeng, 'mpcmdrun', quoted('mpcmdrun', 'SignatureUpdate -ScheduleJob -RestrictPrivileges -DailyReport'), t),
];
function background(dev, day) {
  for (let i = dev.server ? int(16, 24) : int(10, 16); i > 0; i--) pick(BACKGROUND)(dev, between(day, 0.01, day === 2 ? 17.85 : 23.99));
}

// ---------- 2.-7. the stories ----------
function intruder() { // m.baker on WS-FIN-03: phished on 05-09, discovery burst on 05-10 09:12-09:40
  let upd = spawn(explorers['WS-FIN-03|1'], 'upd', quoted('upd'), at(1, 15, 4));
  let cmd = shell(upd, upd.t + ms(int(2000, 9000)));
  runNet(cmd, 'net user m.baker /domain', at(1, 15, 6));
  runNet(cmd, 'net localgroup administrators', at(1, 15, 8));
  upd = spawn(explorers['WS-FIN-03|2'], 'upd', quoted('upd', '/silent'), at(2, 9, 10, 41));
  cmd = shell(upd, at(2, 9, 12, 5));
  const steps = ['whoami /all', 'net user /domain', 'net  group "Domain Admins" /domain', 'net group "Enterprise Admins" /domain',
    'net localgroup administrators', 'ipconfig /all', 'net accounts /domain', 'net user administrator /domain', 'net group /domain',
    'nltest /dclist:contoso', 'net localgroup "Remote Desktop Users"', 'net user m.baker /domain', 'net view \\\\FS01', 'net use'];
  const first = at(2, 9, 12, 31), span = 27 * 60 * TPS; // last step lands before 09:40
  steps.forEach((typed, i) => {
    const t = first + Math.floor((i * span) / steps.length);
    const tool = typed.split(' ')[0];
    if (tool === 'net') runNet(cmd, typed, t); else spawn(cmd, tool, typed, t);
  });
}
function itAdmin() { // a.lee: legitimate account admin from an elevated prompt; 05-09 crosses the threshold
  const plan = [['net localgroup administrators contoso\\setup_user /delete'], // "_" splits terms: counts as USER
    ['net user t.nguyen /domain', 'net user t.nguyen /domain /active:yes', 'net group "Finance-Users" /domain',
      'net localgroup administrators', 'net localgroup "Remote Desktop Users" contoso\\t.nguyen /add', 'net accounts /domain'],
    ['net user t.nguyen /domain', 'net group "IT-Helpdesk" /domain']];
  plan.forEach((cmds, day) => {
    const cmd = shell(explorers[`WS-IT-01|${day}`], at(day, 10, int(0, 30)), ADMIN);
    let t = cmd.t;
    for (const typed of cmds) runNet(cmd, typed, (t += int(60, 420) * TPS));
  });
}
function helpdesk() { // 2 account look-ups a day = 4 counted rows, below the threshold
  const plan = [['net user k.wong /domain', 'net group "Finance" /domain'], ['net user r.garcia /domain', 'net user l.chen /domain'],
    ['net user s.patel /domain', 'net localgroup "Remote Desktop Users"']];
  plan.forEach((cmds, day) => cmds.forEach((typed) => {
    const cmd = shell(explorers[`WS-IT-02|${day}`], between(day, 9, 15.5));
    runNet(cmd, typed, cmd.t + int(5, 40) * TPS);
  }));
}
function backupJob() { // svc-backup on DC01 every 3 h: share mapping only, never counted
  const acct = session(U['svc-backup']);
  for (let day = 0; day < 3; day++) {
    for (let h = 0; h < (day === 2 ? 17 : 24); h += 3) {
      const cmd = spawn(DEV.DC01.sched, 'cmd', 'C:\\Windows\\system32\\cmd.exe /c "C:\\Scripts\\nightly-backup.cmd"',
        at(day, h, 15), { acct, il: 'High', elev: 'TokenElevationTypeDefault' });
      runNet(cmd, 'net use \\\\FS01\\backup', cmd.t + ms(int(300, 900)));
      runNet(cmd, 'net view \\\\FS01', cmd.t + int(2, 4) * TPS);
      runNet(cmd, pick(['NET USE \\\\FS01\\backup /DELETE /Y', 'NET USE Z: /DELETE /Y', 'net use Z: \\\\FS01\\backup']), cmd.t + int(600, 1500) * TPS);
    }
  }
}
function investigationPackage() { // MDE's own "collect investigation package" runs net accounts as SYSTEM
  const plan = [[['WS-HR-01', 9], ['WS-SALES-01', 13], ['FS01', 20]],
    [['WS-FIN-01', 8], ['WS-FIN-02', 11], ['DC01', 14], ['WS-IT-02', 16]],
    [['WS-FIN-03', 10], ['WS-FIN-03', 11], ['WS-IT-01', 13], ['FS01', 15], ['WS-SALES-02', 16]]];
  plan.forEach((runs, day) => runs.forEach(([host, h]) => {
    const dev = DEV[host], t = at(day, h, int(0, 55));
    const ir = ghost(dev, 'senseir', `"${BIN.senseir.path}" "OnlineSenseIR" "${hex(8)}"`, 'MsSense.exe', t - ms(int(500, 3000)));
    const folder = `C:\\ProgramData\\Microsoft\\Windows Defender Advanced Threat Protection\\DataCollection\\8754.${int(9e6, 9.9e6)}.0.${int(9e6, 9.9e6)}-${hex(40)}`;
    const ps = spawn(ir, 'powershell', `powershell.exe -ExecutionPolicy AllSigned -NoProfile -NonInteractive -Command "& {$OutputEncoding = ` +
      `[Console]::OutputEncoding =[System.Text.Encoding]::UTF8;$scriptFileStream = [System.IO.File]::Open('${folder}\\script.ps1', ` +
      `[System.IO.FileMode]::Open, [System.IO.FileAccess]::Read, [System.IO.FileShare]::Read);$calculatedHash = ` +
      `Microsoft.PowerShell.Utility\\Get-FileHash 'SHA256' -InputStream $scriptFileStream;$scriptFileStream.close()}"`, t);
    runNet(ps, '"net.exe" accounts', ps.t + int(3, 20) * TPS);
  }));
}
function trickyRows() { // rows that exact KQL semantics must NOT count, plus CSV quoting hazards
  spawn(explorers['WS-FIN-01|0'], 'powershell', 'powershell.exe -Command "Get-Process | Select Name, Id"', at(0, 11, 24));
  spawn(explorers['WS-IT-01|0'], 'powershell',
    'powershell.exe -NoProfile -Command "$svc = Get-Service -Name Spooler\n$svc | Format-List Name, Status, StartType"', at(0, 14, 7));
  runNet(shell(explorers['WS-SALES-02|1'], at(1, 13, 41)), 'net users', at(1, 13, 42)); // "users" is not the term "user"
  runNet(shell(explorers['WS-SALES-01|2'], at(2, 11, 3)), 'net user', at(2, 11, 4), 'NETUPPER'); // FileName NET.EXE: case-sensitive miss
}

// ---------- generate ----------
for (let day = 0; day < 3; day++) {
  for (const { dev, user } of WORKSTATIONS) workday(dev, user, day);
  for (const dev of Object.values(DEV)) background(dev, day);
}
intruder(); itAdmin(); helpdesk(); backupJob(); investigationPackage(); trickyRows();
rows.sort((a, b) => a.t - b.t);

// ReportId grows per device in time order; AdditionalFields sometimes carries a start key.
const table = rows.map((p) => {
  const par = p.parent;
  const extra = rand() < 0.6 ? `{"ProcessStartKey":${int(1e14, 4e15)}}` : '{}';
  return [iso(p.t), p.dev.id, p.dev.name, 'ProcessCreated', p.bin.name, p.bin.path, p.bin.sha1, p.bin.sha256, p.bin.md5,
    p.bin.size, p.bin.orig, p.pid, p.cmd, p.il, p.elev, iso(p.t), p.acct.domain, p.acct.name, p.acct.sid, p.acct.upn,
    p.acct.oid, p.acct.logon, par.acct.name, par.bin.name, par.cmd, par.pid, iso(par.t), par.bin.path.toLowerCase(),
    par.parentName, (p.dev.reportId += int(1, 40)), extra].map(String);
});
const csvField = (v) => (/[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
const csv = [COLUMNS, ...table].map((r) => r.map(csvField).join(',')).join('\n') + '\n';

// ---------- facts: a plain re-implementation of the detection's counting rules ----------
function computeFacts(records) {
  const get = (r, name) => r[COLUMNS.indexOf(name)];
  const latest = records.map((r) => get(r, 'Timestamp')).reduce((a, b) => (b > a ? b : a));
  const cutoff = new Date(Date.parse(latest.slice(0, 10)) - 2 * 86400000).toISOString().slice(0, 10) + 'T00:00:00.0000000Z';
  const KINDS = ['accounts', 'group', 'user', 'localgroup']; // first match wins, in this order
  const groups = new Map();
  let netRows = 0;
  for (const r of records) {
    const file = get(r, 'FileName'), ts = get(r, 'Timestamp'), upn = get(r, 'AccountUpn'), cmd = get(r, 'ProcessCommandLine');
    if (file !== 'net.exe' && file !== 'net1.exe') continue;
    netRows++;
    const terms = cmd.toLowerCase().split(/[^0-9a-z]+/);
    const kind = KINDS.find((k) => terms.includes(k));
    if (!kind || upn === '' || !(ts > cutoff)) continue; // fixed-width ISO strings compare chronologically
    const key = `${ts.slice(0, 10)}T00:00:00.0000000Z|${upn}`;
    if (!groups.has(key)) groups.set(key, { accounts: 0, group: 0, user: 0, localgroup: 0, first: ts, last: ts, cmds: new Set() });
    const g = groups.get(key);
    g[kind]++; g.cmds.add(cmd);
    if (ts < g.first) g.first = ts;
    if (ts > g.last) g.last = ts;
  }
  const summary = [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, g]) => {
    const [bin, AccountUpn] = key.split('|');
    return { AccountUpn, bin, TotalEvents: g.accounts + g.group + g.user + g.localgroup, TotalAccountsEvents: g.accounts,
      TotalGroupEvents: g.group, TotalLocalGroupEvents: g.localgroup, TotalUserEvents: g.user, FirstEvent: g.first,
      LastEvent: g.last, ExecutedCommands: [...g.cmds].sort() };
  });
  return {
    rows: records.length, latest, cutoff, threshold: THRESHOLD, netRows,
    alerts: summary.filter((s) => s.TotalEvents >= THRESHOLD),
    dailyCounts: summary.map(({ AccountUpn, bin, TotalEvents }) => ({ AccountUpn, bin, TotalEvents })),
    csvSha256: createHash('sha256').update(csv).digest('hex'), csvBytes: Buffer.byteLength(csv),
  };
}

// ---------- write ----------
const facts = computeFacts(table);
const expected = [['a.lee@contoso.com', '2024-05-09'], ['m.baker@contoso.com', '2024-05-10']];
const got = facts.alerts.map((a) => [a.AccountUpn, a.bin.slice(0, 10)]);
if (JSON.stringify(got) !== JSON.stringify(expected)) { // the story must keep producing exactly these two
  throw new Error('story drifted: unexpected alerts ' + JSON.stringify(got));
}
mkdirSync(dirname(CSV_PATH), { recursive: true });
writeFileSync(CSV_PATH, csv);
writeFileSync(FACTS_PATH, JSON.stringify(facts, null, 2) + '\n');
console.log(`wrote ${facts.rows} rows (${facts.csvBytes} bytes) to ${CSV_PATH}; ${facts.alerts.length} alerts`);
