/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';
import { readFileSync } from 'node:fs';
import { CONTENT_SECURITY_POLICY } from './src/csp.ts';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

export default defineConfig({
  // Relative base: dist/ works from any static server under any sub-path.
  base: './',
  plugins: [
    svelte(),
    {
      // The same policy as a meta tag, so it holds whatever server (or none) delivers the page.
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
        // Workbox skips files over 2 MiB by default; the engine's wasm is ~34 MB.
        maximumFileSizeToCacheInBytes: 64 * 1024 * 1024,
        cleanupOutdatedCaches: true,
        clientsClaim: true,
        skipWaiting: true,
      },
    }),
  ],
  define: {
    __APP_VERSION__: JSON.stringify(pkg.version),
  },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 2048,
  },
  worker: { format: 'es' },
  server: { headers: { 'Content-Security-Policy': CONTENT_SECURITY_POLICY } },
  preview: { headers: { 'Content-Security-Policy': CONTENT_SECURITY_POLICY } },
  test: {
    environment: 'node',
    include: ['tests/unit/**/*.test.ts', 'tests/detections/**/*.test.ts', 'tests/formats/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
