// The engine worker of the served app: DuckDB's own worker, after the prelude that shares its compiled wasm
// between engines (imported first, so it runs first and sees each message before DuckDB's dispatcher).
import './wasm-module-sharing.install';
import '@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js';
