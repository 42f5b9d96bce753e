// LocalHunt.html opened from disk (file://). Each context there has its own opaque origin, so the DuckDB worker
// cannot fetch a blob: URL the page made: the page hands the worker the gzip-compressed wasm embedded in the HTML,
// and the worker makes its own blob: URL for it (single-file-notes.md).
import type { EngineAssets } from './types';
import { installWasmModuleSharing } from '../engine/wasm-module-sharing';
import { installChunkReturn } from '../engine/chunk-return';
import HashWorker from '../report/sha256.worker.ts?worker&inline';
import EvtxWorker from '../ingest/evtx.worker.ts?worker&inline';

export const PLATFORM = 'single-file' as const;

/** Runs in the worker before DuckDB's own code: answers the first `lhWasm` message with a blob: URL of the wasm. */
const PRELUDE = `self.addEventListener('message', function lhWasm(event) {
  if (!event.data || !event.data.lhWasm) return;
  event.stopImmediatePropagation();
  self.removeEventListener('message', lhWasm);
  const stream = new Blob([event.data.lhWasm]).stream().pipeThrough(new DecompressionStream('gzip'));
  new Response(stream).blob().then(
    function (wasm) { self.postMessage({ lhWasmUrl: URL.createObjectURL(new Blob([wasm], { type: 'application/wasm' })) }); },
    function (error) { self.postMessage({ lhWasmError: String(error) }); });
});
`;

function embedded(id: string): { bytes: Uint8Array; element: HTMLElement } {
  const element = document.getElementById(id);
  if (!element) throw new Error(`this LocalHunt.html is incomplete: the block "${id}" is missing`);
  const text = (element.textContent ?? '').trim();
  const fromBase64 = (Uint8Array as unknown as { fromBase64?: (s: string) => Uint8Array }).fromBase64;
  if (fromBase64) return { bytes: fromBase64(text), element };
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return { bytes, element };
}

async function gunzip(bytes: Uint8Array): Promise<Blob> {
  return new Response(new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream('gzip'))).blob();
}

export async function engineAssets(): Promise<EngineAssets> {
  // The worker's source is embedded compressed too (a third of the size of plain text in the page's script).
  const workerSource = await (await gunzip(embedded('duckdb-worker').bytes)).text();
  const source =
    PRELUDE +
    `(${installWasmModuleSharing.toString()})();\n` +
    workerSource.replace(/\/\/# sourceMappingURL=\S*\s*$/, '') +
    `\n(${installChunkReturn.toString()})();\n`;
  const worker = new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
  const { bytes } = embedded('duckdb-wasm');
  const wasmUrl = await new Promise<string>((resolve, reject) => {
    const onMessage = (event: MessageEvent) => {
      const data = event.data as { lhWasmUrl?: string; lhWasmError?: string } | null;
      if (!data || (!data.lhWasmUrl && !data.lhWasmError)) return;
      worker.removeEventListener('message', onMessage);
      if (data.lhWasmUrl) resolve(data.lhWasmUrl);
      else reject(new Error(`the embedded engine could not be unpacked: ${data.lhWasmError}`));
    };
    worker.addEventListener('message', onMessage);
    worker.postMessage({ lhWasm: bytes }, [bytes.buffer]);
  });
  // A data: URL answers without a request and fails cleanly; anything else crashes the engine on file:// (notes).
  return { worker, wasmUrl, extensionRepository: 'data:,offline' };
}

/** The file-hashing worker, inlined into the page (a blob: worker). */
export const hashWorker = (): Worker => new HashWorker();

/** The .evtx reading worker, inlined into the page (a blob: worker). */
export const evtxWorker = (): Worker => new EvtxWorker();

export const SAMPLE_NAME = 'contoso-DeviceProcessEvents.csv';

export async function sampleFile(): Promise<{ file: Blob; name: string }> {
  const { bytes, element } = embedded('sample-data');
  return { file: await gunzip(bytes), name: element.dataset.name ?? SAMPLE_NAME };
}
