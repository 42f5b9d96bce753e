import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { readParquet, ticksToIso, type ParquetBatch } from '../../src/lib/ingest/parquet-reader';
import { RECORDS_PER_POSITION, type JsonItem } from '../../src/lib/ingest/json-reader';
import { WatchedBlob } from '../support/watched-blob';

const fixtureBytes = (name: string) => new Uint8Array(readFileSync(new URL(`../fixtures/tabular/${name}`, import.meta.url)));
const fixture = (name: string) => new Blob([fixtureBytes(name)]);

async function readAll(file: Blob, opts: { batchRows?: number; signal?: AbortSignal } = {}): Promise<ParquetBatch[]> {
  const out: ParquetBatch[] = [];
  for await (const b of readParquet(file, { batchRows: 1000, ...opts })) out.push(b);
  return out;
}
const itemsOf = (batches: ParquetBatch[]): JsonItem[] => batches.flatMap((b) => b.items);
const rowAt = (position: number, row: Record<string, string | null>): JsonItem => ({ position, record: position * RECORDS_PER_POSITION, row });

const UPN = 'alice@contoso.com';
/** [FileName, FolderPath, ProcessCommandLine, AccountUpn, ReportId] of the generated rows, in order. */
const EVENTS: [string, string, string, string | null, string][] = [
  ['net.exe', 'C:\\Windows\\System32\\net.exe', 'net  user /domain', UPN, '7451'],
  ['net1.exe', 'C:\\Windows\\System32\\net1.exe', 'C:\\Windows\\system32\\net1  user /domain', UPN, '7452'],
  ['net.exe', 'C:\\Windows\\System32\\net.exe', 'net user administrator', UPN, '7460'],
  ['net1.exe', 'C:\\Windows\\System32\\net1.exe', 'C:\\Windows\\system32\\net1 user administrator', UPN, '7461'],
  ['whoami.exe', 'C:\\Windows\\System32\\whoami.exe', 'whoami /all', UPN, '7475'],
  ['net.exe', 'C:\\Windows\\System32\\net.exe', 'net group "Domain Admins" /domain', UPN, '7480'],
  ['powershell.exe', 'C:\\Users\\alice\\Överblick\\', 'powershell.exe -c "Write-Host \'Grüße, 世界 ✓\'"', UPN, '7492'],
  // ReportId beyond 2^53: exact only if never made a double.
  ['net.exe', 'C:\\Windows\\System32\\net.exe', 'net localgroup administrators', null, '9007199254740993'],
];
const TIMES_AFTER_FIRST = [
  '2024-10-09T14:51:30.4560000Z', '2024-10-09T14:52:01.0070000Z', '2024-10-09T14:52:01.2500000Z',
  '2024-10-09T14:53:12.9990000Z', '2024-10-09T14:54:00.0000000Z', '2024-10-09T14:55:45.5000000Z', '2024-10-09T14:56:10.0100000Z',
];
const expectedEvents = (firstTime: string): JsonItem[] => EVENTS.map(([FileName, FolderPath, ProcessCommandLine, AccountUpn, ReportId], i) => rowAt(i + 1, {
  Timestamp: i === 0 ? firstTime : TIMES_AFTER_FIRST[i - 1] as string,
  DeviceName: 'ws-fin-017.contoso.com', ActionType: 'ProcessCreated', FileName, FolderPath, ProcessCommandLine,
  AccountDomain: 'contoso', AccountName: 'alice', AccountUpn, ReportId,
}));

