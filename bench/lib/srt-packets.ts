// SRT datagrams for the benchmarks: a caller's INDUCTION/CONCLUSION taken from the captured libsrt vectors (t1),
// a scripted origin's answers, data packets and SHUTDOWN. Built on the proxy's own codec where it fits.

import { randomInt } from 'node:crypto';
import { buildInductionResponse, buildShutdown } from '../../src/srt/protocol/handshake-builders.js';
import { patchDestinationSocketId, patchHandshakeCookie } from '../../src/srt/protocol/handshake-patch.js';
import { HandshakeType } from '../../src/srt/protocol/handshake-type.js';
import { handshakeCookieOf, handshakeSocketIdOf, handshakeTypeOf, HANDSHAKE_PACKET_SIZE } from '../../src/srt/protocol/handshake.js';
import { encodeStreamIdWords } from '../../src/srt/protocol/stream-id-words.js';
import { capture } from '../../test/support/vectors.js';

export { HandshakeType, handshakeCookieOf, handshakeSocketIdOf, handshakeTypeOf };

export const DATA_PACKET_SIZE = 1332; // 16-byte header + 7 x 188-byte TS packets
const SID_EXTENSION = 5;
/** t1 CONCLUSION: 64-byte header+CIF, then HSREQ (4 + 12 bytes), then the SID block we replace. */
const CONCLUSION_WITHOUT_SID = HANDSHAKE_PACKET_SIZE + 16;

let t1: readonly Buffer[] | undefined;

/** The five t1 datagrams: INDUCTION, its response, CONCLUSION, its response, SHUTDOWN. */
function t1Packets(): readonly Buffer[] {
  if (t1 === undefined) {
    const packets = capture('t1').map((p) => p.bytes);
    if (packets.length < 4) throw new Error('vector t1 not found in srt-handshakes.json');
    t1 = packets;
  }
  return t1;
}

/** A random SRT socket id in libsrt's usual range (positive, non-zero). */
export function randomSocketId(): number {
  return randomInt(0x0100_0000, 0x3fff_ffff);
}

export function isHandshake(p: Buffer): boolean {
  return p.length >= HANDSHAKE_PACKET_SIZE && p[0] === 0x80 && p[1] === 0x00;
}

export function destinationOf(p: Buffer): number {
  return p.readUInt32BE(12);
}

/** The caller's first packet: libsrt's v4 INDUCTION (t1), with our socket id. */
export function callerInduction(socketId: number, timestamp = 0): Buffer {
  const p = Buffer.from(t1Packets()[0]!);
  p.writeUInt32BE(timestamp >>> 0, 8);
  p.writeUInt32BE(socketId >>> 0, 40);
  return p;
}

/** libsrt's v5 CONCLUSION (t1: HSREQ kept) with our socket id, the cookie to echo and a SID extension. */
export function callerConclusion(socketId: number, cookie: number, streamId: string, timestamp = 0): Buffer {
  const words = encodeStreamIdWords(streamId);
  if (!words.ok) throw new Error(`stream id ${JSON.stringify(streamId)}: ${words.error.message}`);
  const head = Buffer.from(t1Packets()[2]!.subarray(0, CONCLUSION_WITHOUT_SID));
  head.writeUInt32BE(timestamp >>> 0, 8);
  head.writeUInt32BE(socketId >>> 0, 40);
  patchHandshakeCookie(head, cookie);
  const ext = Buffer.alloc(4);
  ext.writeUInt16BE(SID_EXTENSION, 0);
  ext.writeUInt16BE(words.value.length / 4, 2);
  return Buffer.concat([head, ext, words.value]);
}

/** A listener's answer to INDUCTION: v5, 0x4A17, our cookie, caller id echoed (the proxy's own builder). */
export function originInductionResponse(induction: Buffer, cookie: number): Buffer {
  return buildInductionResponse(induction, cookie);
}

/** A listener's answer to CONCLUSION (t1's, HSRSP included): our socket id, the caller's cookie echoed. */
export function originConclusionResponse(conclusion: Buffer, listenerSocketId: number, timestamp = 0): Buffer {
  const p = Buffer.from(t1Packets()[3]!);
  p.writeUInt32BE(timestamp >>> 0, 8);
  patchDestinationSocketId(p, handshakeSocketIdOf(conclusion));
  p.writeUInt32BE(listenerSocketId >>> 0, 40);
  patchHandshakeCookie(p, handshakeCookieOf(conclusion));
  return p;
}

export function shutdown(destinationSocketId: number, timestamp = 0): Buffer {
  return buildShutdown(destinationSocketId, timestamp);
}

/** A 1332-byte data packet (F=0) to `destinationSocketId`, payload TS-like filler. */
export function dataPacket(destinationSocketId: number, sequence: number, timestamp: number): Buffer {
  const p = Buffer.alloc(DATA_PACKET_SIZE, 0xff);
  p.writeUInt32BE(sequence & 0x7fff_ffff, 0);
  p.writeUInt32BE(0xc000_0000 | (sequence & 0x03ff_ffff), 4); // PP=11 (solo), in order, not encrypted
  p.writeUInt32BE(timestamp >>> 0, 8);
  p.writeUInt32BE(destinationSocketId >>> 0, 12);
  for (let off = 16; off < DATA_PACKET_SIZE; off += 188) p[off] = 0x47;
  return p;
}

export function isConclusionType(t: number): boolean {
  return t === HandshakeType.CONCLUSION;
}
