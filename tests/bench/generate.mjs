// Writes a synthetic Defender Advanced Hunting CSV of N rows (default 100,000) for the benchmark:
// node tests/bench/generate.mjs [rows] [out]. Deterministic; ~1 in 100 rows is net.exe/net1.exe.
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

const rows = Number(process.argv[2] ?? 100_000);
const out = process.argv[3] ?? `bench-data/dpe-${rows}.csv`;
mkdirSync(dirname(out), { recursive: true });

let seed = 0x2f6b1d;
const rand = () => { seed = (seed + 0x6d2b79f5) | 0; let t = Math.imul(seed ^ (seed >>> 15), 1 | seed); t ^= t + Math.imul(t ^ (t >>> 7), 61 | t); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
const pick = (a) => a[Math.floor(rand() * a.length)];
const hex = (n) => Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(rand() * 16)]).join('');
const q = (s) => (/[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);

const users = Array.from({ length: 400 }, (_, i) => `user${i}`);
const devices = Array.from({ length: 300 }, (_, i) => `ws-${String(i).padStart(4, '0')}.corp.example`);
const benign = [
  ['chrome.exe', 'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe', '"chrome.exe" --type=renderer --lang=en-US --field-trial-handle=1234,i,5678'],
  ['svchost.exe', 'C:\\Windows\\System32\\svchost.exe', 'svchost.exe -k netsvcs -p -s Schedule'],
  ['powershell.exe', 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', 'powershell.exe -NoProfile -Command "Get-Process | Select Name, Id"'],
  ['cmd.exe', 'C:\\Windows\\System32\\cmd.exe', 'cmd.exe /c "dir C:\\Users\\Public"'],
  ['OUTLOOK.EXE', 'C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE', '"OUTLOOK.EXE" /recycle'],
];
const net = ['net user', 'net user /domain', 'net group "Domain Admins" /domain', 'net localgroup administrators', 'net accounts', 'net view', 'net use z: \\\\fs\\share'];
const header = ['Timestamp', 'DeviceId', 'DeviceName', 'ActionType', 'FileName', 'FolderPath', 'SHA1', 'SHA256', 'MD5', 'ProcessId',
  'ProcessCommandLine', 'ProcessIntegrityLevel', 'ProcessCreationTime', 'AccountDomain', 'AccountName', 'AccountSid', 'AccountUpn',
  'AccountObjectId', 'LogonId', 'InitiatingProcessFileName', 'InitiatingProcessCommandLine', 'InitiatingProcessId', 'InitiatingProcessAccountName', 'ReportId'];

const start = Date.UTC(2024, 4, 1);
const span = 14 * 86_400_000;
const stream = createWriteStream(out);
stream.write(header.join(',') + '\n');
let buf = '';
for (let i = 0; i < rows; i++) {
  const t = new Date(start + Math.floor((i / rows) * span)).toISOString().slice(0, 19) + '.' + String(Math.floor(rand() * 1e7)).padStart(7, '0') + 'Z';
  const user = pick(users);
  const isNet = rand() < 0.01;
  const [file, path, cmd] = isNet ? (rand() < 0.5 ? ['net.exe', 'C:\\Windows\\System32\\net.exe', pick(net)] : ['net1.exe', 'C:\\Windows\\System32\\net1.exe', pick(net).replace('net ', 'C:\\Windows\\system32\\net1  ')]) : pick(benign);
  const row = [t, hex(40), pick(devices), 'ProcessCreated', file, path, hex(40), hex(64), hex(32), String(1000 + Math.floor(rand() * 60000)),
    cmd, 'Medium', t, 'corp', user, `S-1-5-21-1004336348-1177238915-682003330-${1000 + users.indexOf(user)}`, `${user}@corp.example`,
    hex(8) + '-' + hex(4) + '-' + hex(4) + '-' + hex(4) + '-' + hex(12), String(Math.floor(rand() * 1e6)), 'explorer.exe', 'C:\\Windows\\Explorer.EXE',
    String(4000 + Math.floor(rand() * 1000)), user, String(i + 1)];
  buf += row.map(q).join(',') + '\n';
  if (buf.length > 1 << 20) { stream.write(buf); buf = ''; }
}
stream.end(buf);
stream.on('finish', () => console.log(`wrote ${out} (${rows} rows)`));
