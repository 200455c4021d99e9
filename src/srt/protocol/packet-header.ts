import { ProtocolError } from './protocol-error.js';
import { err, ok, type Result } from './result.js';
import { readU32 } from './uint32.js';

/** Every SRT datagram, data or control, starts with this many header bytes. */
export const HEADER_SIZE = 16;

/** Control packet types (libsrt `UDTMessageType`). */
export const ControlType = {
  HANDSHAKE: 0x0000,
  KEEPALIVE: 0x0001,
  ACK: 0x0002,
  NAK: 0x0003,
  CONGESTION_WARNING: 0x0004,
  SHUTDOWN: 0x0005,
  ACKACK: 0x0006,
  DROPREQ: 0x0007,
  PEERERROR: 0x0008,
  USER_DEFINED: 0x7fff,
} as const;
export type ControlType = (typeof ControlType)[keyof typeof ControlType];

export interface ControlPacketHeader {
  readonly control: true;
  /** 15-bit type; kept as a number because unknown types must still be forwarded. */
  readonly controlType: number;
  /** Only meaningful for USER_DEFINED (SRT_CMD_* of HSv4 / key refresh). */
  readonly subtype: number;
  readonly typeSpecificInfo: number;
  readonly timestamp: number;
  readonly destinationSocketId: number;
}

export interface DataPacketHeader {
  readonly control: false;
  readonly sequenceNumber: number;
  /** PP: 0b10 first, 0b00 middle, 0b01 last, 0b11 single. */
  readonly packetPosition: number;
  readonly inOrder: boolean;
  /** KK: 0 clear, 1 even key, 2 odd key; lets the proxy tell encrypted traffic without decrypting. */
  readonly encryptionKey: number;
  readonly retransmitted: boolean;
  readonly messageNumber: number;
  readonly timestamp: number;
  readonly destinationSocketId: number;
}

export type PacketHeader = ControlPacketHeader | DataPacketHeader;

// The fast readers below are for the per-datagram dispatch path: no allocation, no Result.
// They assume p.length >= HEADER_SIZE; the caller checks that once per datagram.

export function isControlPacket(p: Uint8Array): boolean {
  return (p[0] & 0x80) !== 0;
}

/** Meaningful only when isControlPacket(p). */
export function controlTypeOf(p: Uint8Array): number {
  return ((p[0] & 0x7f) << 8) | p[1];
}

/**
 * The R flag of a data packet (bit 5 of byte 4): the sender is resending it after a NAK or a timeout. Meaningful
 * only for a data packet; one bit test, so the relay may count retransmissions at no measurable cost.
 */
export function isRetransmitted(p: Uint8Array): boolean {
  return (p[4] & 0x04) !== 0;
}

export function timestampOf(p: Uint8Array): number {
  return readU32(p, 8);
}

export function destinationSocketIdOf(p: Uint8Array): number {
  return readU32(p, 12);
}

export function readPacketHeader(p: Uint8Array): Result<PacketHeader, ProtocolError> {
  if (p.length < HEADER_SIZE) {
    return err(new ProtocolError('TRUNCATED', `packet of ${p.length} bytes is shorter than the ${HEADER_SIZE}-byte header`));
  }
  const word0 = readU32(p, 0);
  const word1 = readU32(p, 4);
  const timestamp = readU32(p, 8);
  const destinationSocketId = readU32(p, 12);
  if (word0 >= 0x80000000) {
    return ok({
      control: true,
      controlType: (word0 >>> 16) & 0x7fff,
      subtype: word0 & 0xffff,
      typeSpecificInfo: word1,
      timestamp,
      destinationSocketId,
    });
  }
  return ok({
    control: false,
    sequenceNumber: word0,
    packetPosition: word1 >>> 30,
    inOrder: (word1 & 0x20000000) !== 0,
    encryptionKey: (word1 >>> 27) & 0x3,
    retransmitted: (word1 & 0x04000000) !== 0,
    messageNumber: word1 & 0x03ffffff,
    timestamp,
    destinationSocketId,
  });
}
