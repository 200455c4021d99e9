/** Two concurrent publishes routed round-robin to two origins: each origin receives exactly its own stream. */
import assert from 'node:assert/strict';
import { before } from 'node:test';
import { freeUdpPort, hostPort } from '../support/net.js';
import { probeVideo, requirePeers } from './support/peers.js';
import { sleep } from '../support/process.js';
import { e2eTest } from './support/scope.js';
import { sid, waitForNoSessions, waitForSession } from './support/expect.js';

before(() => requirePeers());

e2eTest('live/a and live/b at once land on two origins, each with its own content', async (scope) => {
  const portA = await freeUdpPort();
  const portB = await freeUdpPort();
  const originA = await scope.receiverOrigin({ name: 'origin-a', port: portA });
  const originB = await scope.receiverOrigin({ name: 'origin-b', port: portB });
  const proxy = await scope.proxy({ origins: [hostPort('127.0.0.1', portA), hostPort('127.0.0.1', portB)], strategy: 'round-robin' });

  const pubA = scope.startPublisher({ name: 'a', port: proxy.srtPort, streamId: sid('a', 'publish'), seconds: 4, source: 'testsrc', size: '320x240' });
  // live/a must be the first new key (round-robin -> first origin) before live/b starts.
  const sessionA = await waitForSession(proxy, 'a', 5000);
  const pubB = scope.startPublisher({ name: 'b', port: proxy.srtPort, streamId: sid('b', 'publish'), seconds: 4, source: 'smptebars', size: '640x360' });
  const sessionB = await waitForSession(proxy, 'b', 5000);
  console.log(`two streams: live/a -> ${sessionA.origin}, live/b -> ${sessionB.origin}`);
  assert.equal(sessionA.origin, hostPort('127.0.0.1', portA));
  assert.equal(sessionB.origin, hostPort('127.0.0.1', portB));

  const [exitA, exitB] = await Promise.all([pubA.waitExit(20_000), pubB.waitExit(20_000)]);
  assert.equal(exitA.code, 0, `publisher a failed:\n${pubA.stderr}`);
  assert.equal(exitB.code, 0, `publisher b failed:\n${pubB.stderr}`);
  await sleep(300);
  await originA.stop();
  await originB.stop();
  const videoA = probeVideo(originA.file);
  const videoB = probeVideo(originB.file);
  console.log(`two streams: origin A ${videoA.width}x${videoA.height} ${videoA.frames} frames; origin B ${videoB.width}x${videoB.height} ${videoB.frames} frames`);
  assert.deepEqual([videoA.width, videoA.height], [320, 240], 'origin A got live/a (testsrc 320x240)');
  assert.deepEqual([videoB.width, videoB.height], [640, 360], 'origin B got live/b (smptebars 640x360)');
  assert.ok(Math.abs(videoA.frames - 100) <= 25, `origin A: expected 100 +- 25 frames, got ${videoA.frames}`);
  assert.ok(Math.abs(videoB.frames - 100) <= 25, `origin B: expected 100 +- 25 frames, got ${videoB.frames}`);
  await waitForNoSessions(proxy, 5000);
});
