/**
 * Windows event XML reader: Event Viewer "Save as XML", `wevtutil qe /f:xml` (also UTF-16 LE and /f:RenderedXml),
 * and hostile or broken input. Fixtures: tests/fixtures/windows-xml (hand-written, see its README).
 */
import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { looksLikeWindowsEventXml, readWindowsEventXml } from '../../src/lib/ingest/windows-xml';
import type { JsonItem } from '../../src/lib/ingest/json-reader';

const R = 2 ** 20;
const NS = 'http://schemas.microsoft.com/win/2004/08/events/event';
const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`../fixtures/windows-xml/${name}`, import.meta.url)));
const fixtureText = (name: string) => new TextDecoder().decode(fixture(name));

type Batch = { items: JsonItem[]; bytesRead: number };
type Options = { batchRows?: number; encoding?: 'utf-8' | 'utf-16le'; signal?: AbortSignal };

async function readAll(file: Blob, opts: Options = {}): Promise<{ batches: Batch[]; items: JsonItem[] }> {
  const batches: Batch[] = [];
  for await (const b of readWindowsEventXml(file, { batchRows: opts.batchRows ?? 1000, encoding: opts.encoding, signal: opts.signal })) batches.push(b);
  return { batches, items: batches.flatMap((b) => b.items) };
}

const itemsOf = async (file: Blob, opts: Options = {}) => (await readAll(file, opts)).items;
const textBlob = (text: string) => new Blob([text]);

/** A Blob cut into parts of `size` bytes; Node's Blob stream yields one chunk per part. */
function partsBlob(bytes: Uint8Array, size: number): Blob {
  const parts: BlobPart[] = [];
  for (let i = 0; i < bytes.length; i += size) parts.push(bytes.slice(i, i + size));
  return new Blob(parts);
}

function utf16le(text: string): Uint8Array {
  const out = new Uint8Array(2 + text.length * 2);
  out[0] = 0xff;
  out[1] = 0xfe;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out[2 + 2 * i] = c & 0xff;
    out[3 + 2 * i] = c >> 8;
  }
  return out;
}

const event = (item: JsonItem | undefined) => (item?.row as { Event: Record<string, Record<string, unknown>> }).Event;
const sysmonProvider = { '#attributes': { Name: 'Microsoft-Windows-Sysmon', Guid: '{5770385f-c22a-43e0-bf4c-06f5698ffbd9}' } };
const securityProvider = { '#attributes': { Name: 'Microsoft-Windows-Security-Auditing', Guid: '{54849625-5478-4994-a5ba-3e3b0328c30d}' } };

/** A minimal wevtutil line with the given EventData (or other children after System). */
const line = (id: number, body: string) =>
  `<Event xmlns='${NS}'><System><EventID>1</EventID><EventRecordID>${id}</EventRecordID></System>${body}</Event>`;

