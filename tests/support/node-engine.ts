/**
 * The Engine port on DuckDB-WASM's blocking Node build: the same engine (DuckDB 1.4.3 compiled to wasm) as the
 * browser, so detection SQL is tested on what users run.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import * as duckdb from '@duckdb/duckdb-wasm/blocking';
import { tableToIPC } from 'apache-arrow';
import type { Engine, Row } from '../../src/lib/engine/engine';
import { arrowToRows } from '../../src/lib/engine/arrow-rows';
import { setupStatements } from '../../src/lib/engine/setup';
import { stringTable } from '../../src/lib/engine/arrow-build';

const require = createRequire(import.meta.url);
const cjsArrow = require('apache-arrow') as typeof import('apache-arrow');

export async function createNodeEngine(): Promise<Engine & { close(): Promise<void> }> {
  const dist = path.dirname(require.resolve('@duckdb/duckdb-wasm/dist/duckdb-eh.wasm'));
  const bundles = {
    mvp: { mainModule: path.join(dist, 'duckdb-mvp.wasm'), mainWorker: path.join(dist, 'duckdb-node-mvp.worker.cjs') },
    eh: { mainModule: path.join(dist, 'duckdb-eh.wasm'), mainWorker: path.join(dist, 'duckdb-node-eh.worker.cjs') },
  };
  const db = await duckdb.createDuckDB(bundles, new duckdb.VoidLogger(), duckdb.NODE_RUNTIME);
  await db.instantiate(() => {});
  db.open({ query: { castBigIntToDouble: false, castDecimalToDouble: true } });
  const conn = db.connect();
  for (const sql of setupStatements('/nonexistent-extension-repository')) conn.query(sql);

  return {
    async registerFile(name, file) {
      db.registerFileBuffer(name, new Uint8Array(await file.arrayBuffer()));
    },
    async registerBuffer(name, bytes) {
      // Copied into the engine's memory: the buffer is free again, as the browser engine's worker gives it back.
      db.registerFileBuffer(name, bytes);
      return bytes.buffer as ArrayBuffer;
    },
    async dropFile(name) {
      db.dropFile(name);
    },
    async query(sql): Promise<Row[]> {
      return arrowToRows(conn.query(sql));
    },
    async exec(sql) {
      conn.query(sql);
    },
    async insertStrings(table, columns, values, create) {
      // As IPC bytes: this file's Arrow (ESM) and the one duckdb-wasm's CommonJS build requires are different
      // module instances, so handing over a Table object would not be recognised.
      conn.insertArrowFromIPCStream(tableToIPC(stringTable(columns, values), 'stream'), { name: table, create });
    },
    async queryArrow(sql) {
      // duckdb-wasm's own (CommonJS) Arrow instance encodes the Table it returned.
      return cjsArrow.tableToIPC(conn.query(sql), 'stream');
    },
    async insertArrow(table, ipc, create) {
      conn.insertArrowFromIPCStream(ipc, { name: table, create });
    },
    async close() {
      conn.close();
    },
  };
}
