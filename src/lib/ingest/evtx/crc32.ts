/**
 * CRC-32 (IEEE 802.3, the zlib one) that EVTX uses for its file header, chunk headers and chunk records.
 * Slicing-by-8 over 32-bit words where the data is aligned (chunk records always are): checking a 64 KiB chunk
 * costs a small fraction of parsing it.
 */
const TABLES: Uint32Array = (() => {
  const t = new Uint32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    for (let k = 1; k < 8; k++) t[k * 256 + n] = (t[(k - 1) * 256 + n]! >>> 8) ^ t[t[(k - 1) * 256 + n]! & 0xff]!;
  }
  return t;
})();

/** Words are read in the platform's byte order; the word path assumes little-endian (every browser platform). */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Continue a CRC (`crc` from a previous call, or 0 to start) over `bytes[from, to)`. */
export function crc32(bytes: Uint8Array, from = 0, to = bytes.length, crc = 0): number {
  const t = TABLES;
  let c = ~crc >>> 0;
  let i = from;
  // Byte by byte up to a 4-byte boundary of the underlying buffer, then 8 bytes per step as two words.
  while (i < to && ((bytes.byteOffset + i) & 3) !== 0) c = t[(c ^ bytes[i++]!) & 0xff]! ^ (c >>> 8);
  const words = LITTLE_ENDIAN ? (to - i) >>> 3 : 0;
  if (words > 0) {
    const view = new Uint32Array(bytes.buffer, bytes.byteOffset + i, words * 2);
    for (let w = 0; w < view.length; w += 2) {
      const a = view[w]! ^ c;
      const b = view[w + 1]!;
      c = t[7 * 256 + (a & 0xff)]! ^ t[6 * 256 + ((a >>> 8) & 0xff)]! ^ t[5 * 256 + ((a >>> 16) & 0xff)]! ^ t[4 * 256 + (a >>> 24)]!
        ^ t[3 * 256 + (b & 0xff)]! ^ t[2 * 256 + ((b >>> 8) & 0xff)]! ^ t[256 + ((b >>> 16) & 0xff)]! ^ t[b >>> 24]!;
    }
    i += words * 8;
  }
  for (; i < to; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
