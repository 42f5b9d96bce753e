/**
 * Native .evtx reader. Fixtures: tests/fixtures/evtx (written by tests/tools/make-evtx-fixtures.mjs, see its
 * README); damaged variants are also made here in memory, with checksums fixed up where a test needs them valid.
 * The independent check against python-evtx and real files is tests/samples/evtx-reference.test.ts.
 */
import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { OTHER_EVENTS_SKIP, readEvtx, type EvtxBatch, type EvtxProblem } from '../../src/lib/ingest/evtx-reader';
import { readWindowsEventXml } from '../../src/lib/ingest/windows-xml';
import type { JsonItem } from '../../src/lib/ingest/json-reader';
import { WatchedBlob } from '../support/watched-blob';

const R = 2 ** 20;
const CHUNK = 0x10000;
const HEADER = 0x1000;
const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`../fixtures/evtx/${name}`, import.meta.url)));

type Options = { batchRows?: number; signal?: AbortSignal; eventIds?: ReadonlySet<string> };
interface Read { batches: EvtxBatch[]; items: JsonItem[]; problems: EvtxProblem[]; notes: string[] }

async function readAll(bytes: Uint8Array<ArrayBuffer> | Blob, opts: Options = {}): Promise<Read> {
  const file = bytes instanceof Blob ? bytes : new Blob([bytes]);
  const batches: EvtxBatch[] = [];
  for await (const b of readEvtx(file, { batchRows: opts.batchRows ?? 1000, signal: opts.signal, eventIds: opts.eventIds })) batches.push(b);
  return {
    batches,
    items: batches.flatMap((b) => b.items),
    problems: batches.flatMap((b) => b.problems),
    notes: batches.flatMap((b) => b.notes),
  };
}

interface EventRow { System: Record<string, unknown>; EventData?: Record<string, unknown> }
const event = (item: JsonItem | undefined) => (item?.row as { Event: EventRow }).Event;

/** Recompute a chunk's records and header checksums after a test edits it (keeping it "valid" but different). */
function fixChunkChecksums(bytes: Uint8Array, chunk: number): void {
  const at = HEADER + chunk * CHUNK;
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  const free = view.getUint32(at + 0x30, true);
  view.setUint32(at + 0x34, crc32(bytes.subarray(at + 0x200, at + free)), true);
  view.setUint32(at + 0x7c, crc32(bytes.subarray(at + 0x80, at + 0x200), crc32(bytes.subarray(at, at + 0x78))), true);
}

/** Chunk offsets of the records in a chunk, read from their headers. */
function recordOffsets(bytes: Uint8Array, chunk: number): number[] {
  const at = HEADER + chunk * CHUNK;
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  const out: number[] = [];
  for (let p = 0x200; p < view.getUint32(at + 0x30, true); p += view.getUint32(at + p + 4, true)) out.push(p);
  return out;
}

const SYSMON_PROVIDER = { '#attributes': { Name: 'Microsoft-Windows-Sysmon', Guid: '{5770385F-C22A-43E0-BF4C-06F5698FFBD9}' } };
const SECURITY_PROVIDER = { '#attributes': { Name: 'Microsoft-Windows-Security-Auditing', Guid: '{54849625-5478-4994-A5BA-3E3B0328C30D}' } };
const HASHES = 'SHA1=5B1D3E0F6A2C4B8D9E7F10213243546576879809,MD5=0A1B2C3D4E5F60718293A4B5C6D7E8F9,SHA256=1F2E3D4C5B6A79880716253443526170F1E2D3C4B5A6978800112233445566AA,IMPHASH=AABBCCDDEEFF00112233445566778899';

