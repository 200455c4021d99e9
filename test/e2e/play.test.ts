/** Play path: serving origin (ffmpeg SRT listener) -> proxy -> ffmpeg player (m=request). */
import assert from 'node:assert/strict';
import { before } from 'node:test';
import { freeUdpPort, hostPort } from '../support/net.js';
import { probeVideo, requirePeers } from './support/peers.js';
import { e2eTest } from './support/scope.js';
import { sid, waitForNoSessions } from './support/expect.js';

before(() => requirePeers());

e2eTest('ffmpeg player reads a stream from a serving origin through the proxy', async (scope) => {
  const originPort = await freeUdpPort();
  await scope.servingOrigin({ name: 'serving', port: originPort, seconds: 20 });
  const proxy = await scope.proxy({ origins: [hostPort('127.0.0.1', originPort)] });

  let seen: { mode: string; bytesFromOrigin: number; bytesFromCaller: number } | undefined;
  const poll = setInterval(() => {
    proxy
      .sessions()
      .then((list) => {
        const s = list.find((x) => x.streamKey.includes('live/tv'));
        if (s) seen = s;
      })
      .catch(() => undefined);
  }, 250);
  let run;
  try {
    run = await scope.play({ port: proxy.srtPort, streamId: sid('tv', 'request'), seconds: 3, file: 'play.ts' });
  } finally {
    clearInterval(poll);
  }
  assert.equal(run.code, 0, `player failed:\n${run.stderr}`);
  const video = probeVideo(run.outFile);
  console.log(`play: player ran ${run.durationMs.toFixed(0)} ms, wrote ${video.frames} frames (${video.width}x${video.height}); session seen: ${JSON.stringify(seen)}`);
  assert.ok(video.frames > 0, 'the played file decodes');
  assert.ok(video.frames >= 25, `expected at least 1 s of video, got ${video.frames} frames`);
  assert.equal(video.width, 320);
  assert.ok(seen, 'the session was listed while playing');
  assert.equal(seen.mode, 'request');
  assert.ok(seen.bytesFromOrigin > seen.bytesFromCaller, 'media flows origin -> caller');
  await waitForNoSessions(proxy, 5000);
});
