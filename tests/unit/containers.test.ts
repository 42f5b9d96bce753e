import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, test } from 'vitest';
import { BlobReader, BlobWriter, ZipReader, type FileEntry } from '@zip.js/zip.js/lib/zip-core-custom.js';
import {
  CONTAINER_LIMITS,
  containerKindOf,
  expandContainer,
  zipIsWorkbook,
  type ContainerMember,
  type ContainerProblem,
  type PasswordRequest,
} from '../../src/lib/ingest/containers';

// Made by tests/tools/make-archive-fixtures.mjs (see its comments for what each archive holds and how it was damaged).
const fixture = (name: string): Blob => new Blob([readFileSync(new URL(`../fixtures/archives/${name}`, import.meta.url))]);

type Item = ContainerMember | ContainerProblem;

interface Run {
  items: Item[];
  asked: PasswordRequest[];
  progress: string[];
}

/** Expands a fixture; `answers` are given to the password prompts in order (null = the user cancels). */
async function run(name: string, answers: (string | null)[] = [], signal?: AbortSignal): Promise<Run> {
  const asked: PasswordRequest[] = [];
  const progress: string[] = [];
  const items: Item[] = [];
  const opts = {
    askPassword: async (r: PasswordRequest) => {
      asked.push(r);
      if (answers.length === 0) throw new Error(`unexpected password prompt for ${r.member}`);
      return answers.shift() ?? null;
    },
    onProgress: (t: string) => progress.push(t),
    ...(signal ? { signal } : {}),
  };
  for await (const item of expandContainer(fixture(name), name, opts)) items.push(item);
  return { items, asked, progress };
}

/** Members as path → text, in order; problems as `path: problem`. */
async function summary(items: Item[]): Promise<string[]> {
  const out: string[] = [];
  for (const item of items) out.push(item.kind === 'member' ? `${item.path} = ${await item.file.text()}` : `! ${item.path}: ${item.problem}`);
  return out;
}

const PROCESS_CSV = 'Timestamp,DeviceName,FileName,ProcessCommandLine\n' +
  '2024-10-09T14:51:30Z,ws-017,net.exe,net user /domain\n' +
  '2024-10-09T14:52:02Z,ws-017,whoami.exe,whoami /all\n';
const NETWORK_CSV = 'Timestamp,DeviceName,RemoteIP,RemotePort\n2024-10-09T14:53:10Z,ws-017,203.0.113.45,443\n';
const NOTES_TXT = 'Invented test data for LocalHunt. Not from any real system.\n';
const SMALL_CSV = 'Timestamp,FileName\n2024-10-09T14:51:30Z,net.exe\n';
const EVENTS_JSONL = '{"Timestamp":"2024-10-09T14:51:30Z","FileName":"net.exe"}\n{"Timestamp":"2024-10-09T14:51:31Z","FileName":"net1.exe"}\n';

const defaults = { ...CONTAINER_LIMITS };
afterEach(() => Object.assign(CONTAINER_LIMITS, defaults));

describe('containerKindOf', () => {
  test('zip (also the empty-zip signature), gzip, anything else', () => {
    expect(containerKindOf(new Uint8Array([0x50, 0x4b, 3, 4, 20]))).toBe('zip');
    expect(containerKindOf(new Uint8Array([0x50, 0x4b, 5, 6]))).toBe('zip');
    expect(containerKindOf(new Uint8Array([0x1f, 0x8b, 8]))).toBe('gzip');
    expect(containerKindOf(new Uint8Array([0x50, 0x4b, 1, 2]))).toBeNull();
    expect(containerKindOf(new TextEncoder().encode('Timestamp,FileName'))).toBeNull();
    expect(containerKindOf(new Uint8Array([0x50, 0x4b]))).toBeNull();
    expect(containerKindOf(new Uint8Array([]))).toBeNull();
  });
});

describe('zipIsWorkbook', () => {
  test('true for a zip holding [Content_Types].xml and xl/workbook.xml; false for other zips and non-zips', async () => {
    expect(await zipIsWorkbook(fixture('fake-workbook.xlsx'))).toBe(true);
    expect(await zipIsWorkbook(fixture('nested-folders.zip'))).toBe(false);
    expect(await zipIsWorkbook(fixture('truncated.zip'))).toBe(false);
    expect(await zipIsWorkbook(fixture('events.jsonl.gz'))).toBe(false);
    expect(await zipIsWorkbook(new Blob(['Timestamp,FileName\n']))).toBe(false);
  });
});