describe('Event Viewer "Save as XML" (<Events> root, several events on one line)', () => {
  test('Sysmon 1 and Security 4688 become evtx_dump-shaped rows, exactly', async () => {
    const items = await itemsOf(new Blob([fixture('event-viewer-saved.xml')]));
    expect(items.map((i) => [i.position, i.record])).toEqual([[2, 2 * R], [2, 2 * R + 1], [3, 3 * R]]);
    expect(items[0]!.row).toEqual({
      Event: {
        System: {
          Provider: sysmonProvider,
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
          ProcessGuid: '{7d1e52a0-9b4e-6706-3a01-000000001b00}',
          ProcessId: '5416',
          Image: 'C:\\Windows\\System32\\net.exe',
          FileVersion: '10.0.19041.1 (WinBuild.160101.0800)',
          Description: 'Net Command',
          Product: 'Microsoft® Windows® Operating System',
          Company: 'Microsoft Corporation',
          OriginalFileName: 'net.exe',
          CommandLine: 'net  group "Domain Admins" /domain',
          CurrentDirectory: 'C:\\Users\\alice\\',
          User: 'CONTOSO\\alice',
          LogonGuid: '{7d1e52a0-8c12-6706-645e-3b0000000000}',
          LogonId: '0x3b5e64',
          TerminalSessionId: '1',
          IntegrityLevel: 'Medium',
          Hashes: 'MD5=0A1B2C3D4E5F60718293A4B5C6D7E8F9,SHA256=1F2E3D4C5B6A79880716253443526170F1E2D3C4B5A6978800112233445566AA,IMPHASH=AABBCCDDEEFF00112233445566778899',
          ParentProcessGuid: '{7d1e52a0-9a77-6706-2f01-000000001b00}',
          ParentProcessId: '6032',
          ParentImage: 'C:\\Windows\\System32\\cmd.exe',
          ParentCommandLine: '"C:\\Windows\\system32\\cmd.exe" ',
          ParentUser: 'CONTOSO\\alice',
        },
      },
    });
    expect(items[1]!.row).toEqual({
      Event: {
        System: {
          Provider: securityProvider,
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
          NewProcessName: 'C:\\Windows\\System32\\net1.exe',
          TokenElevationType: '%%1938',
          ProcessId: '0x1a2c',
          CommandLine: 'C:\\Windows\\system32\\net1  group "Domain Admins" /domain',
          TargetUserSid: 'S-1-0-0',
          TargetUserName: '-',
          TargetDomainName: '-',
          TargetLogonId: '0x0',
          ParentProcessName: 'C:\\Windows\\System32\\net.exe',
          MandatoryLabel: 'S-1-16-8192',
        },
      },
    });
  });

  test('the Sysmon 3 event after them keeps its own line and fields', async () => {
    const items = await itemsOf(new Blob([fixture('event-viewer-saved.xml')]));
    expect(event(items[2]).System!.EventID).toBe('3');
    expect(event(items[2]).EventData).toEqual({
      RuleName: '-', UtcTime: '2024-10-09 14:52:00.917', ProcessGuid: '{7d1e52a0-9b51-6706-3c01-000000001b00}', ProcessId: '2204',
      Image: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', User: 'CONTOSO\\alice', Protocol: 'tcp',
      Initiated: 'true', SourceIsIpv6: 'false', SourceIp: '10.20.7.41', SourceHostname: 'WS-CONTOSO-07.contoso.local',
      SourcePort: '51544', SourcePortName: '-', DestinationIsIpv6: 'false', DestinationIp: '192.0.2.80',
      DestinationHostname: '-', DestinationPort: '443', DestinationPortName: 'https',
    });
  });
});

describe('wevtutil qe /f:xml (no root, one event per line, CRLF)', () => {
  test('each line is one event; a 4624 logon reads exactly, trailing spaces kept', async () => {
    const items = await itemsOf(new Blob([fixture('wevtutil.xml')]));
    expect(items.map((i) => [i.position, i.record, i.reject])).toEqual([[1, R, undefined], [2, 2 * R, undefined], [3, 3 * R, undefined], [4, 4 * R, undefined]]);
    expect(items.map((i) => event(i).System!.EventRecordID)).toEqual(['48301', '1184420', '1184431', '20417']);
    expect(items[2]!.row).toEqual({
      Event: {
        System: {
          Provider: securityProvider,
          EventID: '4624', Version: '2', Level: '0', Task: '12544', Opcode: '0', Keywords: '0x8020000000000000',
          TimeCreated: { '#attributes': { SystemTime: '2024-10-09T15:05:40.0012345Z' } },
          EventRecordID: '1184431',
          Correlation: { '#attributes': { ActivityID: '{a1b2c3d4-0001-0002-0003-0a0b0c0d0e0f}' } },
          Execution: { '#attributes': { ProcessID: '812', ThreadID: '5000' } },
          Channel: 'Security',
          Computer: 'SRV-FABRIKAM-02.fabrikam.com',
          Security: '',
        },
        EventData: {
          SubjectUserSid: 'S-1-0-0', SubjectUserName: '-', SubjectDomainName: '-', SubjectLogonId: '0x0',
          TargetUserSid: 'S-1-5-21-1004336348-1177238915-682003330-1109', TargetUserName: 'bob', TargetDomainName: 'FABRIKAM',
          TargetLogonId: '0x9c41d2', LogonType: '3', LogonProcessName: 'NtLmSsp ', AuthenticationPackageName: 'NTLM',
          WorkstationName: 'WS-CONTOSO-07', LogonGuid: '{00000000-0000-0000-0000-000000000000}', TransmittedServices: '-',
          LmPackageName: 'NTLM V2', KeyLength: '128', ProcessId: '0x0', ProcessName: '-', IpAddress: '10.20.7.41',
          IpPort: '51602', ImpersonationLevel: '%%1833', RestrictedAdminMode: '-', TargetOutboundUserName: '-',
          TargetOutboundDomainName: '-', VirtualAccount: '%%1843', TargetLinkedLogonId: '0x0', ElevatedToken: '%%1843',
        },
      },
    });
  });

  test('unnamed <Data> become Data, Data1, Data2… in order; EventID with Qualifiers keeps both', async () => {
    const msi = event((await itemsOf(new Blob([fixture('wevtutil.xml')])))[3]);
    expect(msi.System!.Provider).toEqual({ '#attributes': { Name: 'MsiInstaller' } });
    expect(msi.System!.EventID).toEqual({ '#attributes': { Qualifiers: '0' }, '#text': '11707' });
    expect(msi.EventData).toEqual({
      Data: 'Product: Northwind Inventory Agent -- Installation completed successfully.',
      Data1: '(NULL)',
      Data2: '(NULL)',
      Data3: '',
      Data4: '',
      Binary: '7B34453342424233452D413233312D344237412D393130302D3138433233303743383931307D',
    });
  });

  test('the UTF-16 LE fixture is wevtutil.xml re-encoded (as tests/tools/make-xml-fixtures.mjs writes it)', () => {
    expect(fixture('wevtutil-utf16le.xml')).toEqual(utf16le(fixtureText('wevtutil.xml')));
  });

  test('UTF-16 LE with a BOM reads the same, detected or declared; bytesRead counts bytes', async () => {
    const utf8 = await itemsOf(new Blob([fixture('wevtutil.xml')]));
    const bytes = fixture('wevtutil-utf16le.xml');
    for (const encoding of [undefined, 'utf-16le'] as const) {
      const { batches, items } = await readAll(new Blob([bytes]), { encoding });
      expect(items).toEqual(utf8);
      expect(batches.at(-1)!.bytesRead).toBe(bytes.length);
    }
    // Without a BOM, "<" followed by a NUL byte gives UTF-16 LE away.
    expect(await itemsOf(new Blob([bytes.slice(2)]))).toEqual(utf8);
  });
});

