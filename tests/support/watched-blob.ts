/**
 * A Blob that records every slice taken of it and fails a test that reads or streams it whole: for readers that
 * must go through a large file a piece at a time.
 */
export class WatchedBlob extends Blob {
  readonly slices: [number, number][] = [];

  override slice(start?: number, end?: number, type?: string): Blob {
    this.slices.push([start ?? 0, end ?? this.size]);
    return super.slice(start, end, type);
  }

  override arrayBuffer(): Promise<ArrayBuffer> {
    throw new Error('the whole file was read at once');
  }

  override stream(): ReadableStream<Uint8Array<ArrayBuffer>> {
    throw new Error('the whole file was streamed');
  }
}
