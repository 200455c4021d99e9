/**
 * The harness checked against real peers WITHOUT the proxy, so that a proxy test failure is never a harness bug:
 * the raw packets match the captured vectors, the ffmpeg publisher reaches srt-live-transmit, the raw caller
 * completes a handshake with libsrt, and the captured KMREQ gets libsrt's 1010 from a listener with another secret.
 */
import assert from 'node:assert/strict';
import { before } from 'node:test';
import { freeUdpPort } from '../support/net.js';
import { rawCaptures } from '../support/vectors.js';
import { probeVideo, requirePeers } from './support/peers.js';
import { sleep, waitFor } from '../support/process.js';
import { e2eTest } from './support/scope.js';
import { ControlType, KMREQ_AES128_T3, buildConclusion, buildInduction, controlTypeOf, decodeHandshake, destinationOf, isControl, streamIdOf } from '../support/srt-packets.js';

before(() => requirePeers());

e2eTest('raw packet builders reproduce capture t1 byte for byte', async () => {
  const vectors = { captures: rawCaptures() };
  const t1 = vectors.captures.find((c) => c.capture === 't1')!.packets;
  const induction = Buffer.from(t1[0]!.hex, 'hex');
  const hs = decodeHandshake(induction)!;
  assert.equal(buildInduction(hs.socketId, hs.isn, '127.0.0.1', hs.timestamp).toString('hex'), t1[0]!.hex);
  const conclusion = decodeHandshake(Buffer.from(t1[2]!.hex, 'hex'))!;
  assert.equal(streamIdOf(conclusion), '#!::r=live/x,m=publish');
  const rebuilt = buildConclusion({
    socketId: conclusion.socketId,
    isn: conclusion.isn,
    cookie: conclusion.cookie,
    peerAddress: '127.0.0.1',
    timestamp: conclusion.timestamp,
    streamId: '#!::r=live/x,m=publish',
  });
  assert.equal(rebuilt.toString('hex'), t1[2]!.hex);
  const t3 = vectors.captures.find((c) => c.capture === 't3')!.packets;
  assert.ok(t3[2]!.hex.endsWith(KMREQ_AES128_T3.toString('hex')), 'KMREQ constant is the tail of t3 conclusion');
});

e2eTest('direct: ffmpeg publisher -> srt-live-transmit origin (no proxy)', async (scope) => {
  const port = await freeUdpPort();
  const origin = await scope.receiverOrigin({ name: 'direct', port });
  const run = await scope.publish({ port, streamId: '#!::r=live/direct,m=publish', seconds: 2 });
  assert.equal(run.code, 0, `publisher failed: ${run.stderr}`);
  await sleep(300);
  await origin.stop();
  const video = probeVideo(origin.file);
  console.log(`direct publish: ${video.frames} frames of 50 received in ${run.durationMs.toFixed(0)} ms`);
  assert.ok(video.frames >= 25, `expected >= 25 frames, got ${video.frames}`);
});

e2eTest('direct: raw caller handshake, data and SHUTDOWN with srt-live-transmit (no proxy)', async (scope) => {
  const port = await freeUdpPort();
  const origin = await scope.receiverOrigin({ name: 'raw', port });
  const caller = await scope.rawCaller();
  const result = await caller.connect({ host: '127.0.0.1', port, streamId: '#!::r=live/raw,m=publish' });
  assert.equal(result.outcome, 'accepted', JSON.stringify(result));
  console.log(`direct raw caller connect: ${result.latencyMs.toFixed(1)} ms`);
  caller.sendData(20);
  const ack = await caller.waitForPacket((p) => isControl(p) && destinationOf(p) === caller.socketId && controlTypeOf(p) !== ControlType.HANDSHAKE, 2000);
  assert.ok(ack, 'srt-live-transmit answered our data with control packets (ACK/keepalive)');
  caller.sendShutdown();
  await caller.flush();
  await waitFor('srt-live-transmit to log the SHUTDOWN', () => (origin.process.stderr.includes('SRT source disconnected') ? true : undefined), 2000);
  assert.ok(origin.process.stderr.includes('Accepted'), origin.process.stderr);
});

e2eTest('direct: captured KMREQ against a listener with another passphrase -> 1010 (no proxy)', async (scope) => {
  const port = await freeUdpPort();
  await scope.receiverOrigin({ name: 'secret', port, passphrase: 'another-secret-99', pbkeylen: 16 });
  const caller = await scope.rawCaller();
  const result = await caller.connect({ host: '127.0.0.1', port, streamId: '#!::r=live/km,m=publish', rawExtensions: [KMREQ_AES128_T3] });
  assert.equal(result.outcome, 'rejected', JSON.stringify(result));
  assert.equal(result.hsType, 1010);
});

e2eTest('direct: raw caller <-> raw origin (no proxy)', async (scope) => {
  const origin = await scope.rawOrigin();
  const caller = await scope.rawCaller();
  const result = await caller.connect({ host: '127.0.0.1', port: origin.port, streamId: '#!::r=live/ro,m=publish' });
  assert.equal(result.outcome, 'accepted', JSON.stringify(result));
  assert.equal(result.peerSocketId, origin.socketId);
  caller.sendData(3, 'HELLO');
  await sleep(100);
  assert.equal(origin.sessionPackets().length, 3);
  assert.deepEqual(origin.streamIds, ['#!::r=live/ro,m=publish']);
});
