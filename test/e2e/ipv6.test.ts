/** IPv6: ffmpeg -> proxy on [::1] -> srt-live-transmit on [::1]. */
import assert from 'node:assert/strict';
import { before } from 'node:test';
import { freeUdpPort, hostPort } from '../support/net.js';
import { probeVideo, requirePeers } from './support/peers.js';
import { sleep } from '../support/process.js';
import { e2eTest } from './support/scope.js';
import { sid, waitForNoSessions, waitForSession } from './support/expect.js';

before(() => requirePeers());

e2eTest('publish over ::1 end to end', async (scope) => {
  const originPort = await freeUdpPort('::1');
  const origin = await scope.receiverOrigin({ name: 'origin6', host: '::1', port: originPort });
  const proxy = await scope.proxy({ srtHost: '::1', origins: [hostPort('::1', originPort)] });

  const publisher = scope.startPublisher({ host: '::1', port: proxy.srtPort, streamId: sid('six', 'publish'), seconds: 3 });
  const session = await waitForSession(proxy, 'six', 5000);
  console.log(`ipv6: session caller ${session.caller} -> origin ${session.origin}`);
  assert.match(session.caller, /::1/);
  assert.equal(session.origin, hostPort('::1', originPort));
  const exit = await publisher.waitExit(20_000);
  assert.equal(exit.code, 0, `publisher failed:\n${publisher.stderr}`);
  await sleep(300);
  await origin.stop();
  const video = probeVideo(origin.file);
  console.log(`ipv6: ${video.frames} frames of 75 received`);
  assert.ok(Math.abs(video.frames - 75) <= 25, `expected 75 +- 25 frames, got ${video.frames}`);
  await waitForNoSessions(proxy, 5000);
});