const NET_SYSMON_ROW = {
  Event: {
    System: {
      Provider: SYSMON_PROVIDER,
      EventID: '1', Version: '5', Level: '4', Task: '1', Opcode: '0', Keywords: '0x8000000000000000',
      TimeCreated: { '#attributes': { SystemTime: '2024-10-09T14:51:30.1234567Z' } },
      EventRecordID: '48213',
      Correlation: '',
      Execution: { '#attributes': { ProcessID: '3312', ThreadID: '4120' } },
      Channel: 'Microsoft-Windows-Sysmon/Operational',
      Computer: 'WS-CONTOSO-07.contoso.local',
      Security: { '#attributes': { UserID: 'S-1-5-18' } },
    },
    EventData: {
      RuleName: '-',
      UtcTime: '2024-10-09 14:51:30.123',
      ProcessGuid: '{7D1E52A0-9B4E-6706-3A01-000000001B00}',
      ProcessId: '5416',
      Image: 'C:\\Windows\\System32\\net.exe',
      FileVersion: '10.0.19041.1 (WinBuild.160101.0800)',
      Description: 'Net Command',
      Product: 'Microsoft® Windows® Operating System',
      Company: 'Microsoft Corporation',
      OriginalFileName: 'net.exe',
      CommandLine: 'net  user',
      CurrentDirectory: 'C:\\Users\\alice\\',
      User: 'CONTOSO\\alice',
      LogonGuid: '{7D1E52A0-8C12-6706-645E-3B0000000000}',
      LogonId: '0x3b5e64',
      TerminalSessionId: '1',
      IntegrityLevel: 'Medium',
      Hashes: HASHES,
      ParentProcessGuid: '{7D1E52A0-9A77-6706-2F01-000000001B00}',
      ParentProcessId: '6032',
      ParentImage: 'C:\\Windows\\System32\\cmd.exe',
      ParentCommandLine: '"C:\\Windows\\system32\\cmd.exe" ',
      ParentUser: 'CONTOSO\\alice',
    },
  },
};

const NET_SECURITY_ROW = {
  Event: {
    System: {
      Provider: SECURITY_PROVIDER,
      EventID: '4688', Version: '2', Level: '0', Task: '13312', Opcode: '0', Keywords: '0x8020000000000000',
      TimeCreated: { '#attributes': { SystemTime: '2024-10-09T14:51:30.1250000Z' } },
      EventRecordID: '902311',
      Correlation: '',
      Execution: { '#attributes': { ProcessID: '4', ThreadID: '7720' } },
      Channel: 'Security',
      Computer: 'WS-CONTOSO-07.contoso.local',
      Security: '',
    },
    EventData: {
      SubjectUserSid: 'S-1-5-21-3623811015-3361044348-30300820-1104',
      SubjectUserName: 'alice',
      SubjectDomainName: 'CONTOSO',
      SubjectLogonId: '0x3b5e64',
      NewProcessId: '0x1528',
      NewProcessName: 'C:\\Windows\\System32\\net.exe',
      TokenElevationType: '%%1938',
      ProcessId: '0x1790',
      CommandLine: 'net  user',
      TargetUserSid: 'S-1-0-0',
      TargetUserName: '-',
      TargetDomainName: '-',
      TargetLogonId: '0x0',
      ParentProcessName: 'C:\\Windows\\System32\\cmd.exe',
      MandatoryLabel: 'S-1-16-8192',
    },
  },
};

