/**
 * The record index of a CSV chunk: where each record starts, checked against a plain byte-by-byte reading, in any
 * number of steps; whether the bytes are valid UTF-8; whether the quoting is regular. Both indexers pass every
 * case: RecordIndexer (JavaScript, four bytes at a time) and SimdRecordIndexer (the WebAssembly kernel, 64 at a
 * time), and on random bytes they agree in every field.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { copyRecords, RecordIndexer, type RecordIndex, type RecordIndexing } from '../../src/lib/ingest/record-index';
import { recordIndexKernel, SimdRecordIndexer } from '../../src/lib/ingest/record-index-simd';
import { seeded } from '../support/seeded';

type Kernel = NonNullable<Awaited<ReturnType<typeof recordIndexKernel>>>;
let kernel: Kernel;
beforeAll(async () => {
  const k = await recordIndexKernel();
  // Node 20 runs WebAssembly SIMD: a kernel that does not build here is a failure, not a reason to skip.
  expect(k).not.toBeNull();
  kernel = k!;
});

const indexers: [string, (bytes: Uint8Array, end: number, delimiter?: number) => RecordIndexing][] = [
  ['JavaScript', (bytes, end, delimiter = 0x2c) => new RecordIndexer(bytes, end, delimiter)],
  ['WebAssembly SIMD', (bytes, end, delimiter = 0x2c) => new SimdRecordIndexer(kernel, bytes, end, delimiter)],
];

/** The index of bytes [0, to), scanned in steps of `step` bytes. */
function indexWith(make: (typeof indexers)[number][1], bytes: Uint8Array, to: number, final: boolean, step = to, delimiter?: number) {
  const indexer = make(bytes, to, delimiter);
  while (indexer.done < to) indexer.scan(step);
  return indexer.finish(final);
}

const enc = new TextEncoder();

/** Record starts byte by byte: a line feed outside quotes ends a record; blank lines are none. */
function reference(bytes: Uint8Array, end: number, final: boolean): number[] {
  const starts: number[] = [];
  let quotes = 0;
  let last = 0;
  const close = (at: number) => {
    if (at !== last && !(at === last + 1 && bytes[last] === 0x0d)) starts.push(last);
  };
  for (let i = 0; i < end; i++) {
    if (bytes[i] === 0x22) quotes++;
    else if (bytes[i] === 0x0a && quotes % 2 === 0) {
      close(i);
      last = i + 1;
    }
  }
  if (final && last < end) {
    close(end);
    last = end;
  }
  return [...starts, last];
}

const startsOf = (ix: { starts: Int32Array; count: number }) => [...ix.starts.subarray(0, ix.count + 1)];
/** What both indexers make: the record starts and the checks (the field index is the kernel's alone). */
const common = ({ fields: _, ...ix }: RecordIndex) => ({ ...ix, starts: startsOf(ix) });

/**
 * Byte by byte, for the records `starts` names: each record's delimiters outside quotes, as positions. A line
 * feed inside quotes belongs to the record; a blank line after a record has no delimiter.
 */
function delimitersReference(bytes: Uint8Array, starts: number[], delimiter: number): number[][] {
  const out: number[][] = [];
  for (let r = 0; r + 1 < starts.length; r++) {
    const found: number[] = [];
    let quotes = 0;
    for (let i = starts[r]!; i < starts[r + 1]!; i++) {
      if (bytes[i] === 0x22) quotes++;
      else if (bytes[i] === delimiter && quotes % 2 === 0) found.push(i);
    }
    out.push(found);
  }
  return out;
}

/** Line feeds and carriage returns outside quotes in bytes [0, end), and whether a quote is left open at the end. */
function lineEndsReference(bytes: Uint8Array, end: number) {
  let quotes = 0;
  let lineFeeds = 0;
  let carriageReturns = 0;
  for (let i = 0; i < end; i++) {
    if (bytes[i] === 0x22) quotes++;
    else if (quotes % 2 === 0 && bytes[i] === 0x0a) lineFeeds++;
    else if (quotes % 2 === 0 && bytes[i] === 0x0d) carriageReturns++;
  }
  return { lineFeeds, carriageReturns, open: quotes % 2 === 1 };
}

/** The kernel's field index as each record's delimiter positions. */
function delimitersOf(ix: RecordIndex): number[][] {
  const { delimiters, before } = ix.fields!;
  return Array.from({ length: ix.count }, (_, r) => [...delimiters.subarray(before[r]!, before[r + 1]!)]);
}

