/// <reference types="vitest/config" />
import { defineConfig, type UserConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';
import { viteSingleFile } from 'vite-plugin-singlefile';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { CONTENT_SECURITY_POLICY } from './src/csp.ts';
import { finishSingleFile } from './src/build/single-file.ts';
import { watModules } from './src/build/wat.ts';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const require = createRequire(import.meta.url);

const shared: UserConfig = {
  // Relative base: dist/ works from any static server under any sub-path.
  base: './',
  define: { __APP_VERSION__: JSON.stringify(pkg.version) },
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 2048 },
};

/** `vite build --mode single-file`: the same app as one HTML file for file:// (see src/lib/platform/single-file.ts). */
const singleFile: UserConfig = {
  ...shared,
  publicDir: false,
  // On file:// a module worker from a blob: URL fails to start (opaque origin); a classic one works.
  worker: { format: 'iife' },
  resolve: { alias: { '#platform': here('./src/lib/platform/single-file.ts') } },
  plugins: [
    svelte(),
    watModules(),
    viteSingleFile({ removeViteModuleLoader: true }),
    finishSingleFile({
      wasmPath: require.resolve('@duckdb/duckdb-wasm/dist/duckdb-eh.wasm'),
      workerPath: require.resolve('@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js'),
      samplePath: here('./public/sample/contoso-DeviceProcessEvents.csv'),
      sampleName: 'contoso-DeviceProcessEvents.csv',
      faviconPath: here('./public/favicon.svg'),
      outFile: here('./dist/LocalHunt.html'),
    }),
  ],
  build: { ...shared.build, outDir: here('./node_modules/.cache/localhunt-single-file'), emptyOutDir: true },
};

/**
 * DuckDB's worker script is imported for its effect (it installs the worker's message handler), but its package
 * declares itself free of side effects, which would let the bundler drop it from our engine worker.
 */
const keepDuckdbWorker = {
  name: 'localhunt-keep-duckdb-worker',
  transform: (code: string, id: string) => (id.endsWith('duckdb-browser-eh.worker.js') ? { code, moduleSideEffects: true } : null),
};

const served: UserConfig = {
  ...shared,
  worker: { ...shared.worker, plugins: () => [keepDuckdbWorker] },
  build: {
    ...shared.build,
    // Emscripten's glue in DuckDB's worker holds a direct eval on a Node-only path (and the page's CSP forbids eval).
    rolldownOptions: { onLog: (level, log, handler) => { if (!(log.code === 'EVAL' && log.id?.includes('duckdb-browser-eh.worker'))) handler(level, log); } },
  },
  resolve: { alias: { '#platform': here('./src/lib/platform/served.ts') } },
  plugins: [
    svelte(),
    watModules(),
    {
      // The same policy as a meta tag, so it holds whatever server delivers the page.
      name: 'localhunt-csp-meta',
      transformIndexHtml: (html) => html.replace('<!--CSP-->', `<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}" />`),
    },
    VitePWA({
      // After one visit the app, the engine and its wasm come from the cache: it then works with no network.
      registerType: 'autoUpdate',
      injectRegister: 'script',
      manifest: false,
      workbox: {
        globPatterns: ['**/*.{html,js,css,wasm,svg,csv}'],
        globIgnores: ['LocalHunt.html'],
        // Workbox skips files over 2 MiB by default; the engine's wasm is ~34 MB.
        maximumFileSizeToCacheInBytes: 64 * 1024 * 1024,
        cleanupOutdatedCaches: true,
        clientsClaim: true,
        skipWaiting: true,
      },
    }),
  ],
  server: { headers: { 'Content-Security-Policy': CONTENT_SECURITY_POLICY } },
  preview: { headers: { 'Content-Security-Policy': CONTENT_SECURITY_POLICY } },
  test: {
    environment: 'node',
    include: ['tests/unit/**/*.test.ts', 'tests/detections/**/*.test.ts', 'tests/formats/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
};

export default defineConfig(({ mode }) => (mode === 'single-file' ? singleFile : served));
