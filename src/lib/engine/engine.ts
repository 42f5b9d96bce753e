/**
 * The one port through which the app talks to its SQL engine. DuckDB lives behind it (see duckdb-browser.ts);
 * nothing in the UI imports DuckDB. Tests run the same code against DuckDB-WASM's Node build.
 */

/** A cell as it leaves the engine: BigInt and Arrow vectors are already normalised (see arrow-rows.ts). */
export type Cell = string | number | boolean | null | Cell[] | { [key: string]: Cell };
export type Row = Record<string, Cell>;

export interface Engine {
  /** Make a user's file readable by SQL under `name` without copying it into memory. */
  registerFile(name: string, file: Blob): Promise<void>;
  /**
   * Hand bytes already read to the engine under `name` (the buffer is transferred: the caller must not use it
   * again). Resolves with the buffer's memory when the engine gives it back for reading the next chunk into (the
   * bytes copied, so it no longer needs them). Engines without it read large files in one pass through registerFile.
   */
  registerBuffer?(name: string, bytes: Uint8Array): Promise<ArrayBuffer | null | void>;
  dropFile(name: string): Promise<void>;
  /** Run one statement and return its rows. */
  query(sql: string): Promise<Row[]>;
  /** Run statements whose result does not matter. */
  exec(sql: string): Promise<void>;
  /**
   * Append string columns to `table` (created with all-VARCHAR columns when `create` is set).
   * Column names are the caller's own safe identifiers, never names read from a log.
   */
  insertStrings(table: string, columns: string[], values: (string | null)[][], create: boolean): Promise<void>;
  /** A query's result as Arrow IPC stream bytes, to hand to another engine without decoding its rows. */
  queryArrow?(sql: string): Promise<Uint8Array>;
  /** Append Arrow IPC stream bytes (from `queryArrow`) to `table`, creating it when `create` is set. */
  insertArrow?(table: string, ipc: Uint8Array, create: boolean): Promise<void>;
  /** Stop an engine started for one job (a scan helper) and give its memory back. */
  close?(): Promise<void>;
}
