import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { streamIdKeyOf } from '../../../../src/srt/protocol/stream-id-key.js';
import { buildConclusion, KMREQ_AES128_T3 } from '../../../support/srt-packets.js';

const conclusion = (streamId: string | undefined, cookie = 1, socketId = 7) =>
  buildConclusion({ socketId, isn: 1, cookie, peerAddress: '127.0.0.1', timestamp: 0, streamId });

describe('streamIdKeyOf', () => {
  it('is equal for redials of the same stream id, whatever the socket id, cookie or other blocks', () => {
    const a = streamIdKeyOf(conclusion('#!::r=live/x,m=publish', 1, 7));
    const b = streamIdKeyOf(conclusion('#!::r=live/x,m=publish', 2, 9));
    const withKm = Buffer.concat([conclusion('#!::r=live/x,m=publish'), KMREQ_AES128_T3]);
    assert.notEqual(a, undefined);
    assert.equal(a, b);
    assert.equal(streamIdKeyOf(withKm), a);
  });

  it('differs for another stream id, for none, and when the CONFIG flag hides the stream id', () => {
    const a = streamIdKeyOf(conclusion('#!::r=live/x,m=publish'));
    assert.notEqual(streamIdKeyOf(conclusion('#!::r=live/y,m=publish')), a);
    assert.notEqual(streamIdKeyOf(conclusion(undefined)), a);
    const hidden = conclusion('#!::r=live/x,m=publish');
    hidden.writeUInt16BE(hidden.readUInt16BE(22) & ~0x4, 22);
    assert.notEqual(streamIdKeyOf(hidden), a);
  });

  it('is undefined when the blocks do not frame the packet', () => {
    const packet = conclusion('#!::r=live/x,m=publish');
    assert.equal(streamIdKeyOf(packet.subarray(0, packet.length - 2)), undefined);
    assert.equal(streamIdKeyOf(packet.subarray(0, 40)), undefined);
  });
});
