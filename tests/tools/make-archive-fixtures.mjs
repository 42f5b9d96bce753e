#!/usr/bin/env node
/**
 * Writes the small archives in tests/fixtures/archives/ that tests/unit/containers.test.ts opens.
 *
 *   node tests/tools/make-archive-fixtures.mjs
 *
 * Every archive is made here, with zip.js (the library the app unpacks with) and the platform's CompressionStream,
 * from invented text: a few CSV/JSON lines in the shape of an endpoint export. Nothing is copied from elsewhere.
 * Damaged archives are made by editing the bytes of a good one, at offsets found from the zip structure (not
 * hard-coded), so the damage lands where each test expects it.
 *
 * Encrypted archives differ from run to run (random salts and headers); every other file comes out byte for byte
 * the same, since entry dates are fixed. After running this, run the unit tests: they pin what each archive holds.
 */
import { mkdir, writeFile, rm, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BlobWriter, TextReader, Uint8ArrayReader, ZipWriter, configure } from '@zip.js/zip.js';

configure({ useWebWorkers: false });

const OUT = fileURLToPath(new URL('../fixtures/archives/', import.meta.url));
const WHEN = new Date('2024-10-09T14:51:30Z');

const PROCESS_CSV = 'Timestamp,DeviceName,FileName,ProcessCommandLine\n' +
  '2024-10-09T14:51:30Z,ws-017,net.exe,net user /domain\n' +
  '2024-10-09T14:52:02Z,ws-017,whoami.exe,whoami /all\n';
const NETWORK_CSV = 'Timestamp,DeviceName,RemoteIP,RemotePort\n' +
  '2024-10-09T14:53:10Z,ws-017,203.0.113.45,443\n';
const NOTES_TXT = 'Invented test data for LocalHunt. Not from any real system.\n';
const EVENTS_JSONL = '{"Timestamp":"2024-10-09T14:51:30Z","FileName":"net.exe"}\n' +
  '{"Timestamp":"2024-10-09T14:51:31Z","FileName":"net1.exe"}\n';
const SMALL_CSV = 'Timestamp,FileName\n2024-10-09T14:51:30Z,net.exe\n';

/**
 * @param {Array<[string, string | Uint8Array | null, Record<string, unknown>?]>} entries
 *   name, content (null = a directory entry), per-entry options
 * @param {Record<string, unknown>} [options] ZipWriter options for every entry
 * @returns {Promise<Uint8Array>}
 */
async function zip(entries, options = {}) {
  const writer = new ZipWriter(new BlobWriter('application/zip'), { lastModDate: WHEN, ...options });
  for (const [name, content, entryOptions] of entries) {
    if (content === null) await writer.add(name, undefined, { directory: true, ...entryOptions });
    else {
      const reader = typeof content === 'string' ? new TextReader(content) : new Uint8ArrayReader(content);
      await writer.add(name, reader, entryOptions);
    }
  }
  return new Uint8Array(await (await writer.close()).arrayBuffer());
}