describe('expandContainer', () => {
  test('members come out in archive order with their folder paths; folders themselves are not members', async () => {
    const { items, progress } = await run('nested-folders.zip');
    expect(await summary(items)).toEqual([
      `nested-folders.zip › exports/devices/DeviceProcessEvents.csv = ${PROCESS_CSV}`,
      `nested-folders.zip › exports/devices/network/DeviceNetworkEvents.csv = ${NETWORK_CSV}`,
      `nested-folders.zip › exports/notes.txt = ${NOTES_TXT}`,
    ]);
    expect(progress).toEqual([
      'unpacking exports/devices/DeviceProcessEvents.csv (1 of 3)',
      'unpacking exports/devices/network/DeviceNetworkEvents.csv (2 of 3)',
      'unpacking exports/notes.txt (3 of 3)',
    ]);
  });

  test('a zip inside a zip is expanded in place, between its neighbours', async () => {
    const { items, progress } = await run('zip-in-zip.zip');
    expect(await summary(items)).toEqual([
      `zip-in-zip.zip › first.csv = ${SMALL_CSV}`,
      'zip-in-zip.zip › bundle/inner.zip › inner.json = [{"Timestamp":"2024-10-09T14:51:30Z","FileName":"net.exe"}]\n',
      `zip-in-zip.zip › last.txt = ${NOTES_TXT}`,
    ]);
    expect(progress).toContain('unpacking bundle/inner.zip › inner.json (1 of 1)');
  });

  test('a .gz file holds one member named without .gz', async () => {
    const { items, progress } = await run('events.jsonl.gz');
    expect(await summary(items)).toEqual([`events.jsonl.gz › events.jsonl = ${EVENTS_JSONL}`]);
    expect(progress).toEqual(['unpacking events.jsonl']);
  });

  test('a .gz inside a zip is expanded too', async () => {
    const { items } = await run('zip-with-gz.zip');
    expect(await summary(items)).toEqual([
      `zip-with-gz.zip › logs/events.jsonl.gz › events.jsonl = ${EVENTS_JSONL}`,
      `zip-with-gz.zip › plain.csv = ${SMALL_CSV}`,
    ]);
  });

  test('a gzip whose name does not end in .gz: the name stored in its header, else the name marked unpacked', async () => {
    const renamed: Item[] = [];
    for await (const item of expandContainer(fixture('events.jsonl.gz'), 'download', { askPassword: async () => null })) renamed.push(item);
    expect(renamed.map((i) => i.path)).toEqual(['download › download (unpacked)']);
    // gzip -N keeps the original name in the header (FNAME, flag 0x08); the fixture has none, so add one.
    const plain = new Uint8Array(await fixture('events.jsonl.gz').arrayBuffer());
    const named = new Uint8Array([...plain.subarray(0, 10), ...new TextEncoder().encode('C:\\logs\\original.jsonl\0'), ...plain.subarray(10)]);
    named[3] = (named[3] ?? 0) | 0x08;
    const items: Item[] = [];
    for await (const item of expandContainer(new Blob([named]), 'download', { askPassword: async () => null })) items.push(item);
    expect(await summary(items)).toEqual([`download › original.jsonl = ${EVENTS_JSONL}`]);
  });

  test('an .xlsx inside a zip is a member, not expanded; a dropped workbook or plain file comes back as itself', async () => {
    const { items } = await run('zip-with-xlsx.zip');
    expect(items.map((i) => `${i.kind} ${i.path}`)).toEqual([
      'member zip-with-xlsx.zip › report/hunt.xlsx',
      'member zip-with-xlsx.zip › report/readme.txt',
    ]);
    const workbook = items[0] as ContainerMember;
    expect(await zipIsWorkbook(workbook.file)).toBe(true);
    expect((await run('fake-workbook.xlsx')).items.map((i) => `${i.kind} ${i.path}`)).toEqual(['member fake-workbook.xlsx']);
    const plain: Item[] = [];
    const csv = new Blob([SMALL_CSV]);
    for await (const item of expandContainer(csv, 'x.csv', { askPassword: async () => null })) plain.push(item);
    expect(plain).toEqual([{ kind: 'member', path: 'x.csv', file: csv }]);
  });

  test('macOS metadata is skipped and counted in one problem line', async () => {
    const { items, progress } = await run('macosx.zip');
    expect(await summary(items)).toEqual([
      `macosx.zip › export/DeviceProcessEvents.csv = ${PROCESS_CSV}`,
      `macosx.zip › export/notes.txt = ${NOTES_TXT}`,
      '! macosx.zip: skipped 3 macOS metadata entries (__MACOSX/, ._*, .DS_Store)',
    ]);
    expect(progress.at(-1)).toBe('unpacking export/notes.txt (2 of 2)');
  });

  test('an empty zip says so', async () => {
    expect(await summary((await run('empty.zip')).items)).toEqual(['! empty.zip: the archive holds no files']);
  });

  test('archives nested more than 4 levels deep are reported, not opened; shallower levels still come out', async () => {
    const { items } = await run('deep-nesting.zip');
    expect(await summary(items)).toEqual([
      'deep-nesting.zip › level-1.txt = level 1\n',
      'deep-nesting.zip › level-2.zip › level-2.txt = level 2\n',
      'deep-nesting.zip › level-2.zip › level-3.zip › level-3.txt = level 3\n',
      'deep-nesting.zip › level-2.zip › level-3.zip › level-4.zip › level-4.txt = level 4\n',
      '! deep-nesting.zip › level-2.zip › level-3.zip › level-4.zip › level-5.zip: an archive nested more than 4 levels deep; not opened (unpack it yourself if you need it)',
    ]);
  });
});

