/**
 * A cheap identity for "the same file dropped twice": its size and a SHA-256 of its first and last MiB. Without
 * crypto.subtle (an insecure context) it falls back to name, size and modification time.
 */
const EDGE = 1 << 20;

export async function fingerprint(file: Blob, name: string): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return `meta:${name}:${file.size}:${(file as File).lastModified ?? ''}`;
  const head = new Uint8Array(await file.slice(0, EDGE).arrayBuffer());
  const tail = file.size > EDGE ? new Uint8Array(await file.slice(Math.max(EDGE, file.size - EDGE)).arrayBuffer()) : new Uint8Array();
  const both = new Uint8Array(head.length + tail.length);
  both.set(head);
  both.set(tail, head.length);
  const digest = new Uint8Array(await subtle.digest('SHA-256', both));
  return `sha256:${file.size}:${Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}