describe('readParquet on files written by DuckDB', () => {
  test('zstd, TIMESTAMP_NS (not adjusted to UTC): nanoseconds truncated to 100 ns ticks; INT64 exact; null', async () => {
    const file = fixture('device-process-events.zstd.parquet');
    const batches = await readAll(file);
    // Written as 14:51:30.123456789: the 8 and 9 are below a tick and dropped, not rounded up.
    expect(itemsOf(batches)).toEqual(expectedEvents('2024-10-09T14:51:30.1234567Z'));
    expect(Object.keys(itemsOf(batches)[0]?.row ?? {})).toEqual([
      'Timestamp', 'DeviceName', 'ActionType', 'FileName', 'FolderPath', 'ProcessCommandLine', 'AccountDomain', 'AccountName', 'AccountUpn', 'ReportId',
    ]);
    expect(batches.at(-1)?.bytesRead).toBe(file.size);
  });

  test('snappy, TIMESTAMPTZ (micros, adjusted to UTC)', async () => {
    expect(itemsOf(await readAll(fixture('device-process-events.snappy.parquet')))).toEqual(expectedEvents('2024-10-09T14:51:30.1234560Z'));
  });

  test.each(['gzip', 'brotli', 'lz4_raw'])('%s compression', async (codec) => {
    expect(itemsOf(await readAll(fixture(`codec.${codec}.parquet`)))).toEqual(
      [0, 1, 2, 3, 4].map((n) => rowAt(n + 1, { n: String(n), label: `row ${n}` })),
    );
  });

  test('other types: DATE, DECIMAL, binary, nested, UBIGINT, TIME, UUID, BOOLEAN, floats, JSON', async () => {
    expect(itemsOf(await readAll(fixture('types.parquet')))).toEqual([
      rowAt(1, {
        d: '2024-10-09T00:00:00.0000000Z',
        dec18: '12.340',
        dec38: '-0.0000000015',
        dec4: '-7.00',
        bin: 'ff00fe',
        bintext: 'plain text',
        list: '[1,2,3]',
        struct: '{"a":1,"b":"x","t":"2024-10-09T14:51:30.5000000Z"}',
        map: '{"k":"v"}',
        ubig: '18446744073709551615',
        tm: '14:51:30.1234560',
        id: '6b1f0c3e-2c6a-4f7e-9c1d-0a1b2c3d4e5f',
        flag: 'true',
        dbl: '0.1',
        flt: '0.1',
        tms: '2024-10-09T14:51:30.1230000Z',
        // -50 ns: floored to the tick before the epoch.
        tns_before_1970: '1969-12-31T23:59:59.9999999Z',
        js: '{"big": 12345678901234567890}',
        tiny: '-128',
        int32: '2147483647',
      }),
      rowAt(2, {
        d: null, dec18: null, dec38: null, dec4: null, bin: null, bintext: null, list: null, struct: null, map: null, ubig: null,
        tm: null, id: null, flag: 'false', dbl: null, flt: null, tms: null, tns_before_1970: null, js: null, tiny: null, int32: null,
      }),
    ]);
  });
});