describe('wevtutil /f:RenderedXml', () => {
  test('RenderingInfo is kept under Event; a multi-line Message moves the next event\'s line', async () => {
    const items = await itemsOf(new Blob([fixture('wevtutil-rendered.xml')]));
    expect(items.map((i) => [i.position, i.record])).toEqual([[1, R], [8, 8 * R]]);
    expect(items[0]!.row).toEqual({
      Event: {
        System: {
          Provider: { '#attributes': { Name: 'Service Control Manager', Guid: '{555908d1-a6d7-4695-8e1e-26931d2012f4}', EventSourceName: 'Service Control Manager' } },
          EventID: { '#attributes': { Qualifiers: '16384' }, '#text': '7045' },
          Version: '0', Level: '4', Task: '0', Opcode: '0', Keywords: '0x8080000000000000',
          TimeCreated: { '#attributes': { SystemTime: '2024-10-09T16:20:05.7340000Z' } },
          EventRecordID: '8812',
          Correlation: '',
          Execution: { '#attributes': { ProcessID: '688', ThreadID: '7064' } },
          Channel: 'System',
          Computer: 'WS-CONTOSO-07.contoso.local',
          Security: { '#attributes': { UserID: 'S-1-5-21-3623811015-3361044348-30300820-1104' } },
        },
        EventData: {
          ServiceName: 'Tailspin Update Helper',
          ImagePath: '"C:\\ProgramData\\Tailspin\\helper.exe" -k run',
          ServiceType: 'user mode service',
          StartType: 'auto start',
          AccountName: 'LocalSystem',
        },
        RenderingInfo: {
          '#attributes': { Culture: 'en-US' },
          // XML reads a literal CR LF as LF; only &#x0D; keeps a CR.
          Message: 'A service was installed in the system.\n\nService Name:  Tailspin Update Helper\n' +
            'Service File Name:  "C:\\ProgramData\\Tailspin\\helper.exe" -k run\nService Type:  user mode service\n' +
            'Service Start Type:  auto start\nService Account:  LocalSystem',
          Level: 'Information',
          Task: '',
          Opcode: 'Info',
          Channel: '',
          Provider: 'Microsoft-Windows-Service Control Manager',
          Keywords: { Keyword: 'Classic' },
        },
      },
    });
    expect((event(items[1]).RenderingInfo as { Message: string }).Message).toBe(
      'An account was logged off.\n\nSubject:\n\tSecurity ID:\t\tS-1-5-21-3623811015-3361044348-30300820-1104\n' +
      '\tAccount Name:\t\talice\n\tAccount Domain:\t\tCONTOSO\n\tLogon ID:\t\t0x3B5E64\n\nLogon Type:\t\t\t2');
  });
});