describe('a clean file: Sysmon 1, Security 4688 and Sysmon 3 over two chunks', () => {
  test('every record in order, position = ordinal, record = position × 2^20; no problems or notes', async () => {
    const { items, problems, notes } = await readAll(fixture('contoso-clean.evtx'));
    expect(items.map((i) => [i.position, i.record])).toEqual([1, 2, 3, 4, 5, 6].map((p) => [p, p * R]));
    expect(items.map((i) => event(i).System.EventRecordID)).toEqual(['48213', '48214', '902311', '902312', '48230', '48231']);
    expect(problems).toEqual([]);
    expect(notes).toEqual([]);
  });

  test('Sysmon 1 (net.exe): the exact evtx_dump-shaped row, every value rendered as Windows renders it', async () => {
    const { items } = await readAll(fixture('contoso-clean.evtx'));
    expect(items[0]!.row).toEqual(NET_SYSMON_ROW);
  });

  test('Security 4688: SIDs, hex ids, NUL-terminated strings cut, null UserID leaves Security empty', async () => {
    const { items } = await readAll(fixture('contoso-clean.evtx'));
    expect(items[2]!.row).toEqual(NET_SECURITY_ROW);
  });

  test('the second record reuses the chunk\'s templates by offset; the net1.exe child and its 4688 twin read right', async () => {
    const { items } = await readAll(fixture('contoso-clean.evtx'));
    expect(event(items[1]).EventData).toMatchObject({
      ProcessId: '6968', Image: 'C:\\Windows\\System32\\net1.exe', OriginalFileName: 'net1.exe',
      CommandLine: 'C:\\Windows\\system32\\net1  user', ParentImage: 'C:\\Windows\\System32\\net.exe', ParentProcessId: '5416',
    });
    expect(event(items[1]).System.TimeCreated).toEqual({ '#attributes': { SystemTime: '2024-10-09T14:51:30.1408890Z' } });
    expect(event(items[3]).EventData).toMatchObject({ NewProcessId: '0x1b38', NewProcessName: 'C:\\Windows\\System32\\net1.exe', ProcessId: '0x1528' });
  });

  test('the renamed binary keeps its OriginalFileName (the templates are redefined in the second chunk)', async () => {
    const { items } = await readAll(fixture('contoso-clean.evtx'));
    expect(event(items[4]).EventData).toMatchObject({
      Image: 'C:\\Users\\alice\\AppData\\Local\\Temp\\svch0st.exe', OriginalFileName: 'net.exe', CommandLine: 'svch0st.exe user /domain',
    });
  });

  test('Sysmon 3: booleans and port numbers', async () => {
    const { items } = await readAll(fixture('contoso-clean.evtx'));
    expect(event(items[5]).System.EventID).toBe('3');
    expect(event(items[5]).EventData).toEqual({
      RuleName: '-', UtcTime: '2024-10-09 15:02:10.917', ProcessGuid: '{7D1E52A0-9B51-6706-3C01-000000001B00}', ProcessId: '2204',
      Image: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', User: 'CONTOSO\\alice', Protocol: 'tcp',
      Initiated: 'true', SourceIsIpv6: 'false', SourceIp: '10.20.7.41', SourceHostname: 'WS-CONTOSO-07.contoso.local',
      SourcePort: '51544', SourcePortName: '-', DestinationIsIpv6: 'false', DestinationIp: '192.0.2.80',
      DestinationHostname: '-', DestinationPort: '443', DestinationPortName: 'https',
    });
  });

  test('the same event saved as XML by Windows gives the same row through the XML reader', async () => {
    const xml = `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Security-Auditing' Guid='{54849625-5478-4994-A5BA-3E3B0328C30D}'/><EventID>4688</EventID><Version>2</Version><Level>0</Level><Task>13312</Task><Opcode>0</Opcode><Keywords>0x8020000000000000</Keywords><TimeCreated SystemTime='2024-10-09T14:51:30.1250000Z'/><EventRecordID>902311</EventRecordID><Correlation/><Execution ProcessID='4' ThreadID='7720'/><Channel>Security</Channel><Computer>WS-CONTOSO-07.contoso.local</Computer><Security/></System><EventData><Data Name='SubjectUserSid'>S-1-5-21-3623811015-3361044348-30300820-1104</Data><Data Name='SubjectUserName'>alice</Data><Data Name='SubjectDomainName'>CONTOSO</Data><Data Name='SubjectLogonId'>0x3b5e64</Data><Data Name='NewProcessId'>0x1528</Data><Data Name='NewProcessName'>C:\\Windows\\System32\\net.exe</Data><Data Name='TokenElevationType'>%%1938</Data><Data Name='ProcessId'>0x1790</Data><Data Name='CommandLine'>net  user</Data><Data Name='TargetUserSid'>S-1-0-0</Data><Data Name='TargetUserName'>-</Data><Data Name='TargetDomainName'>-</Data><Data Name='TargetLogonId'>0x0</Data><Data Name='ParentProcessName'>C:\\Windows\\System32\\cmd.exe</Data><Data Name='MandatoryLabel'>S-1-16-8192</Data></EventData></Event>`;
    const fromXml: JsonItem[] = [];
    for await (const b of readWindowsEventXml(new Blob([xml]), { batchRows: 10 })) fromXml.push(...b.items);
    expect(fromXml[0]!.row).toEqual(NET_SECURITY_ROW);
  });
});

