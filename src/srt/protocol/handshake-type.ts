/**
 * Handshake Type field (CIF bytes 20..23) as unsigned 32-bit values; libsrt declares the
 * negative ones as int32 (URQ_CONCLUSION = -1 ...), which travel as 0xFFFFFFFF etc.
 */
export const HandshakeType = {
  WAVEAHAND: 0x00000000,
  INDUCTION: 0x00000001,
  CONCLUSION: 0xffffffff,
  AGREEMENT: 0xfffffffe,
  DONE: 0xfffffffd,
} as const;
export type HandshakeType = (typeof HandshakeType)[keyof typeof HandshakeType];

/** libsrt URQ_FAILURE_TYPES: a type at or above this is "1000 + rejection reason". */
export const REJECTION_TYPE_BASE = 1000;

// Wire rejection codes defined today top out at 3999 (user range); the bound is generous so new
// libsrt codes still count as rejections, yet far below the AGREEMENT/DONE/CONCLUSION values.
const REJECTION_TYPE_LIMIT = 100_000;

export function isRejectionType(type: number): boolean {
  return type >= REJECTION_TYPE_BASE && type < REJECTION_TYPE_LIMIT;
}

const NAMES: ReadonlyMap<number, string> = new Map([
  [HandshakeType.WAVEAHAND, 'WAVEAHAND'],
  [HandshakeType.INDUCTION, 'INDUCTION'],
  [HandshakeType.CONCLUSION, 'CONCLUSION'],
  [HandshakeType.AGREEMENT, 'AGREEMENT'],
  [HandshakeType.DONE, 'DONE'],
]);

/** For logs and metrics labels: 'CONCLUSION', 'REJECTION(2403)', 'UNKNOWN(7)'. */
export function handshakeTypeName(type: number): string {
  const name = NAMES.get(type);
  if (name !== undefined) return name;
  return isRejectionType(type) ? `REJECTION(${type})` : `UNKNOWN(${type >>> 0})`;
}
