const utf8 = new TextEncoder();

/** MurmurHash3's 32-bit finalizer: spreads every input bit over the whole word. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Stable hash of a string to [0, 1): FNV-1a 32-bit over the key's UTF-8 bytes (offset basis
 * xor fmix32(seed)), then the MurmurHash3 fmix32 finalizer. The same key and seed always give the
 * same value, on every run and machine; changing this function reshuffles every train/holdout split.
 *
 * @example
 * hashUnit('sensor-17') < 0.2; // true for about 20% of keys, always the same ones
 */
export function hashUnit(key: string, seed = 0): number {
  let h = (0x811c9dc5 ^ fmix32(seed >>> 0)) >>> 0;
  // ASCII keys (record indexes, most ids) are their own UTF-8 bytes: no encoder, no allocation.
  let ascii = true;
  for (let i = 0; i < key.length; i++) {
    const code = key.charCodeAt(i);
    if (code >= 0x80) {
      ascii = false;
      break;
    }
    h = Math.imul(h ^ code, 0x01000193);
  }
  if (!ascii) {
    h = (0x811c9dc5 ^ fmix32(seed >>> 0)) >>> 0;
    for (const byte of utf8.encode(key)) h = Math.imul(h ^ byte, 0x01000193);
  }
  return fmix32(h) / 0x1_0000_0000;
}
