/// <reference lib="webworker" />
/**
 * Runs in an engine worker after DuckDB's own code: once DuckDB has copied a file chunk into its memory, the
 * chunk's buffer goes back to the page (moved, not copied) to have the next chunk read into it. Left here it
 * would be garbage that this worker, busy in wasm, collects rarely: hundreds of MB for a multi-GB file. (Detaching
 * it in place with `transfer(0)` does not free it in Chromium: the empty buffer keeps the memory.)
 *
 * Registered after DuckDB's dispatcher, so it sees each message after DuckDB has handled it: DuckDB copies a file
 * buffer before its handler's first `await`. Every such message is answered, with null when there is nothing to
 * give back, so the page can pair answers with requests. Self-contained (no outer names): the single-file build
 * embeds its source text in the worker it makes.
 */
export function installChunkReturn(): void {
  const scope = self as unknown as DedicatedWorkerGlobalScope;
  scope.addEventListener('message', (event: MessageEvent) => {
    const request = event.data as { type?: string; data?: unknown[] } | null;
    if (request?.type !== 'REGISTER_FILE_BUFFER') return;
    const bytes = request.data?.[1];
    const buffer = bytes instanceof Uint8Array && bytes.buffer instanceof ArrayBuffer && !bytes.buffer.detached ? bytes.buffer : null;
    scope.postMessage({ lhChunkBuffer: buffer }, buffer ? [buffer] : []);
  });
}
