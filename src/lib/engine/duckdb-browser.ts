import * as duckdb from '@duckdb/duckdb-wasm';
import { tableToIPC } from 'apache-arrow';
// Only the single-threaded "eh" bundle: every current browser has wasm exceptions, and the threaded bundle cannot
// read dropped files (stack-notes §5). Where its files come from depends on the build (`#platform`).
import { engineAssets } from '#platform';
import type { Engine } from './engine';
import { arrowToRows } from './arrow-rows';
import { setupStatements } from './setup';
import { stringTable } from './arrow-build';
import { BufferReturns } from './buffer-returns';

const START_TIMEOUT_MS = 60_000;

/** Rejects when `promise` has not settled in time: DuckDB's start hangs (no error) when a CSP blocks wasm. */
function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms);
    promise.then((v) => { clearTimeout(timer); resolve(v); }, (e: unknown) => { clearTimeout(timer); reject(e); });
  });
}

/** DuckDB's wasm as the first engine compiled it (see wasm-module-sharing.ts); later engines instantiate it. */
let compiled: WebAssembly.Module | null = null;

async function start(onProgress: (text: string) => void): Promise<Engine> {
  onProgress('starting the engine worker');
  const { worker, wasmUrl, extensionRepository } = await engineAssets();
  /** registerBuffer calls waiting for their buffer back (see chunk-return.ts). */
  const returns = new BufferReturns();
  // Listening before DuckDB's dispatcher does, so neither our messages reach it.
  worker.addEventListener('message', (event: MessageEvent) => {
    const data = event.data as { lhWasmModule?: WebAssembly.Module; lhChunkBuffer?: ArrayBuffer | null; name?: string } | null;
    if (data?.lhWasmModule) {
      event.stopImmediatePropagation();
      compiled ??= data.lhWasmModule;
    } else if (data && 'lhChunkBuffer' in data) {
      event.stopImmediatePropagation();
      if (typeof data.name === 'string') returns.answer(data.name, data.lhChunkBuffer ?? null);
    }
  });
  if (compiled) worker.postMessage({ lhWasmModule: compiled });
  try {
    const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
    onProgress('loading the engine (wasm)');
    await withTimeout(db.instantiate(wasmUrl), START_TIMEOUT_MS, 'Loading the DuckDB engine');
    await db.open({ query: { castBigIntToDouble: false, castDecimalToDouble: true } });
    const conn = await db.connect();
    onProgress('preparing');
    // Never a request for an extension: autoloading is off, and the repository answers locally if anything asks.
    for (const sql of setupStatements(extensionRepository)) await conn.query(sql);
    return {
      async registerFile(name, file) {
        await db.registerFileHandle(name, file, duckdb.DuckDBDataProtocol.BROWSER_FILEREADER, true);
      },
      async registerBuffer(name, bytes) {
        const back = returns.expect(name);
        try {
          await db.registerFileBuffer(name, bytes);
        } catch (e) {
          returns.cancel(name);
          throw e;
        }
        return back;
      },
      async dropFile(name) {
        await db.dropFile(name);
      },
      async query(sql) {
        return arrowToRows(await conn.query(sql));
      },
      async exec(sql) {
        await conn.query(sql);
      },
      async insertStrings(table, columns, values, create) {
        await conn.insertArrowTable(stringTable(columns, values), { name: table, create });
      },
      async queryArrow(sql) {
        return tableToIPC(await conn.query(sql), 'stream');
      },
      async insertArrow(table, ipc, create) {
        await conn.insertArrowFromIPCStream(ipc, { name: table, create });
      },
      async close() {
        await conn.close().catch(() => {});
        await db.terminate();
        returns.closeAll();
      },
    };
  } catch (e) {
    worker.terminate();
    throw e;
  }
}

/**
 * A second engine of its own (its own worker and memory), for scanning a large file's chunks beside the shared
 * one on the machine's other core; the caller closes it when the job is done.
 */
export function startScanEngine(): Promise<Engine> {
  return start(() => {});
}

let shared: Promise<Engine> | null = null;

/** The engine, started once; a failed start is forgotten so the next call tries again. */
export function getBrowserEngine(onProgress: (text: string) => void = () => {}): Promise<Engine> {
  shared ??= start(onProgress).catch((e: unknown) => {
    shared = null;
    throw e;
  });
  return shared;
}
