// Writes the .evtx fixtures in tests/fixtures/evtx/ (see the README there). Run: node tests/tools/make-evtx-fixtures.mjs
//
// A small EVTX *writer*, written for this project from the public format descriptions (MS-EVEN6 binary XML, the
// libevtx/python-evtx notes on the file and chunk layout). It lays events out the way Windows does for Sysmon
// and Security logs: each record is a fragment holding an instance of a "System" template whose last value is a
// nested BinXml fragment with an instance of the provider's EventData template. Templates and names are written
// inline at their first use in a chunk and referenced by chunk offset after that; the chunk header carries the
// string and template hash tables and CRC-32s of its header and records; the file header its own CRC-32.
// Every value (hosts, users, GUIDs, hashes, times, ids) is invented.
import { mkdirSync, writeFileSync } from 'node:fs';

const OUT = new URL('../fixtures/evtx/', import.meta.url);
const CHUNK_SIZE = 0x10000;
const FILE_HEADER_SIZE = 0x1000;

// ------------------------------------------------------------------------------------------------------------------
// CRC-32 (zlib)

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes, crc = 0) {
  let c = ~crc >>> 0;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

// ------------------------------------------------------------------------------------------------------------------
// Values: [type, bytes]

const T = {
  null: 0x00, string: 0x01, ansi: 0x02, int8: 0x03, uint8: 0x04, int16: 0x05, uint16: 0x06, int32: 0x07, uint32: 0x08,
  int64: 0x09, uint64: 0x0a, real32: 0x0b, real64: 0x0c, bool: 0x0d, binary: 0x0e, guid: 0x0f, sizeT: 0x10,
  fileTime: 0x11, sysTime: 0x12, sid: 0x13, hex32: 0x14, hex64: 0x15, binXml: 0x21, stringArray: 0x81, uint16Array: 0x86,
};

function le(size, write) {
  const b = Buffer.alloc(size);
  write(b);
  return b;
}
const utf16 = (s, nul = false) => Buffer.from(nul ? `${s}\0` : s, 'utf16le');
const v = {
  null: () => [T.null, Buffer.alloc(0)],
  string: (s) => [T.string, utf16(s)],
  /** Security events store their strings with the terminating NUL; the reader must cut it off. */
  cstring: (s) => [T.string, utf16(s, true)],
  ansi: (s) => [T.ansi, Buffer.from([...Buffer.from(s, 'latin1'), 0])],
  int8: (n) => [T.int8, le(1, (b) => b.writeInt8(n))],
  uint8: (n) => [T.uint8, le(1, (b) => b.writeUInt8(n))],
  int16: (n) => [T.int16, le(2, (b) => b.writeInt16LE(n))],
  uint16: (n) => [T.uint16, le(2, (b) => b.writeUInt16LE(n))],
  int32: (n) => [T.int32, le(4, (b) => b.writeInt32LE(n))],
  uint32: (n) => [T.uint32, le(4, (b) => b.writeUInt32LE(n))],
  int64: (n) => [T.int64, le(8, (b) => b.writeBigInt64LE(BigInt(n)))],
  uint64: (n) => [T.uint64, le(8, (b) => b.writeBigUInt64LE(BigInt(n)))],
  real32: (n) => [T.real32, le(4, (b) => b.writeFloatLE(n))],
  real64: (n) => [T.real64, le(8, (b) => b.writeDoubleLE(n))],
  bool: (x) => [T.bool, le(4, (b) => b.writeInt32LE(x ? 1 : 0))],
  binary: (hex) => [T.binary, Buffer.from(hex, 'hex')],
  guid: (text) => [T.guid, guidBytes(text)],
  sizeT: (n) => [T.sizeT, le(8, (b) => b.writeBigUInt64LE(BigInt(n)))],
  fileTime: (iso) => [T.fileTime, le(8, (b) => b.writeBigUInt64LE(fileTime(iso)))],
  sysTime: (iso) => [T.sysTime, sysTime(iso)],
  sid: (text) => [T.sid, sidBytes(text)],
  hex32: (n) => [T.hex32, le(4, (b) => b.writeUInt32LE(n))],
  hex64: (n) => [T.hex64, le(8, (b) => b.writeBigUInt64LE(BigInt(n)))],
  stringArray: (items) => [T.stringArray, Buffer.concat(items.map((s) => utf16(s, true)))],
  uint16Array: (items) => [T.uint16Array, Buffer.concat(items.map((n) => le(2, (b) => b.writeUInt16LE(n))))],
};

/** `{5770385F-C22A-43E0-BF4C-06F5698FFBD9}` → the 16 stored bytes (first three fields little-endian). */
function guidBytes(text) {
  const hex = text.replace(/[{}-]/g, '');
  const b = Buffer.from(hex, 'hex');
  return Buffer.concat([Buffer.from(b.subarray(0, 4)).reverse(), Buffer.from(b.subarray(4, 6)).reverse(), Buffer.from(b.subarray(6, 8)).reverse(), b.subarray(8)]);
}

/** `2024-10-09T14:51:30.1234567Z` → 100 ns ticks since 1601 (all 7 digits kept). */
function fileTime(iso) {
  const m = /^(.*T\d\d:\d\d:\d\d)\.(\d{7})Z$/.exec(iso);
  const seconds = BigInt(Date.parse(`${m[1]}Z`) / 1000) + 11644473600n;
  return seconds * 10_000_000n + BigInt(m[2]);
}

function sysTime(iso) {
  const d = new Date(iso);
  return le(16, (b) => {
    [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDay(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds()]
      .forEach((n, i) => b.writeUInt16LE(n, 2 * i));
  });
}

function sidBytes(text) {
  const [, revision, authority, ...subs] = text.split('-').map(Number);
  const b = Buffer.alloc(8 + 4 * subs.length);
  b[0] = revision;
  b[1] = subs.length;
  b.writeUIntBE(authority, 2, 6);
  subs.forEach((s, i) => b.writeUInt32LE(s, 8 + 4 * i));
  return b;
}

// ------------------------------------------------------------------------------------------------------------------
// Template trees

const el = (name, attrs, ...content) => ({ el: name, attrs: attrs ?? [], dep: 0xffff, content });
const dep = (index, node) => ({ ...node, dep: index });
const text = (s) => ({ text: s });
const sub = (index, type) => ({ sub: index, type, optional: false });
const opt = (index, type) => ({ sub: index, type, optional: true });
const charRef = (code) => ({ charRef: code });
const entity = (name) => ({ entity: name });
const cdata = (s) => ({ cdata: s });
const pi = (target, data) => ({ pi: target, data });

const EVENT_NS = 'http://schemas.microsoft.com/win/2004/08/events/event';

/**
 * The System part as Windows lays it out: each optional field's element depends on its own value (left out when
 * null), Qualifiers / ActivityID / UserID are optional attributes (left out when null), and the Event element
 * depends on the EventData BinXml value. Value indexes follow the order Windows uses.
 */
const SYSTEM_TEMPLATE = el('Event', [['xmlns', text(EVENT_NS)]],
  el('System', null,
    el('Provider', [['Name', opt(14, T.string)], ['Guid', opt(15, T.guid)]]),
    dep(3, el('EventID', [['Qualifiers', opt(4, T.uint16)]], opt(3, T.uint16))),
    dep(11, el('Version', null, opt(11, T.uint8))),
    dep(0, el('Level', null, opt(0, T.uint8))),
    dep(2, el('Task', null, opt(2, T.uint16))),
    dep(1, el('Opcode', null, opt(1, T.uint8))),
    dep(5, el('Keywords', null, opt(5, T.hex64))),
    el('TimeCreated', [['SystemTime', opt(6, T.fileTime)]]),
    dep(10, el('EventRecordID', null, opt(10, T.uint64))),
    el('Correlation', [['ActivityID', opt(7, T.guid)], ['RelatedActivityID', opt(13, T.guid)]]),
    el('Execution', [['ProcessID', opt(8, T.uint32)], ['ThreadID', opt(9, T.uint32)]]),
    dep(16, el('Channel', null, opt(16, T.string))),
    dep(17, el('Computer', null, opt(17, T.string))),
    el('Security', [['UserID', opt(12, T.sid)]])),
  opt(18, T.binXml));
const SYSTEM_GUID = '{9E1BB5D2-5C4F-4B8E-8F0C-3D1A7A2E6B01}';

/** An EventData template of named Data elements, each a normal substitution, as Sysmon and Security write them. */
const eventDataTemplate = (fields) => el('EventData', null, ...fields.map(([name, type], i) => el('Data', [['Name', text(name)]], sub(i, type))));

const SYSMON_1_FIELDS = [
  ['RuleName', T.string], ['UtcTime', T.string], ['ProcessGuid', T.guid], ['ProcessId', T.uint32], ['Image', T.string],
  ['FileVersion', T.string], ['Description', T.string], ['Product', T.string], ['Company', T.string],
  ['OriginalFileName', T.string], ['CommandLine', T.string], ['CurrentDirectory', T.string], ['User', T.string],
  ['LogonGuid', T.guid], ['LogonId', T.hex64], ['TerminalSessionId', T.uint32], ['IntegrityLevel', T.string],
  ['Hashes', T.string], ['ParentProcessGuid', T.guid], ['ParentProcessId', T.uint32], ['ParentImage', T.string],
  ['ParentCommandLine', T.string], ['ParentUser', T.string],
];
const SYSMON_3_FIELDS = [
  ['RuleName', T.string], ['UtcTime', T.string], ['ProcessGuid', T.guid], ['ProcessId', T.uint32], ['Image', T.string],
  ['User', T.string], ['Protocol', T.string], ['Initiated', T.bool], ['SourceIsIpv6', T.bool], ['SourceIp', T.string],
  ['SourceHostname', T.string], ['SourcePort', T.uint16], ['SourcePortName', T.string], ['DestinationIsIpv6', T.bool],
  ['DestinationIp', T.string], ['DestinationHostname', T.string], ['DestinationPort', T.uint16], ['DestinationPortName', T.string],
];
const SECURITY_4688_FIELDS = [
  ['SubjectUserSid', T.sid], ['SubjectUserName', T.string], ['SubjectDomainName', T.string], ['SubjectLogonId', T.hex64],
  ['NewProcessId', T.hex64], ['NewProcessName', T.string], ['TokenElevationType', T.string], ['ProcessId', T.hex64],
  ['CommandLine', T.string], ['TargetUserSid', T.sid], ['TargetUserName', T.string], ['TargetDomainName', T.string],
  ['TargetLogonId', T.hex64], ['ParentProcessName', T.string], ['MandatoryLabel', T.sid],
];

const TEMPLATES = {
  system: { guid: SYSTEM_GUID, tree: SYSTEM_TEMPLATE },
  sysmon1: { guid: '{3C5E0A1B-8D2F-4E6A-9B7C-1F0E2D3C4B5A}', tree: eventDataTemplate(SYSMON_1_FIELDS) },
  sysmon3: { guid: '{6A7B8C9D-0E1F-4A2B-8C3D-4E5F6A7B8C9D}', tree: eventDataTemplate(SYSMON_3_FIELDS) },
  security4688: { guid: '{A1B2C3D4-E5F6-4789-9ABC-DEF012345678}', tree: eventDataTemplate(SECURITY_4688_FIELDS) },
  // Every scalar value type, one per Data element.
  scalars: {
    guid: '{0F1E2D3C-4B5A-4978-8695-A4B3C2D1E0F9}',
    tree: eventDataTemplate([
      ['Int8', T.int8], ['UInt8', T.uint8], ['Int16', T.int16], ['UInt16', T.uint16], ['Int32', T.int32], ['UInt32', T.uint32],
      ['Int64', T.int64], ['UInt64', T.uint64], ['Real32', T.real32], ['Real64', T.real64], ['Bool', T.bool], ['Binary', T.binary],
      ['Guid', T.guid], ['SizeT', T.sizeT], ['FileTime', T.fileTime], ['SysTime', T.sysTime], ['Sid', T.sid], ['HexInt32', T.hex32],
      ['HexInt64', T.hex64], ['Ansi', T.ansi], ['Null', T.null], ['Empty', T.string],
    ]),
  },
  // The rest of the markup: arrays (repeated elements), CDATA, character and entity references, a processing
  // instruction, an element left out by its dependency, unnamed Data, a UserData tree, text around a substitution,
  // and a Windows-1252 ANSI string.
  markup: {
    guid: '{1A2B3C4D-5E6F-4A8B-9C0D-1E2F3A4B5C6D}',
    tree: el('EventData', null,
      el('Data', [['Name', text('Strings')]], sub(0, T.stringArray)),
      el('Data', [['Name', text('Ports')]], sub(1, T.uint16Array)),
      dep(2, el('Data', [['Name', text('LeftOut')]], opt(2, T.string))),
      el('Data', [['Name', text('Markup')]], text('a'), entity('amp'), text('b'), charRef(0xe9), cdata('<c>'), pi('note', 'ignored'), text(' ['), sub(3, T.string), text(']')),
      el('Data', null, sub(4, T.string)),
      el('Data', null, sub(5, T.string)),
      el('Binary', null, sub(6, T.binary)),
      el('UserData', null, el('Setting', [['Mode', sub(7, T.string)]], el('Value', null, sub(8, T.uint32)))),
      el('Data', [['Name', text('Ansi1252')]], sub(9, T.ansi))),
  },
};

// ------------------------------------------------------------------------------------------------------------------
// Chunks

/** The MS-EVEN6 name hash: hash = hash × 65599 + character, low 16 bits kept. */
function nameHash(name) {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (Math.imul(h, 65599) + name.charCodeAt(i)) >>> 0;
  return h & 0xffff;
}

class ChunkWriter {
  constructor() {
    this.buf = Buffer.alloc(CHUNK_SIZE);
    this.pos = 0x200;
    this.names = new Map();
    this.templates = new Map();
    this.records = [];
  }

  u8(n) { this.buf.writeUInt8(n, this.pos); this.pos += 1; }
  u16(n) { this.buf.writeUInt16LE(n, this.pos); this.pos += 2; }
  u32(n) { this.buf.writeUInt32LE(n, this.pos); this.pos += 4; }
  bytes(b) { b.copy(this.buf, this.pos); this.pos += b.length; }

  /** A name: its chunk offset if already written, else the offset of the name written right here. */
  name(name) {
    const known = this.names.get(name);
    if (known !== undefined) return this.u32(known);
    const at = this.pos + 4;
    this.u32(at);
    const bucket = 0x80 + 4 * (nameHash(name) % 64);
    this.u32(this.buf.readUInt32LE(bucket)); // next string in the same hash bucket
    this.buf.writeUInt32LE(at, bucket);
    this.u16(nameHash(name));
    this.u16(name.length);
    this.bytes(utf16(name, true));
    this.names.set(name, at);
  }

  /** Reserve a DWORD to be filled with the number of bytes written after it, once `write` is done. */
  sized(write) {
    const at = this.pos;
    this.pos += 4;
    write();
    this.buf.writeUInt32LE(this.pos - at - 4, at);
  }

  node(n) {
    if (n.el !== undefined) return this.element(n);
    if (n.text !== undefined) {
      this.u8(0x05);
      this.u8(T.string);
      this.u16(n.text.length);
      return this.bytes(utf16(n.text));
    }
    if (n.sub !== undefined) {
      this.u8(n.optional ? 0x0e : 0x0d);
      this.u16(n.sub);
      return this.u8(n.type);
    }
    if (n.charRef !== undefined) {
      this.u8(0x08);
      return this.u16(n.charRef);
    }
    if (n.entity !== undefined) {
      this.u8(0x09);
      return this.name(n.entity);
    }
    if (n.cdata !== undefined) {
      this.u8(0x07);
      this.u16(n.cdata.length);
      return this.bytes(utf16(n.cdata));
    }
    if (n.pi !== undefined) {
      this.u8(0x0a);
      this.name(n.pi);
      this.u8(0x0b);
      this.u16(n.data.length);
      return this.bytes(utf16(n.data));
    }
    throw new Error(`unknown node ${JSON.stringify(n)}`);
  }

  element(n) {
    this.u8(n.attrs.length > 0 ? 0x41 : 0x01);
    this.u16(n.dep);
    this.sized(() => {
      this.name(n.el);
      if (n.attrs.length > 0) {
        this.sized(() => n.attrs.forEach(([name, ...parts], i) => {
          this.u8(i < n.attrs.length - 1 ? 0x46 : 0x06);
          this.name(name);
          parts.forEach((p) => this.node(p));
        }));
      }
      if (n.content.length === 0) return this.u8(0x03);
      this.u8(0x02);
      n.content.forEach((c) => this.node(c));
      this.u8(0x04);
    });
  }

  /** A fragment with one template instance: the definition inline if new to this chunk, then the values. */
  fragment(templateKey, values) {
    const { guid, tree } = TEMPLATES[templateKey];
    this.bytes(Buffer.from([0x0f, 0x01, 0x01, 0x00, 0x0c, 0x01]));
    const id = guidBytes(guid);
    this.bytes(id.subarray(0, 4)); // template id: the GUID's first four bytes
    const known = this.templates.get(templateKey);
    if (known !== undefined) {
      this.u32(known);
    } else {
      const at = this.pos + 4;
      this.u32(at);
      const bucket = 0x180 + 4 * (id.readUInt32LE(0) % 32);
      this.u32(this.buf.readUInt32LE(bucket)); // next template in the same bucket
      this.buf.writeUInt32LE(at, bucket);
      this.bytes(id);
      this.sized(() => {
        this.bytes(Buffer.from([0x0f, 0x01, 0x01, 0x00]));
        this.element(tree);
        this.u8(0x00);
      });
      this.templates.set(templateKey, at);
    }
    this.u32(values.length);
    const descriptors = this.pos;
    this.pos += 4 * values.length;
    values.forEach((value, i) => {
      const start = this.pos;
      if (typeof value === 'function') value(); // a nested BinXml fragment, written in place
      else this.bytes(value[1]);
      const type = typeof value === 'function' ? T.binXml : value[0];
      this.buf.writeUInt16LE(this.pos - start, descriptors + 4 * i);
      this.buf.writeUInt8(type, descriptors + 4 * i + 2);
    });
  }

  /** Append one event record; false (and nothing written) if it does not fit. */
  record(id, event) {
    const start = this.pos;
    const saved = { names: new Map(this.names), templates: new Map(this.templates), table: Buffer.from(this.buf.subarray(0x80, 0x200)) };
    try {
      this.bytes(Buffer.from([0x2a, 0x2a, 0x00, 0x00]));
      this.pos += 4; // size, below
      this.bytes(le(8, (b) => b.writeBigUInt64LE(BigInt(id))));
      this.bytes(le(8, (b) => b.writeBigUInt64LE(fileTime(event.time))));
      this.fragment('system', systemValues(event, () => this.fragment(event.template, event.data)));
      while ((this.pos - start + 4) % 8 !== 0) this.u8(0); // Windows pads records to 8 bytes
      const size = this.pos - start + 4;
      this.u32(size);
      this.buf.writeUInt32LE(size, start + 4);
      this.records.push({ id, offset: start });
      return true;
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      this.buf.fill(0, start);
      this.pos = start;
      Object.assign(this, { names: saved.names, templates: saved.templates });
      saved.table.copy(this.buf, 0x80);
      return false;
    }
  }

  /** Fill in the header; `keep` records are the ones it accounts for (fewer for a header saved too early). */
  finish(keep = this.records.length) {
    const b = this.buf;
    const kept = this.records.slice(0, keep);
    const first = kept[0].id;
    const last = kept[kept.length - 1].id;
    const free = keep < this.records.length ? this.records[keep].offset : this.pos;
    b.write('ElfChnk\0', 0, 'latin1');
    for (const at of [0x08, 0x18]) b.writeBigUInt64LE(BigInt(first), at);
    for (const at of [0x10, 0x20]) b.writeBigUInt64LE(BigInt(last), at);
    b.writeUInt32LE(0x80, 0x28);
    b.writeUInt32LE(kept[kept.length - 1].offset, 0x2c);
    b.writeUInt32LE(free, 0x30);
    b.writeUInt32LE(crc32(b.subarray(0x200, free)), 0x34);
    b.writeUInt32LE(1, 0x78);
    b.writeUInt32LE(crc32(b.subarray(0x80, 0x200), crc32(b.subarray(0, 0x78))), 0x7c);
    return b;
  }
}

function systemValues(e, eventData) {
  const values = [];
  values[0] = v.uint8(e.level);
  values[1] = v.uint8(0);
  values[2] = v.uint16(e.task);
  values[3] = v.uint16(e.eventId);
  values[4] = v.null();
  values[5] = v.hex64(e.keywords);
  values[6] = v.fileTime(e.time);
  values[7] = e.activityId ? v.guid(e.activityId) : v.null();
  values[8] = v.uint32(e.pid);
  values[9] = v.uint32(e.tid);
  values[10] = v.uint64(e.recordId);
  values[11] = v.uint8(e.version);
  values[12] = e.userId ? v.sid(e.userId) : v.null();
  values[13] = v.null();
  values[14] = v.string(e.provider);
  values[15] = v.guid(e.providerGuid);
  values[16] = v.string(e.channel);
  values[17] = v.string(e.computer);
  values[18] = eventData;
  return values;
}

function fileHeader({ chunks, nextRecordId, flags = 0 }) {
  const b = Buffer.alloc(FILE_HEADER_SIZE);
  b.write('ElfFile\0', 0, 'latin1');
  b.writeBigUInt64LE(0n, 0x08);
  b.writeBigUInt64LE(BigInt(chunks - 1), 0x10);
  b.writeBigUInt64LE(BigInt(nextRecordId), 0x18);
  b.writeUInt32LE(0x80, 0x20);
  b.writeUInt16LE(1, 0x24);
  b.writeUInt16LE(3, 0x26);
  b.writeUInt16LE(FILE_HEADER_SIZE, 0x28);
  b.writeUInt16LE(chunks, 0x2a);
  b.writeUInt32LE(flags, 0x78);
  b.writeUInt32LE(crc32(b.subarray(0, 0x78)), 0x7c);
  return b;
}

// ------------------------------------------------------------------------------------------------------------------
// The events

const HOST = 'WS-CONTOSO-07.contoso.local';
const SYSMON = {
  provider: 'Microsoft-Windows-Sysmon', providerGuid: '{5770385F-C22A-43E0-BF4C-06F5698FFBD9}', channel: 'Microsoft-Windows-Sysmon/Operational',
  computer: HOST, level: 4, keywords: 0x8000000000000000n, userId: 'S-1-5-18', pid: 3312, tid: 4120,
};
const SECURITY = {
  provider: 'Microsoft-Windows-Security-Auditing', providerGuid: '{54849625-5478-4994-A5BA-3E3B0328C30D}', channel: 'Security',
  computer: HOST, level: 0, keywords: 0x8020000000000000n, pid: 4, tid: 7720, eventId: 4688, version: 2, task: 13312,
  template: 'security4688',
};
const HASHES = 'SHA1=5B1D3E0F6A2C4B8D9E7F10213243546576879809,MD5=0A1B2C3D4E5F60718293A4B5C6D7E8F9,SHA256=1F2E3D4C5B6A79880716253443526170F1E2D3C4B5A6978800112233445566AA,IMPHASH=AABBCCDDEEFF00112233445566778899';

const sysmon1 = (o) => ({
  ...SYSMON, eventId: 1, version: 5, task: 1, template: 'sysmon1', recordId: o.recordId, time: o.time,
  data: [
    v.string('-'), v.string(o.utc), v.guid(o.guid), v.uint32(o.pid), v.string(o.image), v.string(o.fileVersion),
    v.string(o.description), v.string('Microsoft® Windows® Operating System'), v.string('Microsoft Corporation'),
    v.string(o.original), v.string(o.commandLine), v.string('C:\\Users\\alice\\'), v.string('CONTOSO\\alice'),
    v.guid('{7D1E52A0-8C12-6706-645E-3B0000000000}'), v.hex64(0x3b5e64), v.uint32(1), v.string('Medium'), v.string(HASHES),
    v.guid(o.parentGuid), v.uint32(o.parentPid), v.string(o.parentImage), v.string(o.parentCommandLine), v.string('CONTOSO\\alice'),
  ],
});

const security4688 = (o) => ({
  ...SECURITY, recordId: o.recordId, time: o.time,
  data: [
    v.sid('S-1-5-21-3623811015-3361044348-30300820-1104'), v.cstring('alice'), v.cstring('CONTOSO'), v.hex64(0x3b5e64),
    v.hex64(o.newPid), v.cstring(o.image), v.cstring('%%1938'), v.hex64(o.parentPid), v.cstring(o.commandLine),
    v.sid('S-1-0-0'), v.cstring('-'), v.cstring('-'), v.hex64(0), v.cstring(o.parentImage), v.sid('S-1-16-8192'),
  ],
});

const EVENTS = [
  sysmon1({
    recordId: 48213, time: '2024-10-09T14:51:30.1234567Z', utc: '2024-10-09 14:51:30.123', guid: '{7D1E52A0-9B4E-6706-3A01-000000001B00}', pid: 5416,
    image: 'C:\\Windows\\System32\\net.exe', fileVersion: '10.0.19041.1 (WinBuild.160101.0800)', description: 'Net Command', original: 'net.exe',
    commandLine: 'net  user', parentGuid: '{7D1E52A0-9A77-6706-2F01-000000001B00}', parentPid: 6032, parentImage: 'C:\\Windows\\System32\\cmd.exe',
    parentCommandLine: '"C:\\Windows\\system32\\cmd.exe" ',
  }),
  sysmon1({
    recordId: 48214, time: '2024-10-09T14:51:30.1408890Z', utc: '2024-10-09 14:51:30.140', guid: '{7D1E52A0-9B4E-6706-3B01-000000001B00}', pid: 6968,
    image: 'C:\\Windows\\System32\\net1.exe', fileVersion: '10.0.19041.1 (WinBuild.160101.0800)', description: 'Net Command', original: 'net1.exe',
    commandLine: 'C:\\Windows\\system32\\net1  user', parentGuid: '{7D1E52A0-9B4E-6706-3A01-000000001B00}', parentPid: 5416,
    parentImage: 'C:\\Windows\\System32\\net.exe', parentCommandLine: 'net  user',
  }),
  security4688({
    recordId: 902311, time: '2024-10-09T14:51:30.1250000Z', newPid: 0x1528, image: 'C:\\Windows\\System32\\net.exe', parentPid: 0x1790,
    commandLine: 'net  user', parentImage: 'C:\\Windows\\System32\\cmd.exe',
  }),
  security4688({
    recordId: 902312, time: '2024-10-09T14:51:30.1419876Z', newPid: 0x1b38, image: 'C:\\Windows\\System32\\net1.exe', parentPid: 0x1528,
    commandLine: 'C:\\Windows\\system32\\net1  user', parentImage: 'C:\\Windows\\System32\\net.exe',
  }),
  sysmon1({
    recordId: 48230, time: '2024-10-09T15:02:11.9876543Z', utc: '2024-10-09 15:02:11.987', guid: '{7D1E52A0-9DF3-6706-4101-000000001B00}', pid: 7044,
    image: 'C:\\Users\\alice\\AppData\\Local\\Temp\\svch0st.exe', fileVersion: '10.0.19041.1 (WinBuild.160101.0800)', description: 'Net Command',
    original: 'net.exe', commandLine: 'svch0st.exe user /domain', parentGuid: '{7D1E52A0-9B51-6706-3C01-000000001B00}', parentPid: 2204,
    parentImage: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', parentCommandLine: 'powershell.exe -nop -w hidden',
  }),
  {
    ...SYSMON, eventId: 3, version: 5, task: 3, template: 'sysmon3', recordId: 48231, time: '2024-10-09T15:02:12.0001234Z',
    data: [
      v.string('-'), v.string('2024-10-09 15:02:10.917'), v.guid('{7D1E52A0-9B51-6706-3C01-000000001B00}'), v.uint32(2204),
      v.string('C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe'), v.string('CONTOSO\\alice'), v.string('tcp'), v.bool(true),
      v.bool(false), v.string('10.20.7.41'), v.string(HOST), v.uint16(51544), v.string('-'), v.bool(false), v.string('192.0.2.80'),
      v.string('-'), v.uint16(443), v.string('https'),
    ],
  },
];

const FIXTURE_PROVIDER = {
  provider: 'LocalHunt-Fixture', providerGuid: '{0A0B0C0D-1E2F-4A5B-8C9D-0E1F2A3B4C5D}', channel: 'Application', computer: 'SRV-FABRIKAM-02.fabrikam.com',
  level: 2, keywords: 0x80000000000000n, pid: 812, tid: 5000, version: 1, task: 7,
};
const VALUE_EVENTS = [
  {
    ...FIXTURE_PROVIDER, eventId: 4242, template: 'scalars', recordId: 7, time: '2024-10-09T15:05:40.0012345Z',
    activityId: '{A1B2C3D4-0001-0002-0003-0A0B0C0D0E0F}', userId: 'S-1-5-21-1004336348-1177238915-682003330-1109',
    data: [
      v.int8(-5), v.uint8(200), v.int16(-300), v.uint16(65000), v.int32(-70000), v.uint32(4000000000), v.int64(-5000000000000n),
      v.uint64(18446744073709551615n), v.real32(1.5), v.real64(-2.25), v.bool(false), v.binary('00ff10ab'),
      v.guid('{00112233-4455-6677-8899-AABBCCDDEEFF}'), v.sizeT(0x7ff6a000), v.fileTime('2021-03-04T05:06:07.0000001Z'),
      v.sysTime('2022-12-31T23:59:58.765Z'), v.sid('S-1-5-32-544'), v.hex32(0xc0000022), v.hex64(0x1fffff), v.ansi('plain ANSI'),
      v.null(), v.string(''),
    ],
  },
  {
    ...FIXTURE_PROVIDER, eventId: 4243, template: 'markup', recordId: 8, time: '2024-10-09T15:05:41.5000000Z',
    data: [
      v.stringArray(['alpha', 'beta', '']), v.uint16Array([80, 443]), v.null(), v.string('x<y'), v.cstring('first'), v.cstring('second'),
      v.binary('DEADBEEF'), v.string('on'), v.uint32(42), v.ansi('café'),
    ],
  },
];

// ------------------------------------------------------------------------------------------------------------------
// Files

function chunkOf(events) {
  const w = new ChunkWriter();
  for (const e of events) if (!w.record(e.recordNumber, e)) throw new Error('fixture events do not fit in one chunk');
  return w;
}

// Record numbers count records in the file; EventRecordID (inside the event) is the channel's own counter.
EVENTS.forEach((e, i) => { e.recordNumber = i + 1; });
VALUE_EVENTS.forEach((e, i) => { e.recordNumber = i + 1; });

const first = chunkOf(EVENTS.slice(0, 3));
const second = chunkOf(EVENTS.slice(3));
const clean = Buffer.concat([fileHeader({ chunks: 2, nextRecordId: 7 }), first.finish(), second.finish()]);

// Copied off a running system: dirty flag, header still at one chunk and record 4, and the second chunk's header
// saved before its last record was written (so that record lies past the chunk's recorded end).
const secondBehind = chunkOf(EVENTS.slice(3));
const dirty = Buffer.concat([fileHeader({ chunks: 1, nextRecordId: 4, flags: 0x1 }), chunkOf(EVENTS.slice(0, 3)).finish(), secondBehind.finish(2)]);

// One chunk damaged after it was written: bytes inside a record of the second chunk flipped (its records checksum fails).
const corrupt = Buffer.from(clean);
const flipAt = FILE_HEADER_SIZE + 0x10000 + second.records[1].offset + 0x60;
for (let i = 0; i < 4; i++) corrupt[flipAt + i] ^= 0xff;

// Cut short in the middle of the second chunk's last record.
const last = second.records[second.records.length - 1];
const truncated = clean.subarray(0, FILE_HEADER_SIZE + 0x10000 + last.offset + 40);

const valueTypes = Buffer.concat([fileHeader({ chunks: 1, nextRecordId: 3 }), chunkOf(VALUE_EVENTS).finish()]);

mkdirSync(OUT, { recursive: true });
const files = {
  'contoso-clean.evtx': clean,
  'contoso-dirty.evtx': dirty,
  'contoso-corrupt-chunk.evtx': corrupt,
  'contoso-truncated.evtx': truncated,
  'value-types.evtx': valueTypes,
};
for (const [name, bytes] of Object.entries(files)) writeFileSync(new URL(name, OUT), bytes);
console.log(`wrote ${Object.keys(files).join(', ')} to ${OUT.pathname}`);
