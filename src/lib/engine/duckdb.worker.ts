// The engine worker of the served app: DuckDB's own worker between two preludes. The first shares its compiled
// wasm between engines (imported first, so it sees each message before DuckDB's dispatcher); the last gives each
// file chunk's buffer back once DuckDB has copied it (imported last, so it sees each message after).
import './wasm-module-sharing.install';
import '@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js';
import './chunk-return.install';