describe('value types and markup (value-types.evtx)', () => {
  test('every scalar type, formatted as Windows formats it', async () => {
    const { items } = await readAll(fixture('value-types.evtx'));
    expect(items).toHaveLength(2);
    expect(event(items[0]).System).toMatchObject({
      EventID: '4242', Keywords: '0x80000000000000',
      Correlation: { '#attributes': { ActivityID: '{A1B2C3D4-0001-0002-0003-0A0B0C0D0E0F}' } },
      Security: { '#attributes': { UserID: 'S-1-5-21-1004336348-1177238915-682003330-1109' } },
    });
    expect(event(items[0]).EventData).toEqual({
      Int8: '-5', UInt8: '200', Int16: '-300', UInt16: '65000', Int32: '-70000', UInt32: '4000000000',
      Int64: '-5000000000000', UInt64: '18446744073709551615', Real32: '1.5', Real64: '-2.25', Bool: 'false',
      Binary: '00FF10AB', Guid: '{00112233-4455-6677-8899-AABBCCDDEEFF}', SizeT: '0x7ff6a000',
      FileTime: '2021-03-04T05:06:07.0000001Z', SysTime: '2022-12-31T23:59:58.7650000Z', Sid: 'S-1-5-32-544',
      HexInt32: '0xc0000022', HexInt64: '0x1fffff', Ansi: 'plain ANSI', Null: '', Empty: '',
    });
  });

  test('arrays repeat their element; CDATA, references and text join; PI ignored; null dependency drops the element', async () => {
    const { items } = await readAll(fixture('value-types.evtx'));
    expect(event(items[1]).EventData).toEqual({
      Strings: 'alpha', Strings1: 'beta', Strings2: '',
      Ports: '80', Ports1: '443',
      // LeftOut depends on a null value: not there at all.
      Markup: 'a&bé<c> [x<y]',
      Data: 'first', Data1: 'second',
      Binary: 'DEADBEEF',
      UserData: { Setting: { '#attributes': { Mode: 'on' }, Value: '42' } },
      Ansi1252: 'café',
    });
  });
});