describe('passwords', () => {
  for (const [name, method] of [['zipcrypto-infected.zip', 'ZipCrypto'], ['aes256-infected.zip', 'AES-256']] as const) {
    test(`${method}: right first time, asked once, the password reused for the next member`, async () => {
      const { items, asked } = await run(name, ['infected']);
      expect(asked).toEqual([{ archive: name, member: 'sample-1.csv', attempt: 1 }]);
      expect(await summary(items)).toEqual([`${name} › sample-1.csv = ${PROCESS_CSV}`, `${name} › sample-2.csv = ${NETWORK_CSV}`]);
    });

    test(`${method}: wrong, then right`, async () => {
      const { items, asked } = await run(name, ['malware', 'Infected', 'infected']);
      expect(asked.map((r) => `${r.member} ${r.attempt}`)).toEqual(['sample-1.csv 1', 'sample-1.csv 2', 'sample-1.csv 3']);
      expect(items.map((i) => i.kind)).toEqual(['member', 'member']);
    });

    test(`${method}: cancel → a problem, and no more prompts for that archive`, async () => {
      const { items, asked } = await run(name, [null]);
      expect(asked).toHaveLength(1);
      expect(await summary(items)).toEqual([
        `! ${name} › sample-1.csv: password-protected; no password given`,
        `! ${name} › sample-2.csv: password-protected; no password given`,
      ]);
    });

    test(`${method}: wrong, then cancel`, async () => {
      const { items, asked } = await run(name, ['wrong', null]);
      expect(asked.map((r) => r.attempt)).toEqual([1, 2]);
      expect(items.map((i) => i.kind)).toEqual(['problem', 'problem']);
    });
  }

  test('an archive with two passwords: the known one is reused, the user is asked only for the other', async () => {
    const { items, asked } = await run('mixed-passwords.zip', ['infected', 'second-secret']);
    expect(asked).toEqual([
      { archive: 'mixed-passwords.zip', member: 'a.csv', attempt: 1 },
      { archive: 'mixed-passwords.zip', member: 'c.csv', attempt: 1 },
    ]);
    expect(await summary(items)).toEqual([
      `mixed-passwords.zip › a.csv = ${SMALL_CSV}`,
      `mixed-passwords.zip › b.csv = ${NETWORK_CSV}`,
      `mixed-passwords.zip › c.csv = ${PROCESS_CSV}`,
      `mixed-passwords.zip › d.txt = ${NOTES_TXT}`,
    ]);
  });

  test('giving up on one member of an archive: members the known password opens still come out, others are not asked about', async () => {
    const { items, asked } = await run('mixed-passwords.zip', ['infected', null]);
    expect(asked.map((r) => r.member)).toEqual(['a.csv', 'c.csv']);
    expect(await summary(items)).toEqual([
      `mixed-passwords.zip › a.csv = ${SMALL_CSV}`,
      `mixed-passwords.zip › b.csv = ${NETWORK_CSV}`,
      '! mixed-passwords.zip › c.csv: password-protected; no password given',
      `mixed-passwords.zip › d.txt = ${NOTES_TXT}`,
    ]);
  });

  test('nested archives: a password that opened the outer archive is tried on the inner one without asking', async () => {
    const { items, asked } = await run('nested-infected.zip', ['infected']);
    expect(asked).toEqual([{ archive: 'nested-infected.zip', member: 'sample.csv', attempt: 1 }]);
    expect(await summary(items)).toEqual([
      `nested-infected.zip › sample.csv = ${SMALL_CSV}`,
      `nested-infected.zip › inner.zip › inner.csv = ${NETWORK_CSV}`,
      expect.stringMatching(/^! nested-infected\.zip › broken\.zip: not a readable zip: its table of contents .* missing/),
    ]);
  });

  test('ZipCrypto: a wrong password that passes the one-byte check (1 in 256) is asked again, not taken as damage', async () => {
    // Find such a password for this fixture: zip.js checks only the header byte with checkPasswordOnly.
    const reader = new ZipReader(new BlobReader(fixture('zipcrypto-infected.zip')));
    const first = (await reader.getEntries())[0] as FileEntry;
    let lucky = '';
    for (let i = 0; lucky === '' && i < 20_000; i++) {
      try {
        await first.getData(new BlobWriter(), { password: `guess-${i}`, checkPasswordOnly: true });
        lucky = `guess-${i}`;
      } catch {
        // the usual case: the check byte differs
      }
    }
    expect(lucky).not.toBe('');

    const retry = await run('zipcrypto-infected.zip', [lucky, 'infected']);
    expect(retry.asked.map((r) => `${r.member} ${r.attempt}`)).toEqual(['sample-1.csv 1', 'sample-1.csv 2']);
    expect(retry.items.map((i) => i.kind)).toEqual(['member', 'member']);

    // The same password given twice for the same member: the member is reported as damaged, and the walk goes on.
    const twice = await run('zipcrypto-infected.zip', [lucky, lucky, null]);
    expect(twice.asked.map((r) => `${r.member} ${r.attempt}`)).toEqual(['sample-1.csv 1', 'sample-1.csv 2', 'sample-2.csv 1']);
    expect(await summary(twice.items)).toEqual([
      expect.stringMatching(/^! zipcrypto-infected\.zip › sample-1\.csv: damaged: /),
      '! zipcrypto-infected.zip › sample-2.csv: password-protected; no password given',
    ]);
  });

  test('the password appears in no problem text and no progress text', async () => {
    const { items, progress } = await run('zipcrypto-infected.zip', ['wrong-one', null]);
    const texts = [...(await summary(items)), ...progress].join('\n');
    expect(texts).not.toMatch(/wrong-one|infected\b(?!\.zip)/);
  });
});

