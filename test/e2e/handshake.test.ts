/** Handshake rules seen from outside: cookie check, retransmitted conclusions, slow origins, induction reply size. */
import assert from 'node:assert/strict';
import { before } from 'node:test';
import { hostPort } from '../support/net.js';
import { requirePeers } from './support/peers.js';
import { sleep } from '../support/process.js';
import { e2eTest } from './support/scope.js';
import { HandshakeType, SRT_MAGIC } from '../support/srt-packets.js';
import { sid, waitForNoSessions } from './support/expect.js';

before(() => requirePeers());

e2eTest('INDUCTION is answered HSv5 with the 0x4A17 magic and a cookie; a CONCLUSION with a wrong cookie is dropped silently', async (scope) => {
  const origin = await scope.rawOrigin();
  const proxy = await scope.proxy({ origins: [hostPort('127.0.0.1', origin.port)] });
  const caller = await scope.rawCaller();
  const result = await caller.connect({ host: '127.0.0.1', port: proxy.srtPort, streamId: sid('cookie', 'publish'), timeoutMs: 1200, cookieOverride: 0xdeadbeef });
  const induction = result.inductionResponse;
  assert.ok(induction, 'an INDUCTION response came back');
  assert.equal(induction.type, HandshakeType.INDUCTION);
  assert.equal(induction.version, 5);
  assert.equal(induction.extensionField, SRT_MAGIC);
  assert.equal(induction.encryption, 0, 'the proxy does not advertise a key length before it knows the origin');
  assert.notEqual(induction.cookie, 0);
  const replySize = caller.received[0]?.packet.length ?? 0;
  assert.ok(replySize > 0 && replySize <= 64, `INDUCTION reply of ${replySize} bytes to a 64-byte request (no amplification)`);
  console.log(`handshake: induction answered in ${result.inductionMs?.toFixed(1)} ms; forged cookie -> ${result.outcome} after ${result.conclusionsSent} conclusions`);
  assert.equal(result.outcome, 'timeout', 'a forged cookie gets no answer at all');
  assert.equal(origin.datagrams.length, 0, 'nothing reached the origin for a forged cookie');
  const stats = await proxy.stats();
  assert.ok(stats.drops.badCookie >= 1, JSON.stringify(stats.drops));
  assert.equal(stats.originSockets, 0);
});

e2eTest('a slow origin (700 ms): retransmitted conclusions open exactly one origin session and the caller connects', async (scope) => {
  const origin = await scope.rawOrigin();
  origin.responseDelayMs = 700;
  const proxy = await scope.proxy({ origins: [hostPort('127.0.0.1', origin.port)] });
  const caller = await scope.rawCaller();
  const result = await caller.connect({ host: '127.0.0.1', port: proxy.srtPort, streamId: sid('slow', 'publish') });
  console.log(`handshake: slow origin (2 x 700 ms) -> ${result.outcome} after ${result.latencyMs.toFixed(0)} ms, ${result.conclusionsSent} conclusions sent, origin saw ${origin.handshakeSources().length} proxy socket(s)`);
  assert.equal(result.outcome, 'accepted', JSON.stringify({ outcome: result.outcome, hsType: result.hsType }));
  assert.ok(result.conclusionsSent >= 3, 'the caller did retransmit its conclusion');
  assert.equal(result.peerSocketId, origin.socketId);
  assert.equal(origin.handshakeSources().length, 1, `origin handshakes came from ${origin.handshakeSources().join(', ')}`);
  assert.equal(origin.badCookies, 0);
  await sleep(300);
  const sessions = await proxy.sessions();
  assert.equal(sessions.length, 1, JSON.stringify(sessions));
  caller.sendShutdown();
  await waitForNoSessions(proxy, 5000);
});