describe('row groups, batches and header rules', () => {
  test('header names: trimmed, repeats numbered, empty → Column<N>; three row groups read in turn', async () => {
    const file = fixture('row-groups.parquet');
    const batches = await readAll(file, { batchRows: 5 });
    expect(batches.map((b) => b.items.length)).toEqual([5, 3]);
    expect(itemsOf(batches)).toEqual(EVENTS.map(([FileName, FolderPath, ProcessCommandLine], i) =>
      rowAt(i + 1, { n: String(i + 1), FileName, FileName1: FolderPath, Column4: ProcessCommandLine })));
    const progress = batches.map((b) => b.bytesRead);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
    expect(progress.at(-1)).toBe(file.size);
  });

  test('batches of exactly batchRows, across row groups', async () => {
    const batches = await readAll(fixture('row-groups.parquet'), { batchRows: 2 });
    expect(batches.map((b) => b.items.length)).toEqual([2, 2, 2, 2, 0]);
    expect(itemsOf(batches).map((i) => i.position)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  test('the file is read in slices, row group by row group, never whole', async () => {
    const n = 30_000;
    const bytes = new Uint8Array(parquetWriteBuffer({
      columnData: [
        { name: 'i', data: Int32Array.from({ length: n }, (_, k) => k), type: 'INT32' },
        { name: 'text', data: Array.from({ length: n }, (_, k) => `value ${k} ${(k * 2654435761) % 1000003}`), type: 'STRING' },
      ],
      rowGroupSize: 10_000,
      codec: 'UNCOMPRESSED',
    }));
    const file = new WatchedBlob([bytes]);
    let rows = 0;
    let last = '';
    for await (const b of readParquet(file, { batchRows: 4096 })) {
      rows += b.items.length;
      last = String(b.items.at(-1)?.row?.['i'] ?? last);
    }
    expect(rows).toBe(n);
    expect(last).toBe(String(n - 1));
    const largest = Math.max(...file.slices.map(([s, e]) => e - s));
    expect(largest).toBeLessThan(file.size / 2);
  });

  test('a file with no rows gives one empty batch', async () => {
    const bytes = parquetWriteBuffer({ columnData: [{ name: 'a', data: [], type: 'STRING' }] });
    const batches = await readAll(new Blob([bytes]));
    expect(batches).toEqual([{ items: [], bytesRead: bytes.byteLength }]);
  });
});

describe('tick formatting', () => {
  test('ticks to ISO 8601 with seven fractional digits', () => {
    expect(ticksToIso(0n)).toBe('1970-01-01T00:00:00.0000000Z');
    expect(ticksToIso(-1n)).toBe('1969-12-31T23:59:59.9999999Z');
    expect(ticksToIso(17284854901234567n)).toBe('2024-10-09T14:51:30.1234567Z');
    expect(ticksToIso(-621355968000000000n)).toBe('0001-01-01T00:00:00.0000000Z');
  });
});

describe('errors', () => {
  test('not Parquet at all', async () => {
    await expect(readAll(new Blob(['Timestamp,DeviceName\n2024-10-09,ws\n']))).rejects.toThrow('not a Parquet file: it does not start with PAR1');
    await expect(readAll(new Blob(['PAR1']))).rejects.toThrow('not a Parquet file: it is too short');
  });

  test('a truncated file', async () => {
    const bytes = fixtureBytes('device-process-events.zstd.parquet');
    await expect(readAll(new Blob([bytes.slice(0, bytes.length - 100)]))).rejects.toThrow('damaged Parquet file: its footer is missing');
  });

  test('damaged metadata', async () => {
    const bytes = fixtureBytes('device-process-events.zstd.parquet');
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const footerLength = view.getUint32(bytes.length - 8, true);
    bytes.fill(0xff, bytes.length - 8 - footerLength, bytes.length - 8);
    await expect(readAll(new Blob([bytes]))).rejects.toThrow(/^damaged Parquet file: its metadata cannot be read/);
  });

  test('damaged column data', async () => {
    const bytes = fixtureBytes('device-process-events.zstd.parquet');
    // Column chunks start right after the 4-byte magic; overwrite the first page header and data.
    bytes.fill(0xff, 4, 200);
    await expect(readAll(new Blob([bytes]))).rejects.toThrow(/^damaged or unsupported Parquet file: row group 1 of 1 cannot be read/);
  });

  test('an encrypted footer', async () => {
    const bytes = fixtureBytes('device-process-events.zstd.parquet');
    bytes.set(new TextEncoder().encode('PARE'), bytes.length - 4);
    await expect(readAll(new Blob([bytes]))).rejects.toThrow('this Parquet file is encrypted');
  });
});

describe('abort', () => {
  test('an aborted signal stops before reading', async () => {
    const ctl = new AbortController();
    ctl.abort();
    await expect(readAll(fixture('row-groups.parquet'), { signal: ctl.signal })).rejects.toThrow(/abort/i);
  });

  test('aborting between batches stops the read with the abort reason', async () => {
    const ctl = new AbortController();
    const seen: number[] = [];
    const run = (async () => {
      for await (const b of readParquet(fixture('row-groups.parquet'), { batchRows: 2, signal: ctl.signal })) {
        seen.push(b.items.length);
        ctl.abort(new DOMException('stopped by the user', 'AbortError'));
      }
    })();
    await expect(run).rejects.toThrow('stopped by the user');
    expect(seen).toEqual([2]);
  });

  test('an abort while a row group is being read stops it', async () => {
    const ctl = new AbortController();
    const bytes = fixtureBytes('row-groups.parquet');
    let reads = 0;
    class AbortingBlob extends Blob {
      override slice(start?: number, end?: number, type?: string): Blob {
        // The magic checks and the footer are the first reads; abort as the first row group is fetched.
        if (++reads === 4) ctl.abort(new DOMException('stopped mid-group', 'AbortError'));
        return super.slice(start, end, type);
      }
    }
    await expect(readAll(new AbortingBlob([bytes]), { signal: ctl.signal })).rejects.toThrow('stopped mid-group');
  });
});
