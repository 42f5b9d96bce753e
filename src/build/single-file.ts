import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

/**
 * Finishes LocalHunt.html after vite-plugin-singlefile has inlined the app: embeds the engine's wasm and the sample
 * data as inert, gzip-compressed base64 blocks, writes a hash-based Content-Security-Policy for the inline script,
 * and puts the file and its SHA-256 into dist/.
 */
export interface SingleFileOptions {
  wasmPath: string;
  workerPath: string;
  samplePath: string;
  sampleName: string;
  faviconPath: string;
  outFile: string;
}

const inert = (id: string, bytes: Buffer, attrs = '') =>
  `<script id="${id}" type="application/octet-stream" data-enc="gzip"${attrs}>${gzipSync(bytes, { level: 9 }).toString('base64')}</script>`;

const sha256 = (text: string | Buffer) => createHash('sha256').update(text).digest();

export function finishSingleFile(options: SingleFileOptions): Plugin {
  let outDir = '';
  return {
    name: 'localhunt-single-file',
    apply: 'build',
    enforce: 'post',
    configResolved(config) {
      outDir = config.build.outDir;
    },
    closeBundle() {
      let html = readFileSync(join(outDir, 'index.html'), 'utf8');
      const favicon = `data:image/svg+xml;base64,${readFileSync(options.faviconPath).toString('base64')}`;
      html = html.replace(/href="\.\/favicon\.svg"/, `href="${favicon}"`);
      const executable = [...html.matchAll(/<script(?![^>]*application\/octet-stream)[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1] ?? '');
      if (executable.length === 0) throw new Error('single-file build: no inline script found');
      // Inside an inline script the HTML parser still reacts to these: they would cut the script short.
      for (const code of executable) {
        const bad = /<!--|<\/?script/i.exec(code);
        if (bad) throw new Error(`single-file build: the inline script contains "${bad[0]}" near: ${code.slice(Math.max(0, bad.index - 60), bad.index + 40)}`);
      }
      const hashes = executable.map((code) => `'sha256-${sha256(code).toString('base64')}'`).join(' ');
      // Scripts only by hash; the worker is a blob: URL the page makes; the engine reads blob:/data: URLs only.
      const csp = [
        "default-src 'none'", `script-src ${hashes} 'wasm-unsafe-eval'`, "style-src 'unsafe-inline'", 'img-src data:',
        'worker-src blob:', 'connect-src blob: data:', "base-uri 'none'", "form-action 'none'",
      ].join('; ');
      html = html.replace('<!--CSP-->', `<meta http-equiv="Content-Security-Policy" content="${csp}" />`);
      const blocks = inert('duckdb-wasm', readFileSync(options.wasmPath)) + '\n' +
        inert('duckdb-worker', readFileSync(options.workerPath)) + '\n' +
        inert('sample-data', readFileSync(options.samplePath), ` data-name="${options.sampleName}"`);
      // The last </body>: the app's own code holds that text in strings too.
      const end = html.lastIndexOf('</body>');
      html = `${html.slice(0, end)}${blocks}\n${html.slice(end)}`;
      mkdirSync(join(options.outFile, '..'), { recursive: true });
      writeFileSync(options.outFile, html);
      const digest = sha256(html).toString('hex');
      const name = options.outFile.split(/[\\/]/).pop()!;
      writeFileSync(`${options.outFile}.sha256`, `${digest}  ${name}\n`);
      console.log(`\n${name}: ${(Buffer.byteLength(html) / 1e6).toFixed(2)} MB, SHA-256 ${digest}`);
    },
  };
}