describe('text decoding', () => {
  test('entities and character references are decoded in values', async () => {
    const [item] = await itemsOf(new Blob([fixture('entities.xml')]));
    expect(event(item).EventData!.SubjectUserName).toBe('jürgen');
    expect(event(item).EventData!.CommandLine).toBe('cmd.exe /c "echo Zahlung 5€ & 𝒳 <ok> "done" \'x\'"\r\nrem café 🔑');
  });

  test('CDATA is text; attribute values are decoded too', async () => {
    const [item] = await itemsOf(textBlob(line(1, "<EventData><Data Name='A'><![CDATA[a <b> & c]]></Data><Data Name='B' Type='x&amp;y'>v</Data></EventData>")));
    expect(event(item).EventData).toEqual({ A: 'a <b> & c', B: { '#attributes': { Type: 'x&y' }, '#text': 'v' } });
  });

  const readable = ['event-viewer-saved.xml', 'wevtutil.xml', 'wevtutil-rendered.xml', 'entities.xml', 'malformed-middle.xml', 'doctype-entities.xml'];
  test.each(readable)('%s: chunks of 1, 2, 3, 7, 64 and 4096 bytes read exactly like one chunk', async (name) => {
    const bytes = fixture(name);
    const whole = await itemsOf(new Blob([bytes]));
    expect(whole.length).toBeGreaterThan(0);
    for (const size of [1, 2, 3, 7, 64, 4096]) expect(await itemsOf(partsBlob(bytes, size))).toEqual(whole);
  });

  test('UTF-16: odd chunk sizes split code units and surrogate pairs', async () => {
    const text = fixtureText('entities.xml');
    const whole = await itemsOf(textBlob(text));
    expect(text).toMatch(/[\ud800-\udbff]/); // the fixture really holds characters outside the BMP
    for (const size of [1, 3, 5, 4097]) expect(await itemsOf(partsBlob(utf16le(text), size))).toEqual(whole);
  });

  test('every cut point in two events (inside "<Event", a tag, an entity, a multi-byte character) reads the same', async () => {
    const bytes = new TextEncoder().encode(line(7, "<EventData><Data Name='CommandLine'>caf&#233; 5€ 𝒳 &amp; x</Data></EventData>") + line(8, '<EventData/>'));
    const whole = await itemsOf(new Blob([bytes]));
    expect(whole.map((i) => event(i).System!.EventRecordID)).toEqual(['7', '8']);
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(await itemsOf(new Blob([bytes.slice(0, cut), bytes.slice(cut)]))).toEqual(whole);
    }
  });
});

