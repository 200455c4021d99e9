import { ExtensionFlag, ExtensionType } from './handshake-extension.js';
import { HANDSHAKE_PACKET_SIZE } from './handshake.js';
import { ControlType, controlTypeOf, HEADER_SIZE, isControlPacket } from './packet-header.js';
import { ProtocolError } from './protocol-error.js';
import { err, ok, type Result } from './result.js';
import { decodeStreamIdWords } from './stream-id-words.js';
import { readU16, readU32 } from './uint32.js';

// Packet offsets of the CIF fields read here.
const VERSION = 16;
const EXTENSION_FIELD = 22;

/**
 * `streamIdOf(decodeHandshake(p).value)` read straight off the packet: the same validation (a packet decodeHandshake
 * refuses is refused, with the same code) and the same stream id, without building the handshake, its extension list
 * or copies of the blocks the proxy only forwards. Every accepted CONCLUSION passes here, so it allocates nothing but
 * the stream id text.
 */
export function conclusionStreamIdOf(p: Uint8Array): Result<string | undefined, ProtocolError> {
  if (p.length < HEADER_SIZE) return err(new ProtocolError('TRUNCATED', `packet of ${p.length} bytes is shorter than the header`));
  if (!isControlPacket(p)) return err(new ProtocolError('NOT_CONTROL', 'data packet, not a handshake'));
  const controlType = controlTypeOf(p);
  if (controlType !== ControlType.HANDSHAKE) return err(new ProtocolError('NOT_HANDSHAKE', `control type ${controlType}, not a handshake`));
  if (readU16(p, 2) !== 0) return err(new ProtocolError('BAD_VALUE', `handshake with non-zero subtype ${readU16(p, 2)}`));
  if (p.length < HANDSHAKE_PACKET_SIZE) {
    return err(new ProtocolError('TRUNCATED', `handshake of ${p.length} bytes is shorter than ${HANDSHAKE_PACKET_SIZE}`));
  }
  // The same walk and refusals as decodeExtensions.
  const end = p.length;
  let pos = HANDSHAKE_PACKET_SIZE;
  let streamId: string | undefined;
  let seenStreamId = false;
  while (pos < end) {
    if (end - pos < 4) return err(new ProtocolError('BAD_EXTENSION', `${end - pos} trailing bytes after the last extension block`));
    const type = readU16(p, pos);
    const words = readU16(p, pos + 2);
    const bodyStart = pos + 4;
    const bodyEnd = bodyStart + words * 4;
    if (bodyEnd > end) {
      return err(new ProtocolError('BAD_EXTENSION', `extension ${type} of ${words} words runs ${bodyEnd - end} bytes past the packet`));
    }
    if (type === ExtensionType.SID) {
      if (seenStreamId) return err(new ProtocolError('BAD_EXTENSION', 'repeated stream id extension'));
      seenStreamId = true;
      const text = decodeStreamIdWords(p.subarray(bodyStart, bodyEnd));
      if (!text.ok) return text;
      streamId = text.value;
    }
    pos = bodyEnd;
  }
  // As streamIdOf: the origin reads config blocks only from an HSv5 handshake with HS_EXT_CONFIG set.
  if (readU32(p, VERSION) < 5 || (readU16(p, EXTENSION_FIELD) & ExtensionFlag.CONFIG) === 0) return ok(undefined);
  return ok(streamId);
}
