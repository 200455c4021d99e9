import { ProtocolError } from './protocol-error.js';
import { err, ok, type Result } from './result.js';
import type { Handshake } from './handshake.js';
import { decodeStreamIdWords, encodeStreamIdWords } from './stream-id-words.js';
import { readU16, readU32, writeU16, writeU32 } from './uint32.js';

/** Handshake extension block types (libsrt SRT_CMD_*). */
export const ExtensionType = {
  HSREQ: 1,
  HSRSP: 2,
  KMREQ: 3,
  KMRSP: 4,
  SID: 5,
  CONGESTION: 6,
  FILTER: 7,
  GROUP: 8,
} as const;
export type ExtensionType = (typeof ExtensionType)[keyof typeof ExtensionType];

/** Bits of a conclusion's CIF Extension field saying which block groups are present (libsrt HS_EXT_*). */
export const ExtensionFlag = {
  HSREQ: 0x1,
  KMREQ: 0x2,
  CONFIG: 0x4,
} as const;

/** HSREQ / HSRSP: the SRT capabilities and TSBPD latencies, 3 words on the wire. */
export interface SrtHandshakeExtension {
  readonly kind: 'srt-handshake';
  readonly type: typeof ExtensionType.HSREQ | typeof ExtensionType.HSRSP;
  /** 0x00XXYYZZ, e.g. 0x010501 for 1.5.1. */
  readonly srtVersion: number;
  readonly srtFlags: number;
  /** Milliseconds. */
  readonly receiverTsbpdDelay: number;
  /** Milliseconds. */
  readonly senderTsbpdDelay: number;
}

/** SRT_CMD_SID whose wire bytes are exactly the canonical encoding of streamId. */
export interface StreamIdExtension {
  readonly kind: 'stream-id';
  readonly type: typeof ExtensionType.SID;
  readonly streamId: string;
}

/**
 * Anything kept as raw bytes so it can be forwarded untouched: KM blocks (the proxy never holds
 * the passphrase), congestion/filter/group, unknown types, an HSREQ/HSRSP not of 3 words, and a
 * valid stream id padded with more NULs than needed (typing it would change its bytes on re-encode).
 */
export interface OpaqueExtension {
  readonly kind: 'opaque';
  readonly type: number;
  /** Whole 32-bit words (length % 4 === 0), not word-reversed. */
  readonly body: Buffer;
}

export type HandshakeExtension = SrtHandshakeExtension | StreamIdExtension | OpaqueExtension;

const HSREQ_WORDS = 3;
const MAX_BLOCK_WORDS = 0xffff;

/**
 * Decodes the extension blocks filling p[offset..p.length). Never throws: every malformed
 * layout (partial block header, length past the end, bad stream id, repeated stream id) is a
 * ProtocolError. A repeated SID is refused because libsrt keeps the last one while a router
 * could act on the first.
 */
export function decodeExtensions(p: Uint8Array, offset: number): Result<HandshakeExtension[], ProtocolError> {
  const extensions: HandshakeExtension[] = [];
  const end = p.length;
  let pos = offset;
  let seenStreamId = false;
  while (pos < end) {
    if (end - pos < 4) {
      return err(new ProtocolError('BAD_EXTENSION', `${end - pos} trailing bytes after the last extension block`));
    }
    const type = readU16(p, pos);
    const words = readU16(p, pos + 2);
    const bodyStart = pos + 4;
    const bodyEnd = bodyStart + words * 4;
    if (bodyEnd > end) {
      return err(new ProtocolError('BAD_EXTENSION', `extension ${type} of ${words} words runs ${bodyEnd - end} bytes past the packet`));
    }
    const body = p.subarray(bodyStart, bodyEnd);
    if (type === ExtensionType.SID) {
      if (seenStreamId) return err(new ProtocolError('BAD_EXTENSION', 'repeated stream id extension'));
      seenStreamId = true;
      const decoded = decodeStreamId(body);
      if (!decoded.ok) return decoded;
      extensions.push(decoded.value);
    } else if ((type === ExtensionType.HSREQ || type === ExtensionType.HSRSP) && words === HSREQ_WORDS) {
      const latencies = readU32(body, 8);
      extensions.push({
        kind: 'srt-handshake',
        type,
        srtVersion: readU32(body, 0),
        srtFlags: readU32(body, 4),
        receiverTsbpdDelay: latencies >>> 16,
        senderTsbpdDelay: latencies & 0xffff,
      });
    } else {
      extensions.push({ kind: 'opaque', type, body: Buffer.from(body) });
    }
    pos = bodyEnd;
  }
  return ok(extensions);
}