describe('bad input', () => {
  test('malformed events are rejected by line and reading resumes at the next <Event>', async () => {
    const items = await itemsOf(new Blob([fixture('malformed-middle.xml')]));
    expect(items.map((i) => [i.position, i.record])).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((n) => [n, n * R]));
    expect(items.map((i) => (i.row ? event(i).System!.EventRecordID : i.reject))).toEqual([
      '501',
      'malformed XML: unexpected close tag (line 2)',
      '503',
      'malformed XML: unclosed tag: Channel (line 4)',
      '505',
      'malformed XML: content outside any <Event> element',
      'malformed XML: malformed character entity (line 7)',
      '507',
    ]);
  });

  test('a reject inside a multi-line event names the line of the error', async () => {
    const text = `<Event xmlns='${NS}'>\n<System>\n<EventID>1</EventID>\n<Bad attr=x/>\n</System>\n</Event>\n${line(2, '')}`;
    const items = await itemsOf(textBlob(text));
    expect(items.map((i) => [i.position, i.reject ?? 'row'])).toEqual([[1, 'malformed XML: unquoted attribute value (line 4)'], [7, 'row']]);
  });

  test('content between events on one line is rejected between them, in order', async () => {
    const items = await itemsOf(textBlob(`${line(1, '')}stray text${line(2, '')}<Events><!-- ok -->${line(3, '')}`));
    expect(items.map((i) => [i.record, i.reject ?? event(i).System!.EventRecordID])).toEqual([
      [R, '1'], [R + 1, 'malformed XML: content outside any <Event> element'], [R + 2, '2'], [R + 3, '3'],
    ]);
  });

  test('two exports concatenated (each with its BOM, declaration and <Events>) read as one', async () => {
    const saved = fixtureText('event-viewer-saved.xml');
    const items = await itemsOf(textBlob(`\ufeff${saved}\ufeff${saved}`));
    expect(items.map((i) => [i.position, i.reject ?? event(i).System!.EventRecordID])).toEqual([
      [2, '48213'], [2, '902311'], [3, '48219'], [5, '48213'], [5, '902311'], [6, '48219'],
    ]);
  });

  test('an event cut off at the end of the file is rejected, not dropped', async () => {
    const items = await itemsOf(textBlob(`${line(1, '')}\r\n<Event xmlns='${NS}'><System><EventID>1`));
    expect(items.map((i) => i.reject ?? 'row')).toEqual(['row', 'malformed XML: unclosed tag: EventID (line 2)']);
  });

  test('a DOCTYPE is never interpreted: no entity expansion, no <Event> taken from inside it', async () => {
    const started = performance.now();
    const { items } = await readAll(new Blob([fixture('doctype-entities.xml')]));
    expect(performance.now() - started).toBeLessThan(2000);
    expect(items.map((i) => [i.position, i.reject ?? (event(i).EventData as { CommandLine: string }).CommandLine])).toEqual([
      [17, 'malformed XML: undefined entity (line 17)'],
      [18, 'malformed XML: undefined entity (line 18)'],
      [19, 'hostname'],
    ]);
    expect(JSON.stringify(items)).not.toContain('lollol');
  });

  test('a DOCTYPE inside an event rejects that event only', async () => {
    const items = await itemsOf(textBlob(`${line(1, '<!DOCTYPE x [<!ENTITY a "b">]>')}\n${line(2, '')}`));
    expect(items.map((i) => i.reject ?? 'row')).toEqual(['malformed XML: inappropriately located doctype declaration (line 1)', 'row']);
  });

  test('hostile nesting and size are rejected without stopping the file', async () => {
    const deep = line(1, '<UserData>' + '<a>'.repeat(200) + 'x' + '</a>'.repeat(200) + '</UserData>');
    const huge = line(2, `<EventData><Data Name='CommandLine'>${'A'.repeat(5 * 1024 * 1024)}</Data></EventData>`);
    const items = await itemsOf(textBlob(`${deep}\n${huge}\n${line(3, '')}`));
    expect(items.map((i) => i.reject ?? 'row')).toEqual([
      'malformed XML: elements nested deeper than 64 (line 1)',
      'malformed XML: event longer than 4 MiB (line 2)',
      'row',
    ]);
  });

  test('names such as __proto__ and constructor are kept as plain keys', async () => {
    const [item] = await itemsOf(textBlob(line(1, "<EventData><Data Name='__proto__'>p</Data><Data Name='constructor'>c</Data><Data Name='toString'/></EventData>")));
    const data = event(item).EventData!;
    expect(Object.keys(data)).toEqual(['__proto__', 'constructor', 'toString']);
    expect([data['__proto__'], data.constructor, data.toString]).toEqual(['p', 'c', '']);
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
  });

  test.each([
    ['empty.xml', /the file is empty/],
    ['not-xml.csv', /not Windows event XML: expected <Events> or <Event> but found other content at line 1/],
    ['other-xml.xml', /not Windows event XML: expected <Events> or <Event> but found other content at line 2/],
  ])('%s is refused with a clear error', async (name, message) => {
    await expect(readAll(new Blob([fixture(name)]))).rejects.toThrow(message);
  });

  test('white space or only a declaration is refused; an empty <Events> export is not an error', async () => {
    await expect(readAll(textBlob(' \r\n '))).rejects.toThrow(/no <Events> or <Event> element/);
    await expect(readAll(textBlob('<?xml version="1.0"?>'))).rejects.toThrow(/no <Events> or <Event> element/);
    const { batches } = await readAll(new Blob([fixture('no-events.xml')]));
    expect(batches).toEqual([{ items: [], bytesRead: fixture('no-events.xml').length }]);
  });
});

