/// <reference lib="webworker" />
/**
 * Runs in an engine worker after DuckDB's own code: once DuckDB has copied a file chunk into its memory, the
 * chunk's buffer goes back to the page (moved, not copied) to have the next chunk read into it; Arrow bytes it has
 * inserted go back too, for the page to drop. Left here they would be garbage that this worker, busy in wasm and
 * allocating little, collects late: 16 MiB per chunk piled up. (Detaching a buffer in place with `transfer(0)` does
 * not free it in Chromium: the empty buffer keeps the memory.)
 *
 * Registered after DuckDB's dispatcher, so it sees each message after DuckDB has handled it: DuckDB copies a file
 * buffer, and inserts Arrow bytes, before its handler's first `await`. Every file buffer is answered under the
 * file's name, with null when there is nothing to give back (see buffer-returns.ts); Arrow bytes go back unnamed.
 * Self-contained (no outer names): the single-file build embeds its source text in the worker it makes.
 */
export function installChunkReturn(): void {
  const scope = self as unknown as DedicatedWorkerGlobalScope;
  const movable = (bytes: unknown): ArrayBuffer | null =>
    bytes instanceof Uint8Array && bytes.buffer instanceof ArrayBuffer && !bytes.buffer.detached ? bytes.buffer : null;
  scope.addEventListener('message', (event: MessageEvent) => {
    const request = event.data as { type?: string; data?: unknown[] } | null;
    if (request?.type === 'REGISTER_FILE_BUFFER') {
      const [name, bytes] = request.data ?? [];
      const buffer = movable(bytes);
      scope.postMessage({ lhChunkBuffer: buffer, name }, buffer ? [buffer] : []);
    } else if (request?.type === 'INSERT_ARROW_FROM_IPC_STREAM') {
      // Rows handed over as Arrow (JSON batches, chunks' candidates), copied in by now: the page, whose collector
      // runs often, drops them.
      const buffer = movable(request.data?.[1]);
      if (buffer) scope.postMessage({ lhChunkBuffer: buffer }, [buffer]);
    }
  });
}
