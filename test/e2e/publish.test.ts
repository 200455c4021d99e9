/** Publish path: ffmpeg (caller) -> proxy -> srt-live-transmit (origin stand-in), clear. */
import assert from 'node:assert/strict';
import { before } from 'node:test';
import { freeUdpPort, hostPort, httpGet } from '../support/net.js';
import { parseExposition, sampleValue } from '../support/prometheus.js';
import { probeVideo, requirePeers } from './support/peers.js';
import { sleep, waitFor } from '../support/process.js';
import { e2eTest } from './support/scope.js';
import { sid, waitForNoSessions, waitForSession } from './support/expect.js';

before(() => requirePeers());

e2eTest('ffmpeg publishes 4 s (100 frames) through the proxy to a srt-live-transmit origin', async (scope) => {
  const originPort = await freeUdpPort();
  const origin = await scope.receiverOrigin({ name: 'origin', port: originPort });
  const proxy = await scope.proxy({ origins: [hostPort('127.0.0.1', originPort)] });

  const publisher = scope.startPublisher({ port: proxy.srtPort, streamId: sid('pub', 'publish'), seconds: 4 });
  const session = await waitForSession(proxy, 'pub', 5000, (s) => s.state === 'connected' && s.packetsFromCaller > 0);
  assert.equal(session.mode, 'publish');
  assert.equal(session.origin, hostPort('127.0.0.1', originPort));
  assert.match(session.caller, /^127\.0\.0\.1:\d+$/);
  assert.ok(session.originSocketId, 'the session knows the origin socket id once connected');

  const exit = await publisher.waitExit(20_000);
  assert.equal(exit.code, 0, `publisher failed:\n${publisher.stderr}`);
  console.log(`publish: ffmpeg ran ${publisher.durationMs.toFixed(0)} ms`);

  // ffmpeg closes with SHUTDOWN: the proxy must forward it (srt-live-transmit logs the disconnect) and free the session.
  await waitFor('srt-live-transmit to see the caller disconnect (SHUTDOWN forwarded)', () => (origin.process.stderr.includes('disconnected') ? true : undefined), 3000);
  await waitForNoSessions(proxy, 5000);
  // The session is gone; its bytes live on in the relay totals.
  const relayed = sampleValue(parseExposition((await httpGet(proxy.url('/metrics'))).text), 'srt_proxy_bytes_total', { direction: 'caller_to_origin' });

  await sleep(200);
  await origin.stop();
  const video = probeVideo(origin.file);
  // Every TS byte the origin wrote came through the relay (inside 16-byte SRT headers, with control packets).
  assert.ok(origin.bytes > 50_000, `the origin wrote only ${origin.bytes} bytes`);
  assert.ok(relayed > origin.bytes, `relayed ${relayed} bytes, the origin wrote ${origin.bytes}`);
  console.log(`publish: relayed ${relayed} bytes, origin received ${origin.bytes} bytes, ${video.frames} video frames of 100 sent (${video.width}x${video.height})`);
  assert.equal(video.width, 320);
  assert.equal(video.height, 240);
  assert.ok(Math.abs(video.frames - 100) <= 25, `expected 100 +- 25 frames, got ${video.frames}`);

  const stats = await proxy.stats();
  assert.ok(stats.handshakes.accepted >= 1, JSON.stringify(stats));
  assert.ok(stats.handshakes.inductions >= 1, JSON.stringify(stats));

  // SIGTERM with nothing live: the proxy exits 0 promptly.
  const t0 = performance.now();
  await proxy.stop();
  const stopMs = performance.now() - t0;
  console.log(`publish: proxy exited ${JSON.stringify(proxy.process.exitInfo)} ${stopMs.toFixed(0)} ms after SIGTERM`);
  assert.equal(proxy.process.exitInfo?.code, 0, 'proxy exit code after SIGTERM');
  assert.ok(stopMs < 3000, `proxy took ${stopMs.toFixed(0)} ms to exit`);
});
