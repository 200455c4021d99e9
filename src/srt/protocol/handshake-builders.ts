// Handshake packets the proxy writes itself. Each takes the caller's datagram, which the
// handshake engine has already checked with the fast readers (a handshake control packet of
// >= HANDSHAKE_PACKET_SIZE bytes); they do not validate again. Every result is 64 bytes or less,
// never more than the request, so answering a spoofed source cannot amplify traffic.

import { HandshakeType } from './handshake-type.js';
import { HANDSHAKE_PACKET_SIZE, SRT_MAGIC_CODE, UDT_DGRAM } from './handshake.js';
import { ControlType, HEADER_SIZE } from './packet-header.js';
import { readU32, writeU16, writeU32 } from './uint32.js';

const CONTROL_BIT = 0x80000000;
const SHUTDOWN_SIZE = HEADER_SIZE + 4;

/**
 * Header for a handshake we send: canonical word 0, no type-specific info, the request's
 * timestamp (we have no connection clock before the session exists), the given destination.
 */
function startFrom(request: Uint8Array, destinationSocketId: number): Buffer {
  const p = Buffer.allocUnsafe(HANDSHAKE_PACKET_SIZE);
  p.set(request.subarray(HEADER_SIZE, HANDSHAKE_PACKET_SIZE), HEADER_SIZE);
  writeU32(p, 0, CONTROL_BIT | ControlType.HANDSHAKE);
  writeU32(p, 4, 0);
  writeU32(p, 8, readU32(request, 8));
  writeU32(p, 12, destinationSocketId);
  return p;
}

/**
 * The listener's answer to a caller's INDUCTION, as libsrt writes it: v5, encryption not
 * advertised (the origin's key length is not known yet), SRT magic, the caller's socket id echoed
 * in both the destination and the CIF, our cookie. Extensions of the request are dropped.
 */
export function buildInductionResponse(callerInduction: Buffer, cookie: number): Buffer {
  const p = startFrom(callerInduction, readU32(callerInduction, 40));
  writeU32(p, 16, 5);
  writeU16(p, 20, 0);
  writeU16(p, 22, SRT_MAGIC_CODE);
  writeU32(p, 44, cookie);
  return p;
}

/**
 * The INDUCTION the proxy sends to an origin for a caller's CONCLUSION: what a libsrt caller
 * sends first (v4, UDT_DGRAM, no cookie), reusing the caller's ISN, MTU, flow window, socket id
 * and timestamp so the origin sees the same connection the caller asked for.
 */
export function buildOriginInduction(callerConclusion: Buffer): Buffer {
  const p = startFrom(callerConclusion, 0);
  writeU32(p, 16, 4);
  writeU16(p, 20, 0);
  writeU16(p, 22, UDT_DGRAM);
  writeU32(p, 36, HandshakeType.INDUCTION);
  writeU32(p, 44, 0);
  return p;
}

/**
 * A rejection as libsrt sends one from its listener callback (vector t15, 2403): the caller's
 * 48-byte CIF unchanged except the type, addressed to the caller's socket id.
 * wireCode is the Handshake Type value (API code + 1000), e.g. ProxyRejection.FORBIDDEN.
 */
export function buildRejection(callerHandshake: Buffer, wireCode: number): Buffer {
  const p = startFrom(callerHandshake, readU32(callerHandshake, 40));
  writeU32(p, 36, wireCode);
  return p;
}

/** SHUTDOWN (control type 5): header plus the 4 zero bytes libsrt always appends. */
export function buildShutdown(destinationSocketId: number, timestamp: number): Buffer {
  const p = Buffer.alloc(SHUTDOWN_SIZE);
  writeU32(p, 0, CONTROL_BIT | (ControlType.SHUTDOWN << 16));
  writeU32(p, 8, timestamp);
  writeU32(p, 12, destinationSocketId);
  return p;
}

const PROBE_MTU = 1500;
const PROBE_FLOW_WINDOW = 8192;

/**
 * A caller's first INDUCTION as libsrt writes it (v4, UDT_DGRAM, cookie 0, MTU 1500, flow window 8192, destination
 * socket id 0, no peer address), used to probe an origin: every SRT listener answers it with its INDUCTION
 * response (v5, magic, cookie) addressed to `socketId`, and keeps no state for it, since its cookie is
 * stateless. Nothing follows, so the probe never becomes a connection.
 */
export function buildProbeInduction(socketId: number, initialSequenceNumber: number): Buffer {
  const p = Buffer.alloc(HANDSHAKE_PACKET_SIZE);
  writeU32(p, 0, CONTROL_BIT | ControlType.HANDSHAKE);
  writeU32(p, 16, 4);
  writeU16(p, 22, UDT_DGRAM);
  writeU32(p, 24, initialSequenceNumber & 0x7fffffff);
  writeU32(p, 28, PROBE_MTU);
  writeU32(p, 32, PROBE_FLOW_WINDOW);
  writeU32(p, 36, HandshakeType.INDUCTION);
  writeU32(p, 40, socketId);
  return p;
}