describe('tree rules', () => {
  test('UserData nests by the general rule; namespace prefixes and declarations are dropped', async () => {
    const xml = `<e:Event xmlns:e='${NS}'><e:System><e:EventID>1102</e:EventID><e:Channel>Security</e:Channel></e:System>` +
      "<e:UserData><LogFileCleared xmlns='http://manifests.microsoft.com/win/2004/08/windows/eventlog'>" +
      '<SubjectUserSid>S-1-5-21-3623811015-3361044348-30300820-1104</SubjectUserSid><SubjectUserName>alice</SubjectUserName>' +
      '<SubjectDomainName>CONTOSO</SubjectDomainName><SubjectLogonId>0x3b5e64</SubjectLogonId></LogFileCleared></e:UserData></e:Event>';
    expect((await itemsOf(textBlob(xml)))[0]!.row).toEqual({
      Event: {
        System: { EventID: '1102', Channel: 'Security' },
        UserData: {
          LogFileCleared: {
            SubjectUserSid: 'S-1-5-21-3623811015-3361044348-30300820-1104', SubjectUserName: 'alice',
            SubjectDomainName: 'CONTOSO', SubjectLogonId: '0x3b5e64',
          },
        },
      },
    });
  });

  test('prefixed <e:Event> elements are cut apart like plain ones, also across chunks', async () => {
    const one = (id: number) => `<e:Event xmlns:e='${NS}'><e:System><e:EventRecordID>${id}</e:EventRecordID></e:System><e:EventData/></e:Event>`;
    const bytes = new TextEncoder().encode(`${one(1)}${one(2)}\n${one(3)}`);
    for (const size of [1, 5, bytes.length]) {
      const items = await itemsOf(partsBlob(bytes, size));
      expect(items.map((i) => [i.record, event(i).System!.EventRecordID, event(i).EventData])).toEqual([[R, '1', ''], [R + 1, '2', ''], [2 * R, '3', '']]);
    }
  });

  test('prefixed attributes keep their local name unless it is taken', async () => {
    const xml = `<Event xmlns='${NS}' xmlns:a='urn:a'><System><Provider a:Name='one' Name='two' a:Guid='g'/></System></Event>`;
    expect(event((await itemsOf(textBlob(xml)))[0]).System!.Provider).toEqual({ '#attributes': { 'a:Name': 'one', Name: 'two', Guid: 'g' } });
  });

  test('an element named Event nested in an event splits it, and every part is reported', async () => {
    const xml = `${line(1, "<UserData><Event xmlns=''><Item>x</Item></Event><After>y</After></UserData>")}\n${line(2, '')}`;
    expect((await itemsOf(textBlob(xml))).map((i) => i.reject ?? i.row)).toEqual([
      'malformed XML: unclosed tag: UserData (line 1)',
      { Event: { Item: 'x' } },
      'malformed XML: content outside any <Event> element',
      { Event: { System: { EventID: '1', EventRecordID: '2' } } },
    ]);
  });

  test('repeated names get numbers; named and unnamed <Data> mix without losing any', async () => {
    const body = "<EventData><Data Name='X'>1</Data><Data>a</Data><Data Name='X'>2</Data><Data Name=''>b</Data><Data Name='Data1'>c</Data></EventData>" +
      '<RenderingInfo><Keywords><Keyword>Audit Success</Keyword><Keyword>Classic</Keyword></Keywords></RenderingInfo>';
    const ev = event((await itemsOf(textBlob(line(1, body))))[0]);
    expect(ev.EventData).toEqual({ X: '1', Data: 'a', X1: '2', Data1: 'b', Data11: 'c' });
    expect(ev.RenderingInfo).toEqual({ Keywords: { Keyword: 'Audit Success', Keyword1: 'Classic' } });
  });

  test('white space: kept inside values, ignored between child elements', async () => {
    const xml = `<Event xmlns='${NS}'>\r\n  <System>\r\n    <EventID>1</EventID>\r\n  </System>\r\n  <EventData>\r\n    <Data Name='A'>  two  spaces  </Data>\r\n    <Data Name='B'> </Data>\r\n  </EventData>\r\n</Event>\r\n`;
    expect((await itemsOf(textBlob(xml)))[0]!.row).toEqual({ Event: { System: { EventID: '1' }, EventData: { A: '  two  spaces  ', B: ' ' } } });
  });
});

