/**
 * The Engine port on native DuckDB (@duckdb/node-api 1.4.3-r.3, the same DuckDB 1.4.3 that duckdb-wasm 1.32 embeds).
 * It exists for the scale benchmark (issue 6): the app's own loader and detection run on it, so "app in the browser
 * versus native DuckDB" compares the same SQL on the same engine version, and the only differences are wasm, the
 * browser's file reading and threads.
 *
 * Files: native DuckDB reads paths, not Blobs. A Blob opened with `openFileBlob` (Node's file-backed
 * `fs.openAsBlob`) remembers its path; `registerFile(name, blob)` puts a symbolic link `name` → that path in a
 * private directory that is DuckDB's `file_search_path`, so the app's SQL (`read_csv('lh-src-….csv', …)`) reads the
 * real file from disk, streamed, as DuckDB would read any file. Other Blobs are first written to that directory.
 *
 * It has no `registerBuffer` on purpose: without it the loader hands the whole file to DuckDB in one pass instead of
 * reading it in JavaScript chunks, so the native figures are DuckDB's own reading, the baseline issue 6 compares with.
 */
import { openAsBlob } from 'node:fs';
import { mkdtemp, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBDataChunk, DuckDBInstance, VARCHAR, type DuckDBConnection } from '@duckdb/node-api';
import type { Cell, Engine, Row } from '../../src/lib/engine/engine';
import { normaliseCell } from '../../src/lib/engine/arrow-rows';
import { setupStatements } from '../../src/lib/engine/setup';
import { sqlIdent, sqlString } from '../../src/lib/sql/quote';

/** Blobs that are files on disk, and where. A WeakMap: the path lives exactly as long as the Blob. */
const filePaths = new WeakMap<Blob, string>();

/** A file-backed Blob (nothing is read until someone reads it) whose path `registerFile` can hand to DuckDB. */
export async function openFileBlob(filePath: string): Promise<Blob> {
  const blob = await openAsBlob(filePath);
  filePaths.set(blob, path.resolve(filePath));
  return blob;
}

export interface NativeEngineOptions {
  /** DuckDB's `threads` setting; omitted: DuckDB's default, one per core. */
  threads?: number;
}

export type NativeEngine = Engine & {
  /** A DuckDB setting as text (`threads`, `memory_limit`), to report what actually ran. */
  setting(name: string): Promise<string>;
  close(): Promise<void>;
};

/** DuckDB's vector size: a data chunk holds at most this many rows. */
const CHUNK_ROWS = 2048;

export async function createNativeEngine(options: NativeEngineOptions = {}): Promise<NativeEngine> {
  const config: Record<string, string> = {};
  if (options.threads !== undefined) config.threads = String(options.threads);
  const instance = await DuckDBInstance.create(':memory:', config);
  const conn: DuckDBConnection = await instance.connect();
  const dir = await mkdtemp(path.join(tmpdir(), 'localhunt-native-'));
  // Relative names in read_csv(...) are looked up here: the registered names, and nothing else.
  await conn.run(`SET file_search_path = ${sqlString(dir)}`);
  for (const sql of setupStatements(path.join(dir, 'no-extensions'))) await conn.run(sql);
  const linkPath = (name: string) => {
    // The name becomes a directory entry: it must be a plain file name.
    if (name === '' || name !== path.basename(name) || name === '.' || name === '..') throw new Error(`not a plain file name: ${name}`);
    return path.join(dir, name);
  };

  return {
    async registerFile(name, file) {
      const link = linkPath(name);
      const known = filePaths.get(file);
      if (known !== undefined) {
        await symlink(known, link);
        return;
      }
      // Not a file on disk (a Blob made in memory): write it out once, so DuckDB can read it like any file.
      await writeFile(link, file.stream());
    },
    async dropFile(name) {
      // The link (or the copy) only: the user's file stays where it is.
      await unlink(linkPath(name)).catch((e: NodeJS.ErrnoException) => { if (e.code !== 'ENOENT') throw e; });
    },
    async query(sql): Promise<Row[]> {
      const reader = await conn.runAndReadAll(sql);
      // The JS converter gives bigint for BIGINT/HUGEINT, numbers for DECIMAL (as castDecimalToDouble does in the
      // browser), arrays for lists and objects for structs; normaliseCell then maps them exactly as the browser's
      // Arrow path does (bigint → number when exact, else text).
      return reader.getRowObjectsJS().map((row) => {
        const out: Row = {};
        for (const [k, v] of Object.entries(row)) out[k] = normaliseCell(v) as Cell;
        return out;
      });
    },
    async exec(sql) {
      await conn.run(sql);
    },
    async insertStrings(table, columns, values, create) {
      if (create) await conn.run(`CREATE TABLE ${sqlIdent(table)} (${columns.map((c) => `${sqlIdent(c)} VARCHAR`).join(', ')})`);
      const rows = values[0]?.length ?? 0;
      if (rows === 0) return;
      // Column-wise data chunks: one native call per column per 2,048 rows instead of one per cell.
      const appender = await conn.createAppender(table);
      try {
        const types = columns.map(() => VARCHAR);
        for (let from = 0; from < rows; from += CHUNK_ROWS) {
          const n = Math.min(CHUNK_ROWS, rows - from);
          const chunk = DuckDBDataChunk.create(types, n);
          columns.forEach((_, c) => chunk.setColumnValues(c, (values[c] ?? []).slice(from, from + n)));
          appender.appendDataChunk(chunk);
        }
        appender.flushSync();
      } finally {
        appender.closeSync();
      }
    },
    async setting(name) {
      const reader = await conn.runAndReadAll(`SELECT current_setting(${sqlString(name)})::VARCHAR AS v`);
      return String(reader.getRowObjectsJS()[0]?.v ?? '');
    },
    async close() {
      conn.closeSync();
      instance.closeSync();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