describe('damaged and unusual files', () => {
  test('dirty (copied off a running system): every complete record, including one past its chunk\'s recorded end, and a note', async () => {
    const { items, problems, notes } = await readAll(fixture('contoso-dirty.evtx'));
    expect(items.map((i) => event(i).System.EventRecordID)).toEqual(['48213', '48214', '902311', '902312', '48230', '48231']);
    expect(items.every((i) => i.row !== undefined)).toBe(true);
    expect(problems).toEqual([]);
    expect(notes).toEqual([
      'the file was not closed cleanly (its dirty flag is set; its header counts 1 chunk but 2 hold records; ' +
      "its header's next record number (4) is not past the last record (6); 1 record lay past the recorded end of chunk 1), " +
      'as when it is copied off a running system: every complete record was read',
    ]);
  });

  test('a chunk whose records checksum fails is skipped with a problem naming it; the other chunk still reads', async () => {
    const { items, problems } = await readAll(fixture('contoso-corrupt-chunk.evtx'));
    expect(items.map((i) => [i.position, event(i).System.EventRecordID])).toEqual([[1, '48213'], [2, '48214'], [3, '902311']]);
    expect(problems).toEqual([{ chunk: 1, problem: 'chunk 1 (offset 0x11000): records checksum mismatch; skipped' }]);
  });

  test('the damaged chunk comes first: later chunks still read, positions stay in reading order', async () => {
    const bytes = fixture('contoso-clean.evtx');
    bytes[HEADER + 0x400] = bytes[HEADER + 0x400]! ^ 0xff;
    const { items, problems } = await readAll(bytes);
    expect(items.map((i) => [i.position, event(i).System.EventRecordID])).toEqual([[1, '902312'], [2, '48230'], [3, '48231']]);
    expect(problems).toEqual([{ chunk: 0, problem: 'chunk 0 (offset 0x1000): records checksum mismatch; skipped' }]);
  });

  test('a chunk header checksum mismatch skips that chunk', async () => {
    const bytes = fixture('contoso-clean.evtx');
    bytes[HEADER + CHUNK + 0x100] = 0x55; // inside the string table, covered by the header checksum
    const { items, problems } = await readAll(bytes);
    expect(items).toHaveLength(3);
    expect(problems).toEqual([{ chunk: 1, problem: 'chunk 1 (offset 0x11000): header checksum mismatch; skipped' }]);
  });

  test('in a dirty file a stale records checksum is expected: its well-framed records are read, with a problem', async () => {
    const bytes = fixture('contoso-dirty.evtx');
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    view.setUint32(HEADER + 0x34, view.getUint32(HEADER + 0x34, true) ^ 1, true); // chunk 0's records checksum
    view.setUint32(HEADER + 0x7c, crc32(bytes.subarray(HEADER + 0x80, HEADER + 0x200), crc32(bytes.subarray(HEADER, HEADER + 0x78))), true);
    const { items, problems } = await readAll(bytes);
    expect(items).toHaveLength(6);
    expect(problems).toEqual([{
      chunk: 0,
      problem: 'chunk 0 (offset 0x1000): records checksum mismatch, as in a chunk being written when a log is copied ' +
        "(the file's dirty flag is set): 3 well-formed records were read but cannot be verified",
    }]);
  });

  test('a record cut short at the end of the file is dropped with a problem; the ones before it are kept', async () => {
    const { items, problems } = await readAll(fixture('contoso-truncated.evtx'));
    expect(items.map((i) => event(i).System.EventRecordID)).toEqual(['48213', '48214', '902311', '902312', '48230']);
    expect(problems).toEqual([
      { chunk: 1, problem: 'chunk 1 (offset 0x11000): the file ends inside this chunk (6224 of 65536 bytes), so its records checksum cannot be checked' },
      { chunk: 1, problem: 'chunk 1 (offset 0x11000): record 6 (chunk offset 0x1828) is cut short by the end of the file; dropped' },
    ]);
  });

  test('a file cut inside a chunk header loses that chunk, with a problem', async () => {
    const bytes = fixture('contoso-clean.evtx').subarray(0, HEADER + CHUNK + 100);
    const { items, problems } = await readAll(bytes);
    expect(items).toHaveLength(3);
    expect(problems).toEqual([{ chunk: 1, problem: 'chunk 1 (offset 0x11000): the file ends inside the chunk header (100 of 512 bytes); its records are lost; skipped' }]);
  });

  test('unused (all-zero) chunks are skipped silently; garbage where a chunk should be is a problem', async () => {
    const clean = fixture('contoso-clean.evtx');
    const zeros = await readAll(new Blob([clean, new Uint8Array(CHUNK)]));
    expect([zeros.items.length, zeros.problems]).toEqual([6, []]);
    const garbage = new Uint8Array(CHUNK).fill(0x41);
    const bad = await readAll(new Blob([clean, garbage]));
    expect(bad.items).toHaveLength(6);
    expect(bad.problems).toEqual([{ chunk: 2, problem: 'chunk 2 (offset 0x21000): not a chunk (no ElfChnk signature); skipped' }]);
  });

  test('a file header checksum mismatch is a problem, not a failure', async () => {
    const bytes = fixture('contoso-clean.evtx');
    bytes[0x30] = 0x01;
    const { items, problems } = await readAll(bytes);
    expect(items).toHaveLength(6);
    expect(problems).toEqual([{ chunk: null, problem: 'file header checksum mismatch; its counts are not trusted' }]);
  });

  test('a header counting more chunks than the file holds says the file seems cut short', async () => {
    const bytes = fixture('contoso-clean.evtx').slice(0, HEADER + CHUNK);
    const { items, problems } = await readAll(bytes);
    expect(items).toHaveLength(3);
    expect(problems).toEqual([{ chunk: null, problem: 'the header counts 2 chunks but the file holds 1: it seems cut short' }]);
  });

  test('a record whose binary XML is damaged (checksums still valid) becomes a reject; its neighbours read', async () => {
    const bytes = fixture('contoso-clean.evtx');
    const second = recordOffsets(bytes, 0)[1]!;
    // The record's template instance: fragment header (4), token, reserved byte, template id (4), then the offset.
    new DataView(bytes.buffer, bytes.byteOffset).setUint32(HEADER + second + 24 + 10, 0xfff0, true);
    fixChunkChecksums(bytes, 0);
    const { items, problems } = await readAll(bytes);
    expect(problems).toEqual([]);
    expect(items.map((i) => i.reject === undefined)).toEqual([true, false, true, true, true, true]);
    expect(items[1]).toEqual({ position: 2, record: 2 * R, reject: 'unreadable event record 2 in chunk 0 (offset 0x1000): template offset 0xfff0 is outside the chunk' });
  });

  test('a value type that does not exist makes a reject that names it', async () => {
    const bytes = fixture('contoso-clean.evtx');
    const first = recordOffsets(bytes, 0)[0]!;
    // Level (value 0) is the first descriptor after the System template definition; find its type byte (uint8 = 4).
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    const definition = view.getUint32(HEADER + first + 24 + 10, true);
    const values = definition + 24 + view.getUint32(HEADER + definition + 20, true);
    expect(bytes[HEADER + values + 4 + 2]).toBe(0x04);
    bytes[HEADER + values + 4 + 2] = 0x7f;
    fixChunkChecksums(bytes, 0);
    const { items } = await readAll(bytes);
    expect(items[0]!.reject).toBe('unreadable event record 1 in chunk 0 (offset 0x1000): unknown value type 0x7f');
    expect(items.filter((i) => i.row !== undefined)).toHaveLength(5);
  });

  test('random damage inside records (checksums fixed up) never throws or hangs: every record is a row or a reject', async () => {
    const clean = fixture('contoso-clean.evtx');
    let seed = 0x5eed;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    let rejects = 0;
    for (let round = 0; round < 300; round++) {
      const bytes = clean.slice();
      const chunk = round % 2;
      const offsets = recordOffsets(bytes, chunk);
      const free = new DataView(bytes.buffer).getUint32(HEADER + chunk * CHUNK + 0x30, true);
      for (let n = 1 + Math.floor(random() * 4); n > 0; n--) {
        // Anywhere after a record's 24-byte header and before its size copy: binary XML, names, templates, values.
        const record = offsets[Math.floor(random() * offsets.length)]!;
        const end = offsets.find((o) => o > record) ?? free;
        const at = HEADER + chunk * CHUNK + record + 24 + Math.floor(random() * (end - record - 28));
        bytes[at] = Math.floor(random() * 256);
      }
      fixChunkChecksums(bytes, chunk);
      const { items } = await readAll(bytes);
      expect(items).toHaveLength(6);
      for (const item of items) expect((item.row === undefined) !== (item.reject === undefined)).toBe(true);
      rejects += items.filter((i) => i.reject !== undefined).length;
    }
    expect(rejects).toBeGreaterThan(0);
  });

  test('cut anywhere after its header, a file still reads: complete records only, never an exception', async () => {
    const clean = fixture('contoso-clean.evtx');
    let previous = 0;
    for (let cut = 0x80; cut <= clean.length; cut += 677) {
      const { items } = await readAll(clean.slice(0, cut));
      expect(items.every((i) => i.row !== undefined)).toBe(true);
      expect(items.length).toBeGreaterThanOrEqual(previous); // a longer prefix never yields fewer records
      previous = items.length;
    }
    expect(previous).toBe(6);
  });

  test('not an EVTX file: a clear error', async () => {
    await expect(readAll(new TextEncoder().encode('Timestamp,DeviceName\n2024-10-09,WS-1\n'))).rejects.toThrow(
      'not an EVTX file: it does not start with the "ElfFile" signature of Windows event logs');
    await expect(readAll(new Uint8Array(0))).rejects.toThrow('not an EVTX file: the file is empty');
    await expect(readAll(fixture('contoso-clean.evtx').subarray(0, 64))).rejects.toThrow('not a readable EVTX file: it ends inside its file header (64 bytes)');
  });
});

