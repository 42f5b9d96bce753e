import { describe, expect, test } from 'vitest';
import { ChunkBuffers } from '../../src/lib/ingest/chunk-buffers';
import { csvChunks } from '../../src/lib/ingest/csv-chunks';

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const file = new Blob(['0123456789abcdefghijklmnopqrstuvwxyz']);

describe('chunk buffers', () => {
  test('a buffer given back is read into again: one allocation for a run of reads, each with its own bytes', async () => {
    const buffers = new ChunkBuffers();
    const seen: string[] = [];
    for (let from = 0; from < 36; from += 9) {
      const bytes = await buffers.read(file, from, from + 9);
      seen.push(text(bytes));
      buffers.give(bytes.buffer as ArrayBuffer);
    }
    expect(seen).toEqual(['012345678', '9abcdefgh', 'ijklmnopq', 'rstuvwxyz']);
    expect(buffers.allocated).toBe(1);
  });

  test('buffers still held are not reused; a smaller read fits a larger buffer; a larger one gets a new buffer', async () => {
    const buffers = new ChunkBuffers();
    const a = await buffers.read(file, 0, 10);
    const b = await buffers.read(file, 10, 20);
    expect([text(a), text(b), buffers.allocated]).toEqual(['0123456789', 'abcdefghij', 2]);
    buffers.give(a.buffer as ArrayBuffer);
    const c = await buffers.read(file, 20, 24);
    expect([text(c), text(b), buffers.allocated]).toEqual(['klmn', 'abcdefghij', 2]);
    buffers.give(c.buffer as ArrayBuffer);
    const d = await buffers.read(file, 0, 30);
    expect([text(d), buffers.allocated]).toEqual(['0123456789abcdefghijklmnopqrst', 3]);
  });

  test('at most `keep` free buffers are held, none larger than `largest`; a moved (detached) buffer is not taken back', async () => {
    const buffers = new ChunkBuffers(2, 8);
    const held = await Promise.all([0, 1, 2].map((i) => buffers.read(file, i, i + 4)));
    for (const h of held) buffers.give(h.buffer as ArrayBuffer);
    await Promise.all([0, 1, 2].map((i) => buffers.read(file, i, i + 4)));
    expect(buffers.allocated).toBe(3 + 1);

    const empty = new ChunkBuffers();
    const moved = new ArrayBuffer(8);
    structuredClone(moved, { transfer: [moved] });
    empty.give(moved);
    empty.give(new ArrayBuffer(0));
    await empty.read(file, 0, 4);
    expect(empty.allocated).toBe(1);

    const small = new ChunkBuffers(4, 8);
    small.give((await small.read(file, 0, 20)).buffer as ArrayBuffer); // larger than 8 bytes: not kept
    await small.read(file, 0, 4);
    expect(small.allocated).toBe(2);
  });

  test('clear lets go of the free buffers', async () => {
    const buffers = new ChunkBuffers();
    buffers.give((await buffers.read(file, 0, 4)).buffer as ArrayBuffer);
    buffers.clear();
    await buffers.read(file, 0, 4);
    expect(buffers.allocated).toBe(2);
  });

  test('where a file stream cannot fill a given buffer, plain reads give the same bytes', async () => {
    const noByob = new Blob(['0123456789']);
    noByob.stream = () => new ReadableStream<Uint8Array<ArrayBuffer>>({ start(c) { c.enqueue(new Uint8Array(1)); c.close(); } });
    noByob.slice = function (this: Blob, ...args: Parameters<Blob['slice']>) {
      const part = Blob.prototype.slice.apply(noByob, args);
      part.stream = noByob.stream;
      return part;
    };
    const buffers = new ChunkBuffers();
    const first = await buffers.read(noByob, 2, 6);
    expect(text(first)).toBe('2345');
    buffers.give(first.buffer as ArrayBuffer); // not kept: plain reads cannot reuse it
    expect(text(await buffers.read(noByob, 6, 10))).toBe('6789');
    expect(buffers.allocated).toBe(2);
  });

  test('csvChunks over buffers given back: every chunk holds its own records', async () => {
    const rows = Array.from({ length: 200 }, (_, i) => `${i},"line ${i}\nwith a break"\n`).join('');
    const csv = new Blob([`n,text\n${rows}`]);
    const buffers = new ChunkBuffers();
    let joined = '';
    for await (const chunk of csvChunks(csv, 7, 100, undefined, buffers)) {
      joined += text(chunk.bytes);
      buffers.give(chunk.bytes.buffer as ArrayBuffer);
    }
    expect(joined).toBe(rows);
    expect(buffers.allocated).toBeLessThanOrEqual(3);
  });
});