describe.each(indexers)('record starts (%s)', (_, make) => {
  test('quoted line feeds, doubled quotes, CRLF, blank lines and a last record without a line feed', () => {
    const text = 'a,"x\ny"\r\n\r\nb,"say ""hi""\n",c\n\nc,d';
    const bytes = enc.encode(text);
    const ix = indexWith(make, bytes, bytes.length, true);
    expect(startsOf(ix)).toEqual([0, text.indexOf('b,'), text.indexOf('c,d'), text.length]);
    expect(ix.utf8).toBe(true);
    // Not the end of the file: the bytes after the last boundary are the next chunk's.
    expect(startsOf(indexWith(make, bytes, bytes.length, false))).toEqual([0, text.indexOf('b,'), text.indexOf('c,d')]);
  });

  test('equal to a byte-by-byte reading, at any offset and in any number of steps', () => {
    const random = seeded(42);
    const pieces = ['a', 'bc', ',', '"', '""', '\n', '\r\n', 'é', '\n\n', 'net.exe', '"q\nq"'];
    for (let round = 0; round < 200; round++) {
      let text = '';
      const n = Math.floor(random() * 60);
      for (let i = 0; i < n; i++) text += pieces[Math.floor(random() * pieces.length)];
      const raw = enc.encode(text);
      // A view that does not start on a 4-byte boundary of its buffer exercises the unaligned head and tail.
      const shift = Math.floor(random() * 4);
      const buffer = new Uint8Array(raw.length + shift);
      buffer.set(raw, shift);
      const bytes = buffer.subarray(shift);
      const final = random() < 0.5;
      const indexer = make(bytes, bytes.length);
      while (indexer.done < bytes.length) indexer.scan(1 + Math.floor(random() * 9));
      const stepped = indexer.finish(final);
      const expected = reference(bytes, bytes.length, final);
      expect(startsOf(stepped), JSON.stringify({ text, shift, final })).toEqual(expected);
      expect(startsOf(indexWith(make, bytes, bytes.length, final))).toEqual(expected);
    }
  });

  test('grows past its first guess of the record count', () => {
    const text = 'x\n'.repeat(5000);
    const ix = indexWith(make, enc.encode(text), text.length, false);
    expect(ix.count).toBe(5000);
    expect(ix.starts[4999]).toBe(9998);
  });
});

describe.each(indexers)('quoting DuckDB reads as quote parity does (%s)', (_, make) => {
  const regular = (text: string, delimiter = 0x2c, step = text.length) => {
    const bytes = enc.encode(text);
    return indexWith(make, bytes, bytes.length, true, step, delimiter).regular;
  };

  test('quoted fields, doubled and empty quotes, CRLF line ends: regular', () => {
    const text = 'a,"b ""c""",d\r\n"e\nf",g,""\r\n"",x,"y,z"\n';
    expect(regular(text)).toBe(true);
    for (const step of [1, 2, 3, 5]) expect(regular(text, 0x2c, step), `steps of ${step}`).toBe(true);
    expect(regular('a;"b";c\n', 0x3b)).toBe(true);
  });

  test('a quote inside an unquoted field, text after a closing quote, a lone CR: not regular', () => {
    expect(regular('a,ws"1,b\n')).toBe(false);
    expect(regular('a,"b"x,c\n')).toBe(false);
    expect(regular('a,b\rc,d\n')).toBe(false);
    // The right delimiter matters: with `;` the comma before the quote does not open a field.
    expect(regular('a,"b",c\n', 0x3b)).toBe(false);
    for (const step of [1, 3]) expect(regular('x,y\na,ws"1,b\n', 0x2c, step), `steps of ${step}`).toBe(false);
  });
});

describe.each(indexers)('UTF-8 (%s)', (_, make) => {
  const valid = (bytes: number[], steps = [bytes.length]) => {
    const data = Uint8Array.from([...enc.encode('a,'), ...bytes, 0x0a]);
    const indexer = make(data, data.length);
    for (const s of steps) indexer.scan(s);
    indexer.scan(data.length);
    return indexer.finish(false).utf8;
  };

  test('well-formed sequences pass, also when a step ends inside one', () => {
    expect(valid([...enc.encode('é€😀 Ωmega ünïcödé')])).toBe(true);
    expect(valid([0xf0, 0x9f, 0x98, 0x80], [3, 1])).toBe(true);
    expect(valid([0xef, 0xbf, 0xbf])).toBe(true); // U+FFFF: DuckDB takes it
  });

  test('what DuckDB rejects fails: overlong forms, surrogates, beyond U+10FFFF, stray or cut-off bytes', () => {
    for (const bad of [[0xc0, 0x80], [0xe0, 0x80, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xf8, 0x80, 0x80, 0x80], [0x80], [0xc3], [0xe2, 0x82]]) {
      expect(valid(bad), bad.map((b) => b.toString(16)).join(' ')).toBe(false);
    }
    // A sequence cut off by the end of the indexed bytes.
    const cut = Uint8Array.from([0x61, 0xe2, 0x82]);
    expect(indexWith(make, cut, cut.length, true).utf8).toBe(false);
  });
});