describe('event id filter, batches, reading, abort', () => {
  test('eventIds: other events become skips (their EventData is not rendered); kept ones are unchanged', async () => {
    const clean = fixture('contoso-clean.evtx');
    const all = await readAll(clean);
    const { items } = await readAll(clean, { eventIds: new Set(['1', '4688']) });
    expect(items.slice(0, 5)).toEqual(all.items.slice(0, 5));
    expect(items[5]).toEqual({ position: 6, record: 6 * R, skip: OTHER_EVENTS_SKIP });
    expect(OTHER_EVENTS_SKIP).toBe('other Windows events (not Sysmon 1 or Security 4688)');
    const security = await readAll(clean, { eventIds: new Set(['4688']) });
    expect(security.items.map((i) => (i.row ? event(i).System.EventRecordID : i.skip))).toEqual([
      OTHER_EVENTS_SKIP, OTHER_EVENTS_SKIP, '902311', '902312', OTHER_EVENTS_SKIP, OTHER_EVENTS_SKIP,
    ]);
  });

  test('batches hold at least batchRows items (whole chunks), then a last batch; bytesRead grows to the file size', async () => {
    const clean = fixture('contoso-clean.evtx');
    const one = await readAll(clean, { batchRows: 1 });
    expect(one.batches.map((b) => b.items.length)).toEqual([3, 3, 0]);
    expect(one.batches.map((b) => b.bytesRead)).toEqual([HEADER + CHUNK, HEADER + 2 * CHUNK, HEADER + 2 * CHUNK]);
    const four = await readAll(clean, { batchRows: 4 });
    expect(four.batches.map((b) => b.items.length)).toEqual([6, 0]);
    const many = await readAll(clean, { batchRows: 1000 });
    expect(many.batches.map((b) => b.items.length)).toEqual([6]);
    expect(many.batches[0]!.bytesRead).toBe(clean.length);
  });

  test('problems and notes come with the batch where they were found', async () => {
    const { batches } = await readAll(fixture('contoso-corrupt-chunk.evtx'), { batchRows: 1 });
    expect(batches.map((b) => [b.items.length, b.problems.length])).toEqual([[3, 0], [0, 1]]);
    const dirty = await readAll(fixture('contoso-dirty.evtx'), { batchRows: 1 });
    expect(dirty.batches.map((b) => b.notes.length)).toEqual([0, 0, 1]);
  });

  test('reads through Blob.slice a chunk group at a time, never the whole file at once', async () => {
    const clean = fixture('contoso-clean.evtx');
    const small = new WatchedBlob([clean]);
    const { items } = await readAll(small);
    expect(items).toHaveLength(6);
    expect(small.slices).toEqual([[0, HEADER], [HEADER, clean.length]]);
    // A large file: 40 chunks are read 16 (1 MiB) at a time.
    const big = new WatchedBlob([clean, new Uint8Array(38 * CHUNK)]);
    await readAll(big);
    expect(big.slices.map(([a, b]) => (b - a) / CHUNK)).toEqual([HEADER / CHUNK, 16, 16, 8]);
  });

  test('an aborted signal stops reading with an AbortError', async () => {
    const clean = fixture('contoso-clean.evtx');
    const before = new AbortController();
    before.abort();
    await expect(readAll(clean, { signal: before.signal })).rejects.toMatchObject({ name: 'AbortError' });

    const during = new AbortController();
    const seen: number[] = [];
    const reading = (async () => {
      for await (const b of readEvtx(new Blob([clean]), { batchRows: 1, signal: during.signal })) {
        seen.push(b.items.length);
        during.abort();
      }
    })();
    await expect(reading).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen).toEqual([3]);
  });
});
