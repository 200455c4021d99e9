import { ExtensionFlag, ExtensionType } from './handshake-extension.js';
import { HANDSHAKE_PACKET_SIZE } from './handshake.js';
import { readU16 } from './uint32.js';

/** Packet offset of the CIF Extension field (CIF bytes 6..7). */
const EXTENSION_FIELD = 22;

/**
 * A string that is equal for two CONCLUSIONs exactly when their stream ids, as the router reads them, are equal:
 * the raw bytes of the first SID block (still word-reversed, never decoded) and whether the CONFIG flag lets the
 * origin see it. Undefined when the extension blocks do not frame the packet. Used to recognise a refused caller's
 * redial without parsing it again; the bytes are never logged (a stream id may carry a secret).
 */
export function streamIdKeyOf(p: Uint8Array): string | undefined {
  const end = p.length;
  if (end < HANDSHAKE_PACKET_SIZE) return undefined;
  const config = (readU16(p, EXTENSION_FIELD) & ExtensionFlag.CONFIG) !== 0 ? 'c' : 'n';
  let pos = HANDSHAKE_PACKET_SIZE;
  while (pos < end) {
    if (end - pos < 4) return undefined;
    const type = readU16(p, pos);
    const bodyEnd = pos + 4 + readU16(p, pos + 2) * 4;
    if (bodyEnd > end) return undefined;
    if (type === ExtensionType.SID) return config + Buffer.from(p.buffer, p.byteOffset + pos + 4, bodyEnd - pos - 4).toString('latin1');
    pos = bodyEnd;
  }
  return config;
}
