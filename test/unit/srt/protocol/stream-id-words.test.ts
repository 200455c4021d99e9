import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeStreamIdWords, encodeStreamIdWords } from '../../../../src/srt/protocol/stream-id-words.js';
import { ProtocolError } from '../../../../src/srt/protocol/protocol-error.js';

function encoded(text: string): Buffer {
  const result = encodeStreamIdWords(text);
  if (!result.ok) assert.fail(result.error.message);
  return result.value;
}

function decodeError(body: Uint8Array): ProtocolError {
  const result = decodeStreamIdWords(body);
  assert.equal(result.ok, false);
  if (result.ok) throw new Error('unreachable');
  assert.ok(result.error instanceof ProtocolError);
  return result.error;
}

describe('stream id word encoding', () => {
  it('reverses every 4-byte word, as captured from ffmpeg (t1)', () => {
    const wire = Buffer.from('3a3a2123696c3d72782f6576703d6d2c696c627500006873', 'hex');
    assert.deepEqual(decodeStreamIdWords(wire), { ok: true, value: '#!::r=live/x,m=publish' });
    assert.ok(encoded('#!::r=live/x,m=publish').equals(wire));
  });

  it('handbook example: "STREAM" travels as "ERTS\\0\\0MA"', () => {
    assert.ok(encoded('STREAM').equals(Buffer.from('ERTS\0\0MA', 'latin1')));
  });

  it('keeps multibyte UTF-8 and a leading BOM intact', () => {
    for (const text of ['流媒体/直播', '😀', 'é', '\uFEFFlive/x', 'a'.repeat(510) + 'é']) {
      const body = encoded(text);
      assert.equal(body.length % 4, 0);
      assert.deepEqual(decodeStreamIdWords(body), { ok: true, value: text });
    }
  });

  it('accepts exactly 512 bytes and refuses 513', () => {
    assert.equal(encoded('x'.repeat(512)).length, 512);
    const tooLong = encodeStreamIdWords('x'.repeat(513));
    assert.ok(!tooLong.ok && tooLong.error.code === 'BAD_STREAM_ID');
    assert.equal(encodeStreamIdWords('é'.repeat(257)).ok, false, '514 bytes');
    assert.equal(decodeError(Buffer.alloc(516, 0x41)).code, 'BAD_STREAM_ID');
  });

  it('refuses text that would not come back unchanged', () => {
    for (const text of ['', 'a\0b', 'live\0', '\uD800x', 'x\uDC00']) {
      const result = encodeStreamIdWords(text);
      assert.ok(!result.ok && result.error.code === 'BAD_STREAM_ID', JSON.stringify(text));
    }
  });

  it('refuses malformed bodies with BAD_STREAM_ID', () => {
    assert.equal(decodeError(new Uint8Array(0)).code, 'BAD_STREAM_ID');
    assert.equal(decodeError(new Uint8Array(3)).code, 'BAD_STREAM_ID');
    // Invalid UTF-8 (a lone continuation byte), word-reversed.
    assert.equal(decodeError(Buffer.from([0x61, 0x61, 0x61, 0x80])).code, 'BAD_STREAM_ID');
    // libsrt would stop at the embedded NUL and see only "ab": refused so proxy and origin agree.
    assert.equal(decodeError(Buffer.from([0x00, 0x63, 0x62, 0x61, 0x00, 0x00, 0x00, 0x64])).code, 'BAD_STREAM_ID');
  });

  it('strips trailing NUL padding; an all-NUL block is the empty string', () => {
    assert.deepEqual(decodeStreamIdWords(Buffer.from([0, 0, 0, 0x61, 0, 0, 0, 0])), { ok: true, value: 'a' });
    assert.deepEqual(decodeStreamIdWords(Buffer.alloc(8)), { ok: true, value: '' });
  });

  it('decodes each body on its own: a later, shorter or failing decode leaves earlier texts intact', () => {
    const long = decodeStreamIdWords(encoded('#!::r=live/a-long-stream-name,m=publish'));
    const short = decodeStreamIdWords(encoded('x'));
    decodeError(Buffer.from([0x61, 0x61, 0x61, 0x80]));
    const utf8 = decodeStreamIdWords(encoded('live/caf\u00e9'));
    assert.deepEqual(long, { ok: true, value: '#!::r=live/a-long-stream-name,m=publish' });
    assert.deepEqual(short, { ok: true, value: 'x' });
    assert.deepEqual(utf8, { ok: true, value: 'live/caf\u00e9' });
    // A lone latin1-range byte is not UTF-8, though latin1 would read it.
    assert.equal(decodeError(encodedBytes([0x6c, 0x69, 0x76, 0xe9])).code, 'BAD_STREAM_ID');
  });
});

/** Raw text bytes (whole words) as they travel: word-reversed. */
function encodedBytes(bytes: number[]): Buffer {
  const out = Buffer.alloc(bytes.length);
  for (let i = 0; i < bytes.length; i += 4) for (let j = 0; j < 4; j++) out[i + j] = bytes[i + 3 - j]!;
  return out;
}