describe('damage', () => {
  test('a truncated zip is one problem naming the archive and the cause', async () => {
    const { items } = await run('truncated.zip');
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ kind: 'problem', path: 'truncated.zip' });
    expect((items[0] as ContainerProblem).problem).toMatch(/table of contents .* missing.*cut short/);
  });

  test('a member failing its CRC check is a problem naming it; the other members still come out', async () => {
    const { items } = await run('corrupt-member.zip');
    expect(await summary(items)).toEqual([
      `corrupt-member.zip › good-1.csv = ${SMALL_CSV}`,
      '! corrupt-member.zip › damaged.csv: damaged: its contents do not match their checksum (CRC-32)',
      `corrupt-member.zip › good-2.csv = ${NETWORK_CSV}`,
    ]);
  });

  test('an unsupported compression method is named; the other members still come out', async () => {
    const { items } = await run('unsupported-method.zip');
    expect(await summary(items)).toEqual([
      '! unsupported-method.zip › bzip2.csv: packed with bzip2 compression (method 12), which cannot be unpacked here; re-pack it as an ordinary (Deflate) zip',
      `unsupported-method.zip › plain.csv = ${NETWORK_CSV}`,
    ]);
  });

  test('a corrupt gzip is a problem', async () => {
    const { items } = await run('corrupt.jsonl.gz');
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ kind: 'problem', path: 'corrupt.jsonl.gz' });
    expect((items[0] as ContainerProblem).problem).toMatch(/^damaged gzip file: its compressed data is corrupt or cut short/);
  });

  test('a truncated gzip is a problem', async () => {
    const whole = fixture('events.jsonl.gz');
    const items: Item[] = [];
    for await (const item of expandContainer(whole.slice(0, whole.size - 12), 'cut.jsonl.gz', { askPassword: async () => null })) items.push(item);
    expect(items).toMatchObject([{ kind: 'problem', path: 'cut.jsonl.gz', problem: expect.stringMatching(/^damaged gzip file/) }]);
  });

  test('a gzipped tar is refused, by name and by content', async () => {
    expect(await summary((await run('logs.tgz')).items)).toEqual([
      '! logs.tgz: a gzipped tar archive (.tar.gz / .tgz); tar is not supported here: unpack it and load the files inside',
    ]);
    const items: Item[] = [];
    for await (const item of expandContainer(fixture('logs.tgz'), 'logs.gz', { askPassword: async () => null })) items.push(item);
    expect(items).toMatchObject([{ kind: 'problem', path: 'logs.gz', problem: expect.stringMatching(/gzipped tar archive/) }]);
  });
});