/** @param {string | Uint8Array} content @returns {Promise<Uint8Array>} */
async function gzip(content) {
  const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Offsets of every local file header (PK\x03\x04) and central directory header (PK\x01\x02). */
function headers(bytes) {
  const local = [];
  const central = [];
  for (let i = 0; i + 4 <= bytes.length; i++) {
    if (bytes[i] !== 0x50 || bytes[i + 1] !== 0x4b) continue;
    if (bytes[i + 2] === 3 && bytes[i + 3] === 4) local.push(i);
    if (bytes[i + 2] === 1 && bytes[i + 3] === 2) central.push(i);
  }
  return { local, central };
}

/** Where the stored data of the entry whose local header is at `at` begins. */
function dataStart(bytes, at) {
  const nameLength = bytes[at + 26] | (bytes[at + 27] << 8);
  const extraLength = bytes[at + 28] | (bytes[at + 29] << 8);
  return at + 30 + nameLength + extraLength;
}

/** A minimal POSIX tar holding one file, enough for the "ustar" magic a reader looks for at offset 257. */
function tar(name, content) {
  const data = new TextEncoder().encode(content);
  const header = new Uint8Array(512);
  const put = (offset, text) => header.set(new TextEncoder().encode(text), offset);
  put(0, name);
  put(100, '0000644\0');
  put(108, '0000000\0');
  put(116, '0000000\0');
  put(124, data.length.toString(8).padStart(11, '0') + '\0');
  put(136, Math.floor(WHEN.getTime() / 1000).toString(8).padStart(11, '0') + '\0');
  put(148, '        ');
  put(156, '0');
  put(257, 'ustar\0');
  put(263, '00');
  const sum = header.reduce((a, b) => a + b, 0);
  put(148, sum.toString(8).padStart(6, '0') + '\0 ');
  const padded = new Uint8Array(Math.ceil(data.length / 512) * 512);
  padded.set(data);
  const out = new Uint8Array(512 + padded.length + 1024);
  out.set(header, 0);
  out.set(padded, 512);
  return out;
}

const files = new Map();

// Three text members in nested folders, with the folder entries a desktop zip tool writes.
const nested = await zip([
  ['exports/', null],
  ['exports/devices/', null],
  ['exports/devices/DeviceProcessEvents.csv', PROCESS_CSV],
  ['exports/devices/network/', null],
  ['exports/devices/network/DeviceNetworkEvents.csv', NETWORK_CSV],
  ['exports/notes.txt', NOTES_TXT],
]);
files.set('nested-folders.zip', nested);

// A zip inside a zip, between two plain members (order must survive the recursion).
const inner = await zip([['inner.json', '[{"Timestamp":"2024-10-09T14:51:30Z","FileName":"net.exe"}]\n']]);
files.set('zip-in-zip.zip', await zip([
  ['first.csv', SMALL_CSV],
  ['bundle/inner.zip', inner],
  ['last.txt', NOTES_TXT],
]));

const eventsGz = await gzip(EVENTS_JSONL);
files.set('events.jsonl.gz', eventsGz);
files.set('zip-with-gz.zip', await zip([['logs/events.jsonl.gz', eventsGz], ['plain.csv', SMALL_CSV]]));

// Malware-sample style: every member under the password "infected".
files.set('zipcrypto-infected.zip', await zip([
  ['sample-1.csv', PROCESS_CSV],
  ['sample-2.csv', NETWORK_CSV],
], { password: 'infected', zipCrypto: true }));
files.set('aes256-infected.zip', await zip([
  ['sample-1.csv', PROCESS_CSV],
  ['sample-2.csv', NETWORK_CSV],
], { password: 'infected', encryptionStrength: 3 }));
// Two passwords in one archive, and a member with none.
files.set('mixed-passwords.zip', await zip([
  ['a.csv', SMALL_CSV, { password: 'infected', zipCrypto: true }],
  ['b.csv', NETWORK_CSV, { password: 'infected', encryptionStrength: 3 }],
  ['c.csv', PROCESS_CSV, { password: 'second-secret', encryptionStrength: 3 }],
  ['d.txt', NOTES_TXT],
]));

// A sample collection inside a sample collection: the outer archive (AES) and the inner one (ZipCrypto) share the
// password, and a damaged archive sits beside them.
files.set('nested-infected.zip', await zip([
  ['sample.csv', SMALL_CSV],
  ['inner.zip', await zip([['inner.csv', NETWORK_CSV]], { password: 'infected', zipCrypto: true })],
  ['broken.zip', nested.slice(0, Math.floor(nested.length / 2))],
], { password: 'infected', encryptionStrength: 3 }));

// Cut in half: the central directory at the end is gone.
files.set('truncated.zip', nested.slice(0, Math.floor(nested.length / 2)));

// Three members stored without compression; one byte of the middle one's data flipped, so its CRC-32 fails while
// the archive structure stays intact.
{
  const bytes = await zip([
    ['good-1.csv', SMALL_CSV],
    ['damaged.csv', PROCESS_CSV],
    ['good-2.csv', NETWORK_CSV],
  ], { level: 0 });
  const at = headers(bytes).local[1];
  bytes[dataStart(bytes, at) + 20] ^= 0xff;
  files.set('corrupt-member.zip', bytes);
}

// What macOS Archive Utility adds: a __MACOSX/ tree of AppleDouble "._" files, and Finder's .DS_Store.
files.set('macosx.zip', await zip([
  ['export/', null],
  ['export/DeviceProcessEvents.csv', PROCESS_CSV],
  ['export/.DS_Store', new Uint8Array([0, 0, 0, 1, 0x42, 0x75, 0x64, 0x31])],
  ['__MACOSX/', null],
  ['__MACOSX/export/', null],
  ['__MACOSX/export/._DeviceProcessEvents.csv', new Uint8Array([0, 5, 22, 7, 0, 2, 0, 0])],
  ['export/._notes.txt', new Uint8Array([0, 5, 22, 7, 0, 2, 0, 0])],
  ['export/notes.txt', NOTES_TXT],
]));

// Not a real workbook: just the two parts that make a zip an .xlsx package.
const workbook = await zip([
  ['[Content_Types].xml', '<?xml version="1.0" encoding="UTF-8"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>\n'],
  ['_rels/.rels', '<?xml version="1.0" encoding="UTF-8"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>\n'],
  ['xl/workbook.xml', '<?xml version="1.0" encoding="UTF-8"?>\n<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>\n'],
]);
files.set('fake-workbook.xlsx', workbook);
files.set('zip-with-xlsx.zip', await zip([['report/hunt.xlsx', workbook], ['report/readme.txt', NOTES_TXT]]));

// Five archives nested in one another, each also holding a text file saying how deep it is.
{
  let level = await zip([['level-5.txt', 'level 5\n']]);
  for (let depth = 4; depth >= 1; depth--) {
    level = await zip([[`level-${depth}.txt`, `level ${depth}\n`], [`level-${depth + 1}.zip`, level]]);
  }
  files.set('deep-nesting.zip', level);
}

// 64 KiB of zeros deflates to about a hundred bytes: a ratio of some 600 to 1. The test lowers the limits to
// refuse it; with the real limits (1 GiB and 1000:1) it is an ordinary member.
files.set('high-ratio.zip', await zip([['zeros.bin', new Uint8Array(64 * 1024)], ['normal.csv', SMALL_CSV]]));
files.set('zeros.bin.gz', await gzip(new Uint8Array(64 * 1024)));

// A member that claims compression method 12 (bzip2): zip.js reads only Store, Deflate and Deflate64.
{
  const bytes = await zip([['bzip2.csv', SMALL_CSV], ['plain.csv', NETWORK_CSV]], { level: 0 });
  const { local, central } = headers(bytes);
  bytes[local[0] + 8] = 12;
  bytes[central[0] + 10] = 12;
  files.set('unsupported-method.zip', bytes);
}

// A gzip whose deflate data is damaged (its CRC-32 in the trailer no longer matches).
{
  const bytes = await gzip(EVENTS_JSONL.repeat(20));
  bytes[14] ^= 0xff;
  bytes[15] ^= 0xff;
  files.set('corrupt.jsonl.gz', bytes);
}

// A gzipped tar, which the app does not unpack.
files.set('logs.tgz', await gzip(tar('logs/events.jsonl', EVENTS_JSONL)));

// An empty archive: only the end of central directory record.
files.set('empty.zip', await zip([]));

await mkdir(OUT, { recursive: true });
// Start clean so an archive dropped from this list does not linger; the README is kept.
for (const name of await readdir(OUT)) if (name !== 'README.md') await rm(join(OUT, name));
for (const [name, bytes] of files) await writeFile(join(OUT, name), bytes);
console.log(`wrote ${files.size} archives to ${OUT}`);
