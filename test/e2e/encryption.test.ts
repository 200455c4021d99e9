/** Encryption passes through the proxy end to end (KMREQ/KMRSP untouched); a wrong passphrase is rejected fast. */
import assert from 'node:assert/strict';
import { before } from 'node:test';
import { freeUdpPort, hostPort } from '../support/net.js';
import { probeVideo, requirePeers } from './support/peers.js';
import { sleep } from '../support/process.js';
import { rejectedCount } from './support/proxy.js';
import { e2eTest, type Scope } from './support/scope.js';
import { KMREQ_AES128_T3 } from '../support/srt-packets.js';
import { sid, waitForNoSessions } from './support/expect.js';

const PASSPHRASE = 'correcthorse1';

before(() => requirePeers());

async function encryptedPublish(scope: Scope, pbkeylen: 16 | 32): Promise<void> {
  const originPort = await freeUdpPort();
  const origin = await scope.receiverOrigin({ name: `aes${pbkeylen * 8}`, port: originPort, passphrase: PASSPHRASE, pbkeylen });
  const proxy = await scope.proxy({ origins: [hostPort('127.0.0.1', originPort)] });
  const run = await scope.publish({ port: proxy.srtPort, streamId: sid(`enc${pbkeylen}`, 'publish'), seconds: 3, passphrase: PASSPHRASE, pbkeylen });
  assert.equal(run.code, 0, `publisher failed:\n${run.stderr}`);
  await sleep(300);
  await origin.stop();
  const video = probeVideo(origin.file);
  console.log(`encryption AES-${pbkeylen * 8}: ${video.frames} frames of 75 received`);
  assert.ok(Math.abs(video.frames - 75) <= 25, `expected 75 +- 25 frames, got ${video.frames}`);
  await waitForNoSessions(proxy, 5000);
}

e2eTest('AES-128 publish (pbkeylen=16) through the proxy', (scope) => encryptedPublish(scope, 16));

e2eTest('AES-256 publish (pbkeylen=32) through the proxy', (scope) => encryptedPublish(scope, 32));

e2eTest('wrong passphrase: the origin rejection (1010) reaches the caller at once', async (scope) => {
  const originPort = await freeUdpPort();
  await scope.receiverOrigin({ name: 'secret', port: originPort, passphrase: PASSPHRASE, pbkeylen: 16 });
  const proxy = await scope.proxy({ origins: [hostPort('127.0.0.1', originPort)] });

  // A real caller (ffmpeg) with another passphrase.
  const run = await scope.publish({ port: proxy.srtPort, streamId: sid('badsecret', 'publish'), seconds: 3, passphrase: 'wrongpassword9', pbkeylen: 16 });
  console.log(`wrong passphrase (ffmpeg): exit ${run.code} after ${run.durationMs.toFixed(0)} ms`);
  assert.notEqual(run.code, 0, 'ffmpeg must fail with a wrong passphrase');
  assert.match(run.stderr, /Connection to srt:.* failed/, 'ffmpeg failed at the SRT connection');
  assert.ok(run.durationMs < 1500, `ffmpeg failed after ${run.durationMs.toFixed(0)} ms (>= 1500: rejection not forwarded?)`);
  // The origin's 1010 was counted as the rejection the caller got, and the session it ended is freed.
  const afterFfmpeg = await waitForNoSessions(proxy, 3000);
  const ffmpegRejections = rejectedCount(afterFfmpeg, 1010);
  assert.ok(ffmpegRejections >= 1, `no 1010 counted: ${JSON.stringify(afterFfmpeg)}`);
  assert.equal(afterFfmpeg.handshakes.accepted, 0, 'nothing was accepted');

  // The raw caller offers the KMREQ captured in t3 (made with a passphrase the origin does not know): exact code.
  const caller = await scope.rawCaller();
  const result = await caller.connect({ host: '127.0.0.1', port: proxy.srtPort, streamId: sid('badsecret2', 'publish'), rawExtensions: [KMREQ_AES128_T3] });
  console.log(`wrong passphrase (raw caller): ${result.outcome} type ${result.hsType} after ${result.latencyMs.toFixed(1)} ms`);
  assert.equal(result.outcome, 'rejected', JSON.stringify(result));
  assert.equal(result.hsType, 1010);
  assert.ok(result.latencyMs < 1500, `rejection took ${result.latencyMs.toFixed(0)} ms`);
  const stats = await proxy.stats();
  assert.equal(rejectedCount(stats, 1010), ffmpegRejections + 1, `the forwarded 1010 is counted once: ${JSON.stringify(stats)}`);
  await waitForNoSessions(proxy, 3000);
});