describe('zip bombs (limits lowered for the test; the real ones are 1 GiB and 1000:1)', () => {
  test('the real limits', () => {
    expect(CONTAINER_LIMITS).toEqual({ maxDepth: 4, bombBytes: 2 ** 30, bombRatio: 1000 });
  });

  test('with the real limits, 64 KiB of zeros at ~600:1 is an ordinary member', async () => {
    const { items } = await run('high-ratio.zip');
    expect(items.map((i) => i.kind)).toEqual(['member', 'member']);
    expect((items[0] as ContainerMember).file.size).toBe(64 * 1024);
  });

  test('a zip member over the size limit AND over the ratio limit is refused, saying why', async () => {
    Object.assign(CONTAINER_LIMITS, { bombBytes: 1024, bombRatio: 100 });
    const { items } = await run('high-ratio.zip');
    expect(items[0]).toMatchObject({ kind: 'problem', path: 'high-ratio.zip › zeros.bin' });
    expect((items[0] as ContainerProblem).problem).toMatch(/^refused as a likely zip bomb: it would unpack to 64 KiB \(more than 1\.0 KiB\) from \d+ bytes, a ratio of \d+:1 \(more than 100:1\)$/);
    expect(items[1]).toMatchObject({ kind: 'member', path: 'high-ratio.zip › normal.csv' });
  });

  test('over the size limit but not the ratio (or the reverse) is fine', async () => {
    Object.assign(CONTAINER_LIMITS, { bombBytes: 1024, bombRatio: 10_000 });
    expect((await run('high-ratio.zip')).items.map((i) => i.kind)).toEqual(['member', 'member']);
    Object.assign(CONTAINER_LIMITS, { bombBytes: 1024 * 1024, bombRatio: 10 });
    expect((await run('high-ratio.zip')).items.map((i) => i.kind)).toEqual(['member', 'member']);
  });

  test('a gzip is measured as it inflates and stopped', async () => {
    Object.assign(CONTAINER_LIMITS, { bombBytes: 1024, bombRatio: 100 });
    const { items } = await run('zeros.bin.gz');
    expect(items).toMatchObject([{ kind: 'problem', path: 'zeros.bin.gz', problem: expect.stringMatching(/^refused as a likely gzip bomb: it unpacks to more than 1\.0 KiB from 96 bytes, a ratio above 100:1$/) }]);
  });
});

describe('abort', () => {
  test('an already aborted signal stops before anything is read', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(run('nested-folders.zip', [], controller.signal)).rejects.toMatchObject({ name: 'AbortError' });
  });

  test('aborting between members ends the walk with the abort reason', async () => {
    const controller = new AbortController();
    const seen: string[] = [];
    const walk = async () => {
      for await (const item of expandContainer(fixture('zip-in-zip.zip'), 'zip-in-zip.zip', { askPassword: async () => null, signal: controller.signal })) {
        seen.push(item.path);
        controller.abort();
      }
    };
    await expect(walk()).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen).toEqual(['zip-in-zip.zip › first.csv']);
  });

  test('aborting while the password prompt is open ends the walk', async () => {
    const controller = new AbortController();
    const walk = async () => {
      const opts = {
        askPassword: async () => {
          controller.abort();
          return 'infected';
        },
        signal: controller.signal,
      };
      for await (const item of expandContainer(fixture('aes256-infected.zip'), 'aes256-infected.zip', opts)) void item;
    };
    await expect(walk()).rejects.toMatchObject({ name: 'AbortError' });
  });
});