describe('the two indexers', () => {
  test('agree on random bytes in every field, across 64-byte blocks and steps of any size, up to and past the end', () => {
    const random = seeded(7);
    const pieces = ['a', 'net.exe', ',', ';', '\t', '|', '"', '""', '\n', '\r\n', '\r', '\n\n', 'é', '😀', '"q\nq"', ' '.repeat(70)];
    const odd = [[0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf0, 0x9f, 0x98], [0x80], [0xff]];
    let irregular = 0;
    let invalid = 0;
    for (let round = 0; round < 400; round++) {
      const delimiter = [0x2c, 0x3b, 0x09, 0x7c][Math.floor(random() * 4)]!;
      const parts: number[] = [];
      const n = Math.floor(random() * 120);
      if (round % 2 === 0) {
        // Well-formed records, their quoted fields holding delimiters, quotes and line ends: regular quoting.
        const crlf = random() < 0.5;
        for (let i = 0; i < n; i++) {
          const text = pieces[Math.floor(random() * pieces.length)]!;
          const quoted = /[",;\t|\r\n]/.test(text) || random() < 0.3;
          parts.push(...enc.encode(quoted ? `"${text.replaceAll('"', '""')}"` : text));
          parts.push(...(random() < 0.25 ? (crlf ? [0x0d, 0x0a] : [0x0a]) : [delimiter]));
        }
      } else {
        for (let i = 0; i < n; i++) {
          if (random() < 0.02) parts.push(...odd[Math.floor(random() * odd.length)]!);
          else parts.push(...enc.encode(pieces[Math.floor(random() * pieces.length)]!));
        }
      }
      const bytes = Uint8Array.from(parts);
      // Not always the whole buffer: a chunk's indexed bytes end at its last line feed, and bytes follow them.
      const end = random() < 0.3 ? Math.floor(random() * (bytes.length + 1)) : bytes.length;
      const final = random() < 0.5;
      const step = random() < 0.5 ? 1 + Math.floor(random() * 200) : 1 + Math.floor(random() * 5);
      const [js, simd] = indexers.map(([, make]) => indexWith(make, bytes, end, final, step, delimiter));
      const what = JSON.stringify({ round, end, final, delimiter, step, bytes: [...bytes] });
      expect(common(simd!), what).toEqual(common(js!));
      // Where the quoting is regular (the only case the field index is used), it names every field's delimiters and
      // counts the line ends; a last record left inside quotes has none.
      const ends = lineEndsReference(bytes, end);
      expect(simd!.fields === undefined, what).toBe(final && ends.open);
      if (js!.regular && simd!.fields) expect(delimitersOf(simd!), what).toEqual(delimitersReference(bytes, startsOf(js!), delimiter));
      // Both count the line ends outside quotes (compared above); here against the byte-by-byte reading.
      expect([js!.lineFeeds, js!.carriageReturns], what).toEqual([ends.lineFeeds, ends.carriageReturns]);
      if (!js!.regular) irregular++;
      if (!js!.utf8) invalid++;
    }
    // The random inputs cover both answers of each check.
    expect(irregular).toBeGreaterThan(40);
    expect(irregular).toBeLessThan(360);
    expect(invalid).toBeGreaterThan(40);
    expect(invalid).toBeLessThan(360);
  });
});

describe('the kernel', () => {
  test('two indexers taking turns on the one kernel, in steps that make its memory grow, each get their own index', async () => {
    const random = seeded(3);
    const csv = () => enc.encode(Array.from({ length: 4000 }, (_, i) => `${i},"a ""quoted"" field, with
a line feed",é${'x'.repeat(Math.floor(random() * 40))}\r\n`).join(''));
    const [a, b] = [csv(), csv()];
    const first = new SimdRecordIndexer(kernel, a, a.length, 0x2c);
    const second = new SimdRecordIndexer(kernel, b, b.length, 0x2c);
    const before = kernel.memory.buffer.byteLength;
    while (first.done < a.length || second.done < b.length) {
      if (first.done < a.length) first.scan(100_000);
      if (second.done < b.length) second.scan(70_000);
    }
    expect(kernel.memory.buffer.byteLength).toBeGreaterThan(before);
    for (const [bytes, index] of [[a, first.finish(true)], [b, second.finish(true)]] as const) {
      const expected = indexWith(indexers[0]![1], bytes, bytes.length, true);
      expect(common(index)).toEqual(common(expected));
      expect(delimitersOf(index)).toEqual(delimitersReference(bytes, startsOf(index), 0x2c));
      expect(index.count).toBe(4000);
      expect([index.utf8, index.regular]).toEqual([true, true]);
    }
  });
});

describe('copying records out', () => {
  test('the chosen data rows, in order, line ends included; null for a row the chunk does not hold', () => {
    const text = 'r1,a\n"r2\nstill r2",b\n\nr3,c\nr4,d';
    const bytes = enc.encode(text);
    const ix = indexWith(indexers[0]![1], bytes, bytes.length, true);
    expect(new TextDecoder().decode(copyRecords(bytes, ix, [2, 4])!)).toBe('"r2\nstill r2",b\n\nr4,d');
    expect(copyRecords(bytes, ix, [5])).toBeNull();
    expect(copyRecords(bytes, ix, [0])).toBeNull();
  });
});
