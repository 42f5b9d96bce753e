/**
 * The memory a large file's chunks are read into, used again and again. Reading each chunk into a new buffer
 * leaves one dead 16 MiB buffer per chunk in whichever thread held it last, freed only when that thread's
 * collector next runs; an engine worker busy in wasm runs it rarely, so a multi-GB file left hundreds of MB of them
 * behind. Here a chunk is read into a free buffer in place (a BYOB read of the file's stream) and the engine gives
 * the buffer back once it has copied the chunk (see engine/chunk-return.ts), so a load holds a few buffers in all.
 */
export class ChunkBuffers {
  private readonly free: ArrayBuffer[] = [];
  /** Buffers made so far (the rest of the reads reused one). */
  allocated = 0;
  private inPlace = true;

  /** At most `keep` free buffers, none larger than `largest` bytes (one read for a very long record is not kept). */
  constructor(private readonly keep = 4, private readonly largest = Infinity) {}

  /** Bytes [from, to) of `file`, in a buffer of this pool. */
  async read(file: Blob, from: number, to: number): Promise<Uint8Array> {
    const size = to - from;
    if (this.inPlace) {
      try {
        return await this.readInPlace(file.slice(from, to), size);
      } catch (e) {
        // A browser whose file streams cannot fill a given buffer: a plain read, left to the collector.
        if (!(e instanceof TypeError)) throw e;
        this.inPlace = false;
      }
    }
    this.allocated++;
    return new Uint8Array(await file.slice(from, to).arrayBuffer());
  }

  /** A buffer the reader is done with (an engine gave it back, or a read was not used). */
  give(buffer: ArrayBuffer): void {
    if (!this.inPlace || buffer.detached || buffer.byteLength === 0 || buffer.byteLength > this.largest) return;
    if (this.free.length < this.keep) this.free.push(buffer);
  }

  /** Let go of the free buffers (the load has read its last chunk). */
  clear(): void {
    this.free.length = 0;
  }

  private take(size: number): ArrayBuffer {
    const i = this.free.findIndex((b) => b.byteLength >= size);
    if (i >= 0) return this.free.splice(i, 1)[0]!;
    this.allocated++;
    return new ArrayBuffer(size);
  }

  private async readInPlace(slice: Blob, size: number): Promise<Uint8Array> {
    const reader = slice.stream().getReader({ mode: 'byob' });
    // Each read moves the buffer into the stream and hands it back as a new object over the same memory.
    let buffer = this.take(size);
    let filled = 0;
    try {
      while (filled < size) {
        const { value, done } = await reader.read(new Uint8Array(buffer, filled, size - filled));
        if (value) buffer = value.buffer as ArrayBuffer;
        if (done) break;
        filled += value.byteLength;
      }
    } catch (e) {
      if (!buffer.detached) this.give(buffer);
      throw e;
    } finally {
      await reader.cancel().catch(() => {});
    }
    return new Uint8Array(buffer, 0, filled);
  }
}
