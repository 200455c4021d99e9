import { HEADER_SIZE } from './packet-header.js';
import { readU32 } from './uint32.js';

/**
 * The three ACK forms libsrt sends, told apart by the CIF length (draft-sharabayko-srt §3.2.4): a light ACK (every
 * 64 packets) carries only the next expected sequence number, a small ACK adds RTT, RTT variance and buffer space,
 * a full ACK (every 10 ms, the only one answered by ACKACK) adds the rates.
 */
export const AckKind = {
  MALFORMED: 0,
  LIGHT: 1,
  SMALL: 2,
  FULL: 3,
} as const;
export type AckKind = (typeof AckKind)[keyof typeof AckKind];

const LIGHT_CIF = 4;
const SMALL_CIF = 16;
/** UDT4's full ACK ends after the link capacity; SRT appends the receiving rate in bytes. */
const FULL_CIF_WITHOUT_BYTE_RATE = 24;
const FULL_CIF = 28;

/**
 * What an ACK says, written into a caller-owned object so that reading the ACKs of thousands of sessions allocates
 * nothing. All figures are the ACK sender's (the receiver of the data).
 */
export interface AckFields {
  /** The next sequence number the receiver expects (everything before it arrived). */
  lastAckedSequence: number;
  /** The receiver's smoothed round-trip time, microseconds. */
  rttUs: number;
  rttVarUs: number;
  /** Free space in the receiver's buffer, packets. */
  availableBufferPackets: number;
  /** Packets received per second (full ACK only). */
  packetRate: number;
  /** The receiver's estimate of the link capacity, packets per second (full ACK only). */
  linkCapacityPackets: number;
  /** Bytes received per second (full ACK of SRT, 0 in UDT4's shorter form). */
  byteRate: number;
}

export function emptyAckFields(): AckFields {
  return { lastAckedSequence: 0, rttUs: 0, rttVarUs: 0, availableBufferPackets: 0, packetRate: 0, linkCapacityPackets: 0, byteRate: 0 };
}

/**
 * Reads an ACK control packet (type 2) into `into` and says which form it was. A light ACK only updates
 * `lastAckedSequence`; a small ACK also the RTT and buffer fields; the rest keep their earlier values. A packet too
 * short for any form is MALFORMED and leaves `into` untouched.
 */
export function readAck(p: Uint8Array, into: AckFields): AckKind {
  const cif = p.length - HEADER_SIZE;
  if (cif < LIGHT_CIF) return AckKind.MALFORMED;
  into.lastAckedSequence = readU32(p, HEADER_SIZE) & 0x7fffffff;
  if (cif < SMALL_CIF) return AckKind.LIGHT;
  into.rttUs = readU32(p, HEADER_SIZE + 4);
  into.rttVarUs = readU32(p, HEADER_SIZE + 8);
  into.availableBufferPackets = readU32(p, HEADER_SIZE + 12);
  if (cif < FULL_CIF_WITHOUT_BYTE_RATE) return AckKind.SMALL;
  into.packetRate = readU32(p, HEADER_SIZE + 16);
  into.linkCapacityPackets = readU32(p, HEADER_SIZE + 20);
  into.byteRate = cif >= FULL_CIF ? readU32(p, HEADER_SIZE + 24) : 0;
  return AckKind.FULL;
}

/** The ACK number of an ACK (type-specific info); ACKACK echoes it, which is how the ACK's sender times the RTT. */
export function ackNumberOf(p: Uint8Array): number {
  return readU32(p, 4);
}
