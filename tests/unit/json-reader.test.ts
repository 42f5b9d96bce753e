import { describe, expect, test } from 'vitest';
import { readJsonDocument, readJsonLines, MAX_JSON_DOCUMENT_BYTES } from '../../src/lib/ingest/json-reader';
import { sniff } from '../../src/lib/ingest/sniff';

describe('JSON reading', () => {
  test('a single document over 1 GB is refused with a clear message, without reading it', async () => {
    const huge = { size: MAX_JSON_DOCUMENT_BYTES + 1, text: () => { throw new Error('must not read'); } } as unknown as Blob;
    await expect(readJsonDocument(huge)).rejects.toThrow(/at most 1 GB can be read whole.*JSON lines/);
  });

  test('JSON lines are streamed in batches with line numbers; bad lines are rejected by line', async () => {
    const text = '\ufeff{"a":1}\r\n\r\n{"a":2}\nnot json\n{"records":[{"category":"AdvancedHunting-DeviceProcessEvents","properties":{"a":3}},{"category":"AdvancedHunting-DeviceNetworkEvents","properties":{}}]}\n[1]';
    const batches = [];
    for await (const b of readJsonLines(new Blob([text]), 2)) batches.push(b);
    expect(batches.length).toBeGreaterThan(1);
    const items = batches.flatMap((b) => b.items);
    const R = 2 ** 20;
    expect(items).toEqual([
      { position: 1, record: R, row: { a: 1 } },
      { position: 3, record: 3 * R, row: { a: 2 } },
      { position: 4, record: 4 * R, reject: 'not valid JSON' },
      // Records nested in one line keep their order within it.
      { position: 5, record: 5 * R + 1, row: { a: 3 } },
      { position: 5, record: 5 * R + 2, skip: 'other table (AdvancedHunting-DeviceNetworkEvents)' },
      { position: 6, record: 6 * R, reject: 'an array where a row object was expected' },
    ]);
    expect(batches.at(-1)!.bytesRead).toBe(new TextEncoder().encode(text).length);
    expect(batches.at(-1)!.streaming).toBe(true);
  });

  test('a line split across stream chunks, and multi-byte text, survive', async () => {
    const line = JSON.stringify({ cmd: 'net user Jürgen ' + 'x'.repeat(200_000) });
    const items = [];
    for await (const b of readJsonLines(new Blob([line + '\n' + line]), 10)) items.push(...b.items);
    expect(items.map((i) => (i.row as { cmd: string }).cmd.length)).toEqual([216, 216].map(() => 'net user Jürgen '.length + 200_000));
  });

  test('envelopes: API (PascalCase) and Graph (any casing) with their schema', async () => {
    const api = await readJsonDocument(new Blob([JSON.stringify({ Stats: {}, Schema: [{ Name: 'Timestamp', Type: 'DateTime' }], Results: [{ Timestamp: 'x' }] })]));
    expect(api.meta).toEqual({ format: 'Advanced Hunting API JSON', schema: [{ name: 'Timestamp', type: 'DateTime' }] });
    const graph = await readJsonDocument(new Blob([JSON.stringify({ '@odata.context': 'x', SCHEMA: [{ name: 'A', type: 'String' }], RESULTS: [{ A: 1 }] })]));
    expect(graph.meta.format).toBe('Graph runHuntingQuery JSON');
    expect(graph.items).toEqual([{ position: 1, record: 2 ** 20, row: { A: 1 } }]);
  });
});

describe('sniffing by content, not extension', () => {
  const kind = async (content: string | Uint8Array) => (await sniff(new Blob([content as BlobPart]))).kind;
  test.each([
    ['[{"a":1}]', 'json-document'], ['{\n  "Results": []\n}', 'json-document'], ['{"a":1}\n{"a":2}', 'json-lines'],
    ['Timestamp,FileName\n1,2', 'csv'], ['\ufeffTimestamp;FileName\n1;2', 'csv'], ['', 'unsupported'], ['   \n ', 'unsupported'],
  ])('%j → %s', async (content, expected) => expect(await kind(content)).toBe(expected));
  test.each([
    [[0x50, 0x4b, 0x03, 0x04, 1, 2], 'zip'], [[0x50, 0x4b, 0x05, 0x06], 'zip'], [[0x1f, 0x8b, 8, 0], 'gzip'], [[0x50, 0x41, 0x52, 0x31, 0], 'parquet'],
    [[0x45, 0x6c, 0x66, 0x46, 0x69, 0x6c, 0x65, 0x00], 'evtx'],
    [[0x3c, 0x45, 0x76, 0x65, 0x6e, 0x74, 0x73, 0x3e], 'xml'],
  ])('containers and binary tables are recognised: %j → %s', async (bytes, expected) => expect(await kind(new Uint8Array(bytes))).toBe(expected));
  test.each([
    [[0xfe, 0xff, 0, 0x54], 'UTF-16 big-endian'], [[0xd0, 0xcf, 0x11, 0xe0], 'legacy .xls'],
    [[0x3c, 0x68, 0x74, 0x6d, 0x6c, 0x3e], 'not a Windows event export'],
  ])('binary %j is named', async (bytes, word) => {
    const s = await sniff(new Blob([new Uint8Array(bytes)]));
    expect(s.kind === 'unsupported' && s.problem).toContain(word);
  });
});

describe('a Defender export of exactly 30,000 rows is flagged as probably truncated', () => {
  test('30,000 rows', async () => {
    const { createNodeEngine } = await import('../support/node-engine');
    const { loadAll } = await import('../support/harness');
    const engine = await createNodeEngine();
    const rows = Array.from({ length: 30_000 }, (_, i) => `2024-05-09T00:00:${String(i % 60).padStart(2, '0')}Z,cmd.exe,cmd /c ${i},a@x`);
    const [s] = await loadAll(engine, [{ name: 'capped.csv', content: ['Timestamp,FileName,ProcessCommandLine,AccountUpn', ...rows].join('\n') }]);
    expect(s!.status === 'ready' && s!.notes.join(' ')).toContain('Exactly 30,000 rows: the Defender portal stops there');
    const [t] = await loadAll(engine, [{ name: 'not-capped.csv', content: ['Timestamp,FileName,ProcessCommandLine,AccountUpn', ...rows.slice(1)].join('\n') }]);
    expect(t!.status === 'ready' && t!.notes.join(' ')).not.toContain('truncated');
    engine.close();
  });
});
