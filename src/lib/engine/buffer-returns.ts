/**
 * The page's side of chunk-return.ts: each registerBuffer call waits for its buffer by file name, so an answer that
 * never comes (a message the worker never got, an engine closed under it) cannot shift the pairing of later ones.
 */
export class BufferReturns {
  private readonly waiting = new Map<string, (buffer: ArrayBuffer | null) => void>();

  /** Resolves with the buffer the worker gives back for `name`, or null when none will come. */
  expect(name: string): Promise<ArrayBuffer | null> {
    this.cancel(name);
    return new Promise((resolve) => this.waiting.set(name, resolve));
  }

  /** The worker's answer; one nobody waits for (a message not sent by registerBuffer) is dropped. */
  answer(name: string, buffer: ArrayBuffer | null): void {
    const resolve = this.waiting.get(name);
    this.waiting.delete(name);
    resolve?.(buffer);
  }

  /** No answer will come for `name` (its registration failed before reaching the worker). */
  cancel(name: string): void {
    this.answer(name, null);
  }

  /** The engine is gone: nothing will come back. */
  closeAll(): void {
    for (const name of [...this.waiting.keys()]) this.cancel(name);
  }
}
