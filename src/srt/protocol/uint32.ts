// Internal byte helpers shared by the codec files (not part of the public protocol surface).
// Plain arithmetic instead of Buffer methods so that they work on any Uint8Array view and never throw.

/** Reads a big-endian uint32; the caller guarantees offset + 4 <= p.length. */
export function readU32(p: Uint8Array, offset: number): number {
  return ((p[offset] << 24) | (p[offset + 1] << 16) | (p[offset + 2] << 8) | p[offset + 3]) >>> 0;
}

/** Writes value as a big-endian uint32 (taken modulo 2^32, so -1 becomes 0xFFFFFFFF). */
export function writeU32(p: Uint8Array, offset: number, value: number): void {
  const v = value >>> 0;
  p[offset] = v >>> 24;
  p[offset + 1] = (v >>> 16) & 0xff;
  p[offset + 2] = (v >>> 8) & 0xff;
  p[offset + 3] = v & 0xff;
}

export function readU16(p: Uint8Array, offset: number): number {
  return (p[offset] << 8) | p[offset + 1];
}

export function writeU16(p: Uint8Array, offset: number, value: number): void {
  p[offset] = (value >>> 8) & 0xff;
  p[offset + 1] = value & 0xff;
}