describe('batches and abort', () => {
  const tenEvents = Array.from({ length: 10 }, (_, i) => line(i + 1, '')).join('\r\n');

  test('batchRows 1 yields one item per batch; a large batchRows yields one batch; bytesRead grows to the size', async () => {
    const bytes = fixture('wevtutil.xml');
    const one = await readAll(partsBlob(bytes, 500), { batchRows: 1 });
    expect(one.batches.map((b) => b.items.length)).toEqual([1, 1, 1, 1]);
    const read = one.batches.map((b) => b.bytesRead);
    expect(read).toEqual([...read].sort((a, b) => a - b));
    expect(read[0]).toBeLessThan(bytes.length);
    expect(read.at(-1)).toBe(bytes.length);
    const big = await readAll(partsBlob(bytes, 500), { batchRows: 100_000 });
    expect(big.batches).toHaveLength(1);
    expect(big.items).toEqual(one.items);
  });

  test('batches hold exactly batchRows items, the last one the rest', async () => {
    const { batches, items } = await readAll(partsBlob(new TextEncoder().encode(tenEvents), 100), { batchRows: 3 });
    expect(batches.map((b) => b.items.length)).toEqual([3, 3, 3, 1]);
    expect(items.map((i) => i.position)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  test('an aborted signal stops reading with an AbortError and cancels the stream', async () => {
    const already = new AbortController();
    already.abort();
    await expect(readAll(textBlob(tenEvents), { signal: already.signal })).rejects.toMatchObject({ name: 'AbortError' });

    const bytes = new TextEncoder().encode(tenEvents);
    let cancelled = false;
    let offset = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        if (offset >= bytes.length) return c.close();
        c.enqueue(bytes.slice(offset, offset + 200));
        offset += 200;
      },
      cancel() {
        cancelled = true;
      },
    });
    const file = { size: bytes.length, stream: () => stream } as unknown as Blob;
    const controller = new AbortController();
    const seen: JsonItem[] = [];
    const reading = (async () => {
      for await (const b of readWindowsEventXml(file, { batchRows: 1, encoding: 'utf-8', signal: controller.signal })) {
        seen.push(...b.items);
        controller.abort();
      }
    })();
    await expect(reading).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen).toHaveLength(1);
    expect(cancelled).toBe(true);
    expect(offset).toBeLessThan(bytes.length);
  });
});

describe('looksLikeWindowsEventXml', () => {
  const prefixOf = (text: string) => text.replace(/^\ufeff/, '').trimStart();

  test.each(['event-viewer-saved.xml', 'wevtutil.xml', 'wevtutil-rendered.xml', 'entities.xml', 'doctype-entities.xml', 'no-events.xml'])('%s: yes', (name) => {
    expect(looksLikeWindowsEventXml(prefixOf(fixtureText(name)))).toBe(true);
  });

  test('prefixes cut short: inside the first tag, after <Events>, inside a long DOCTYPE', () => {
    expect(looksLikeWindowsEventXml(`<Event xmlns='http://schemas.micro`)).toBe(true);
    expect(looksLikeWindowsEventXml('<?xml version="1.0" encoding="UTF-16"?>\r\n<Events>')).toBe(true);
    expect(looksLikeWindowsEventXml('<!DOCTYPE Events [<!ENTITY a "')).toBe(true);
  });

  test.each([
    ['not-xml.csv', fixtureText('not-xml.csv')],
    ['other XML', fixtureText('other-xml.xml')],
    ['JSON', '{"Event":{"System":{}}}'],
    ['another product\'s <Events>', '<Events><Event><Id>1</Id><Message>x</Message></Event></Events>'],
    ['an <Events> root with other children', '<Events><Item/></Events>'],
    ['a closing tag first', '</Events>'],
    ['empty', ''],
  ])('%s: no', (_, text) => {
    expect(looksLikeWindowsEventXml(prefixOf(text))).toBe(false);
  });

  test('a prefixed <e:Event> counts; a prefix that is not a name does not', () => {
    expect(looksLikeWindowsEventXml(`<e:Event xmlns:e='${NS}'><e:System/></e:Event>`)).toBe(true);
    expect(looksLikeWindowsEventXml(`<1:Event xmlns='${NS}'/>`)).toBe(false);
  });

  test('an <Event> without the namespace still counts when it starts with <System>', () => {
    expect(looksLikeWindowsEventXml('<Event><System><Provider Name="x"/></System></Event>')).toBe(true);
  });
});
