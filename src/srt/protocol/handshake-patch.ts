// In-place rewrites of a datagram that is otherwise forwarded untouched (the proxy relays the
// caller's own bytes so that extensions it does not understand, e.g. KMREQ, survive).
// Offsets are fixed; the caller has validated the packet as a handshake of >= 64 bytes
// (>= 16 bytes for patchDestinationSocketId). Values are taken modulo 2^32.

export function patchDestinationSocketId(p: Buffer, id: number): void {
  p.writeUInt32BE(id >>> 0, 12);
}

export function patchHandshakeType(p: Buffer, type: number): void {
  p.writeUInt32BE(type >>> 0, 36);
}

/** Needed because an origin's libsrt silently drops a conclusion that does not carry its own cookie. */
export function patchHandshakeCookie(p: Buffer, cookie: number): void {
  p.writeUInt32BE(cookie >>> 0, 44);
}
