import { decodeExtensions, encodeExtensions, type HandshakeExtension } from './handshake-extension.js';
import { ControlType, HEADER_SIZE, isControlPacket, controlTypeOf } from './packet-header.js';
import { decodePeerAddress, encodePeerAddress } from './peer-address.js';
import { ProtocolError } from './protocol-error.js';
import { err, ok, type Result } from './result.js';
import { readU16, readU32, writeU16, writeU32 } from './uint32.js';

export { ExtensionFlag } from './handshake-extension.js';

/** Induction response magic in the Extension field; a v5 caller treats its absence as a legacy listener. */
export const SRT_MAGIC_CODE = 0x4a17;
/** The old UDT "socket type" an HSv5 caller still puts in its v4 INDUCTION's Extension field. */
export const UDT_DGRAM = 2;
export const HANDSHAKE_CIF_SIZE = 48;
/** Header + CIF: the size of every handshake without extensions (induction, rejection). */
export const HANDSHAKE_PACKET_SIZE = HEADER_SIZE + HANDSHAKE_CIF_SIZE;

// Packet offsets of the CIF fields (CIF offset + 16).
const VERSION = 16;
const ENCRYPTION = 20;
const EXTENSION = 22;
const ISN = 24;
const MTU = 28;
const FLOW_WINDOW = 32;
const TYPE = 36;
const SOCKET_ID = 40;
const COOKIE = 44;
const PEER_IP = 48;

const HANDSHAKE_WORD0 = 0x80000000;

/** One handshake packet, header included, with every field needed to re-encode it byte for byte. */
export interface Handshake {
  readonly timestamp: number;
  readonly destinationSocketId: number;
  /** Header bytes 4..7; 0 in every libsrt handshake, kept so re-encoding is exact. */
  readonly typeSpecificInfo: number;
  readonly version: number;
  /** PBKEYLEN / 8 advertised by a listener (0 = not advertised). */
  readonly encryptionField: number;
  /** UDT_DGRAM, SRT_MAGIC_CODE or ExtensionFlag bits depending on the phase. */
  readonly extensionField: number;
  readonly initialSequenceNumber: number;
  readonly mtu: number;
  readonly flowWindow: number;
  /** HandshakeType value, or 1000 + reason for a rejection. */
  readonly type: number;
  /** Socket id of the sender of this handshake (libsrt's induction response echoes the caller's). */
  readonly socketId: number;
  readonly cookie: number;
  /** IPv4 dotted quad or IPv6 text. */
  readonly peerAddress: string;
  readonly extensions: readonly HandshakeExtension[];
}

// Fast readers for the handshake engine: fixed offsets, no allocation.
// They assume p.length >= HANDSHAKE_PACKET_SIZE, which the caller checks first.

export function handshakeVersionOf(p: Uint8Array): number {
  return readU32(p, VERSION);
}

export function handshakeTypeOf(p: Uint8Array): number {
  return readU32(p, TYPE);
}

export function handshakeSocketIdOf(p: Uint8Array): number {
  return readU32(p, SOCKET_ID);
}

export function handshakeCookieOf(p: Uint8Array): number {
  return readU32(p, COOKIE);
}

/**
 * Decodes a whole UDP payload. Never throws. A non-zero subtype (bytes 2..3) is refused as
 * BAD_VALUE: it is reserved for control type 0x7FFF, and refusing it keeps re-encoding exact.
 */
export function decodeHandshake(packet: Uint8Array): Result<Handshake, ProtocolError> {
  if (packet.length < HEADER_SIZE) {
    return err(new ProtocolError('TRUNCATED', `packet of ${packet.length} bytes is shorter than the header`));
  }
  if (!isControlPacket(packet)) return err(new ProtocolError('NOT_CONTROL', 'data packet, not a handshake'));
  const controlType = controlTypeOf(packet);
  if (controlType !== ControlType.HANDSHAKE) {
    return err(new ProtocolError('NOT_HANDSHAKE', `control type ${controlType}, not a handshake`));
  }
  if (readU16(packet, 2) !== 0) {
    return err(new ProtocolError('BAD_VALUE', `handshake with non-zero subtype ${readU16(packet, 2)}`));
  }
  if (packet.length < HANDSHAKE_PACKET_SIZE) {
    return err(new ProtocolError('TRUNCATED', `handshake of ${packet.length} bytes is shorter than ${HANDSHAKE_PACKET_SIZE}`));
  }
  const extensions = decodeExtensions(packet, HANDSHAKE_PACKET_SIZE);
  if (!extensions.ok) return extensions;
  return ok({
    timestamp: readU32(packet, 8),
    destinationSocketId: readU32(packet, 12),
    typeSpecificInfo: readU32(packet, 4),
    version: readU32(packet, VERSION),
    encryptionField: readU16(packet, ENCRYPTION),
    extensionField: readU16(packet, EXTENSION),
    initialSequenceNumber: readU32(packet, ISN),
    mtu: readU32(packet, MTU),
    flowWindow: readU32(packet, FLOW_WINDOW),
    type: readU32(packet, TYPE),
    socketId: readU32(packet, SOCKET_ID),
    cookie: readU32(packet, COOKIE),
    peerAddress: decodePeerAddress(packet, PEER_IP),
    extensions: extensions.value,
  });
}

/**
 * The whole packet (header 0x80000000, CIF, extension blocks). Numeric fields are written
 * modulo 2^32 / 2^16. Fields are not reconciled: the Extension field is written as given even
 * when it does not match the blocks. Throws RangeError for an unparsable peerAddress or an
 * extension that cannot be encoded (programming errors, never packet content).
 */
export function encodeHandshake(hs: Handshake): Buffer {
  const blocks = encodeExtensions(hs.extensions);
  const p = Buffer.allocUnsafe(HANDSHAKE_PACKET_SIZE + blocks.length);
  if (!encodePeerAddress(hs.peerAddress, p, PEER_IP)) {
    throw new RangeError(`peer address ${JSON.stringify(hs.peerAddress)} is not an IPv4 or IPv6 literal`);
  }
  writeU32(p, 0, HANDSHAKE_WORD0);
  writeU32(p, 4, hs.typeSpecificInfo);
  writeU32(p, 8, hs.timestamp);
  writeU32(p, 12, hs.destinationSocketId);
  writeU32(p, VERSION, hs.version);
  writeU16(p, ENCRYPTION, hs.encryptionField);
  writeU16(p, EXTENSION, hs.extensionField);
  writeU32(p, ISN, hs.initialSequenceNumber);
  writeU32(p, MTU, hs.mtu);
  writeU32(p, FLOW_WINDOW, hs.flowWindow);
  writeU32(p, TYPE, hs.type);
  writeU32(p, SOCKET_ID, hs.socketId);
  writeU32(p, COOKIE, hs.cookie);
  p.set(blocks, HANDSHAKE_PACKET_SIZE);
  return p;
}