function decodeStreamId(body: Uint8Array): Result<HandshakeExtension, ProtocolError> {
  const text = decodeStreamIdWords(body);
  if (!text.ok) return text;
  const canonicalLength = (Buffer.byteLength(text.value, 'utf8') + 3) & ~3;
  if (text.value.length > 0 && canonicalLength === body.length) {
    return ok({ kind: 'stream-id', type: ExtensionType.SID, streamId: text.value });
  }
  return ok({ kind: 'opaque', type: ExtensionType.SID, body: Buffer.from(body) });
}

/**
 * Serialises the blocks, in order. Values built by hand that cannot be represented (unencodable
 * stream id, body not whole words, type not a uint16) are programming errors and throw RangeError.
 */
export function encodeExtensions(extensions: readonly HandshakeExtension[]): Buffer {
  if (extensions.length === 0) return EMPTY;
  const bodies = extensions.map(bodyOf);
  let size = 0;
  for (const body of bodies) size += 4 + body.length;
  const out = Buffer.allocUnsafe(size);
  let pos = 0;
  for (let i = 0; i < extensions.length; i++) {
    const body = bodies[i];
    writeU16(out, pos, extensions[i].type);
    writeU16(out, pos + 2, body.length / 4);
    out.set(body, pos + 4);
    pos += 4 + body.length;
  }
  return out;
}

/**
 * The stream id the origin will act on, or undefined. libsrt reads config blocks only from an
 * HSv5 handshake with HS_EXT_CONFIG set, so the proxy must ignore a SID otherwise too: routing on
 * a stream id the origin never sees would make the two disagree.
 */
export function streamIdOf(hs: Pick<Handshake, 'version' | 'extensionField' | 'extensions'>): string | undefined {
  if (hs.version < 5 || (hs.extensionField & ExtensionFlag.CONFIG) === 0) return undefined;
  for (const ext of hs.extensions) {
    if (ext.kind === 'stream-id') return ext.streamId;
    if (ext.kind === 'opaque' && ext.type === ExtensionType.SID) {
      const decoded = decodeStreamIdWords(ext.body);
      return decoded.ok ? decoded.value : undefined;
    }
  }
  return undefined;
}

const EMPTY = Buffer.alloc(0);

function bodyOf(ext: HandshakeExtension): Uint8Array {
  if (!Number.isInteger(ext.type) || ext.type < 0 || ext.type > 0xffff) {
    throw new RangeError(`extension type ${ext.type} is not a uint16`);
  }
  switch (ext.kind) {
    case 'srt-handshake': {
      const body = Buffer.allocUnsafe(HSREQ_WORDS * 4);
      writeU32(body, 0, ext.srtVersion);
      writeU32(body, 4, ext.srtFlags);
      writeU16(body, 8, ext.receiverTsbpdDelay);
      writeU16(body, 10, ext.senderTsbpdDelay);
      return body;
    }
    case 'stream-id': {
      const encoded = encodeStreamIdWords(ext.streamId);
      if (!encoded.ok) throw new RangeError(`cannot encode stream id: ${encoded.error.message}`);
      return encoded.value;
    }
    case 'opaque':
      if (ext.body.length % 4 !== 0 || ext.body.length / 4 > MAX_BLOCK_WORDS) {
        throw new RangeError(`extension ${ext.type} body of ${ext.body.length} bytes is not 0..${MAX_BLOCK_WORDS} whole words`);
      }
      return ext.body;
  }
}
