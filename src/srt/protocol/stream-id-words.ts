import { isUtf8 } from 'node:buffer';
import { ProtocolError } from './protocol-error.js';
import { err, ok, type Result } from './result.js';

/** libsrt MAX_SID_LENGTH: longer stream ids are refused by callers and rejected by listeners. */
export const MAX_STREAM_ID_BYTES = 512;

// libsrt stores config strings as little-endian 32-bit words and then htonl's the whole CIF,
// so every 4-byte group travels reversed ("#!::" is sent as "::!#"). The same transform
// decodes and encodes.
function reverseWords(src: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(src.length);
  for (let i = 0; i < src.length; i += 4) {
    out[i] = src[i + 3];
    out[i + 1] = src[i + 2];
    out[i + 2] = src[i + 1];
    out[i + 3] = src[i];
  }
  return out;
}

/**
 * Decodes the body of an SRT_CMD_SID extension (or any word-reversed config string).
 * An embedded NUL is refused: libsrt keeps only the text before the first NUL, so accepting it
 * would let the proxy authorise one stream id while the origin acts on another.
 */
export function decodeStreamIdWords(body: Uint8Array): Result<string, ProtocolError> {
  if (body.length === 0 || body.length > MAX_STREAM_ID_BYTES) {
    return err(new ProtocolError('BAD_STREAM_ID', `stream id block of ${body.length} bytes (must be 1..${MAX_STREAM_ID_BYTES})`));
  }
  if (body.length % 4 !== 0) {
    return err(new ProtocolError('BAD_STREAM_ID', `stream id block of ${body.length} bytes is not whole 32-bit words`));
  }
  // Reversed into one reused buffer (decoding is synchronous): every CONCLUSION comes through here.
  const bytes = DECODE_SCRATCH;
  for (let i = 0; i < body.length; i += 4) {
    bytes[i] = body[i + 3]!;
    bytes[i + 1] = body[i + 2]!;
    bytes[i + 2] = body[i + 1]!;
    bytes[i + 3] = body[i]!;
  }
  let end = body.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  let ascii = true;
  for (let i = 0; i < end; i++) {
    const b = bytes[i]!;
    if (b === 0) return err(new ProtocolError('BAD_STREAM_ID', 'stream id contains an embedded NUL'));
    if (b >= 0x80) ascii = false;
  }
  // ASCII (the usual stream id) is valid UTF-8 and reads the same as latin1, the cheapest decoder.
  if (ascii) return ok(bytes.toString('latin1', 0, end));
  if (!isUtf8(bytes.subarray(0, end))) {
    return err(new ProtocolError('BAD_STREAM_ID', 'stream id is not valid UTF-8'));
  }
  return ok(bytes.toString('utf8', 0, end));
}

const DECODE_SCRATCH = Buffer.alloc(MAX_STREAM_ID_BYTES);

// Lone surrogates would be replaced by U+FFFD when encoded, so the text would not survive the wire.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Encodes text as an SRT_CMD_SID body: UTF-8, NUL-padded to whole words, each word reversed.
 * Refuses anything decodeStreamIdWords would not give back unchanged (empty, NULs, > 512 bytes).
 */
export function encodeStreamIdWords(text: string): Result<Buffer, ProtocolError> {
  if (text.length === 0) {
    return err(new ProtocolError('BAD_STREAM_ID', 'empty stream id cannot be sent (libsrt rejects a 0-byte block)'));
  }
  if (text.includes('\0')) {
    return err(new ProtocolError('BAD_STREAM_ID', 'stream id contains a NUL'));
  }
  if (LONE_SURROGATE.test(text)) {
    return err(new ProtocolError('BAD_STREAM_ID', 'stream id contains a lone UTF-16 surrogate'));
  }
  const byteLength = Buffer.byteLength(text, 'utf8');
  if (byteLength > MAX_STREAM_ID_BYTES) {
    return err(new ProtocolError('BAD_STREAM_ID', `stream id of ${byteLength} bytes exceeds ${MAX_STREAM_ID_BYTES}`));
  }
  const padded = Buffer.alloc((byteLength + 3) & ~3);
  padded.write(text, 0, 'utf8');
  return ok(reverseWords(padded));
}
