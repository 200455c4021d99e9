/** Fast, precise rejections instead of caller time-outs: silent origin, no origin, bad stream id, MAX_SESSIONS. */
import assert from 'node:assert/strict';
import { before } from 'node:test';
import { freeUdpPort, hostPort } from '../support/net.js';
import { probeVideo, requirePeers } from './support/peers.js';
import { sleep } from '../support/process.js';
import { rejectedCount } from './support/proxy.js';
import { e2eTest } from './support/scope.js';
import { sid, waitForNoSessions, waitForSession } from './support/expect.js';

before(() => requirePeers());

e2eTest('(a) a silent origin gets its caller 2503 before 3 s while another stream publishes normally', async (scope) => {
  const silent = await scope.silentOrigin();
  const goodPort = await freeUdpPort();
  const good = await scope.receiverOrigin({ name: 'good', port: goodPort });
  const proxy = await scope.proxy({ origins: [hostPort('127.0.0.1', silent.port), hostPort('127.0.0.1', goodPort)], strategy: 'round-robin' });

  const caller = await scope.rawCaller();
  let startedPublisher: ReturnType<typeof scope.startPublisher> | undefined;
  // Give the raw caller 3.5 s so a late rejection is measured rather than hidden by the caller's own give-up.
  const result = await caller.connect({
    host: '127.0.0.1',
    port: proxy.srtPort,
    streamId: sid('silent', 'publish'),
    timeoutMs: 3500,
    // live/silent has taken the first origin; live/ok (second new key) goes to the good one while we wait.
    onConclusionSent: () => {
      startedPublisher = scope.startPublisher({ name: 'ok', port: proxy.srtPort, streamId: sid('ok', 'publish'), seconds: 3 });
    },
  });
  console.log(`silent-origin reject: ${result.outcome} type ${result.hsType} after ${result.latencyMs.toFixed(0)} ms (${result.conclusionsSent} conclusions sent)`);
  assert.ok(startedPublisher, 'publisher started');
  const publisher = startedPublisher;
  assert.equal(result.outcome, 'rejected', `silent origin: ${JSON.stringify({ outcome: result.outcome, hsType: result.hsType, ms: result.latencyMs })}`);
  assert.equal(result.hsType, 2503);
  assert.ok(result.latencyMs < 3000, `rejection after ${result.latencyMs.toFixed(0)} ms: not before the caller's 3 s give-up`);
  assert.ok(silent.received > 0, 'the proxy did try the silent origin');

  const okSession = await waitForSession(proxy, 'ok', 3000);
  assert.equal(okSession.origin, hostPort('127.0.0.1', goodPort));
  const exit = await publisher.waitExit(20_000);
  assert.equal(exit.code, 0, `publisher of live/ok failed:\n${publisher.stderr}`);
  await sleep(300);
  await good.stop();
  const video = probeVideo(good.file);
  console.log(`silent-origin: live/ok delivered ${video.frames} frames of 75 while live/silent was failing`);
  assert.ok(Math.abs(video.frames - 75) <= 25, `expected 75 +- 25 frames, got ${video.frames}`);
  const stats = await waitForNoSessions(proxy, 5000);
  assert.ok(rejectedCount(stats, 2503) >= 1, JSON.stringify(stats));
});

e2eTest('(b) no origin listening (closed UDP port): the caller fails in < 1.5 s', async (scope) => {
  const closedPort = await freeUdpPort(); // released again: nothing listens there, loopback answers ICMP unreachable
  const proxy = await scope.proxy({ origins: [hostPort('127.0.0.1', closedPort)], wait: 'alive' });

  const caller = await scope.rawCaller();
  const result = await caller.connect({ host: '127.0.0.1', port: proxy.srtPort, streamId: sid('nowhere', 'publish') });
  console.log(`no-origin reject (raw caller): ${result.outcome} type ${result.hsType} after ${result.latencyMs.toFixed(0)} ms`);
  assert.equal(result.outcome, 'rejected', `no origin: ${JSON.stringify({ outcome: result.outcome, hsType: result.hsType, ms: result.latencyMs })}`);
  assert.equal(result.hsType, 2503);
  assert.ok(result.latencyMs < 1500, `rejection after ${result.latencyMs.toFixed(0)} ms`);

  const run = await scope.publish({ port: proxy.srtPort, streamId: sid('nowhere2', 'publish'), seconds: 3 });
  console.log(`no-origin reject (ffmpeg): exit ${run.code} after ${run.durationMs.toFixed(0)} ms (process start included)`);
  assert.notEqual(run.code, 0, 'ffmpeg cannot publish without an origin');
  assert.match(run.stderr, /Connection to srt:.* failed/, 'ffmpeg failed at the SRT connection');
  assert.ok(run.durationMs < 1500, `ffmpeg failed only after ${run.durationMs.toFixed(0)} ms`);
  await waitForNoSessions(proxy, 3000);
});

e2eTest('(c) a bad stream id is rejected with 2400 without touching an origin', async (scope) => {
  const silent = await scope.silentOrigin();
  const proxy = await scope.proxy({ origins: [hostPort('127.0.0.1', silent.port)] });

  for (const streamId of ['#!::m=publish', '#!::r=live/x,m=dance', '#!::r=a/b/c/d,m=publish']) {
    const caller = await scope.rawCaller();
    const result = await caller.connect({ host: '127.0.0.1', port: proxy.srtPort, streamId });
    console.log(`bad stream id ${JSON.stringify(streamId)}: ${result.outcome} type ${result.hsType} after ${result.latencyMs.toFixed(1)} ms`);
    assert.equal(result.outcome, 'rejected', `${streamId}: ${result.outcome}`);
    assert.equal(result.hsType, 2400, `${streamId}: wire code`);
    assert.ok(result.latencyMs < 500, `${streamId}: ${result.latencyMs.toFixed(0)} ms`);
  }
  // A CONCLUSION without any SID extension cannot be routed either.
  const noSid = await scope.rawCaller();
  const result = await noSid.connect({ host: '127.0.0.1', port: proxy.srtPort, streamId: undefined });
  console.log(`no SID extension: ${result.outcome} type ${result.hsType} after ${result.latencyMs.toFixed(1)} ms`);
  assert.equal(result.outcome, 'rejected', `no SID: ${result.outcome}`);
  assert.ok(result.hsType !== undefined && result.hsType >= 1000);

  // ffmpeg with a bad id fails fast too.
  const run = await scope.publish({ port: proxy.srtPort, streamId: '#!::m=publish', seconds: 2 });
  console.log(`bad stream id (ffmpeg): exit ${run.code} after ${run.durationMs.toFixed(0)} ms`);
  assert.notEqual(run.code, 0);
  assert.match(run.stderr, /Connection to srt:.* failed/, 'ffmpeg failed at the SRT connection');
  assert.ok(run.durationMs < 1500, `ffmpeg failed only after ${run.durationMs.toFixed(0)} ms`);

  assert.equal(silent.received, 0, 'no packet was sent to the origin for a bad stream id');
  const stats = await proxy.stats();
  assert.ok(rejectedCount(stats, 2400) >= 4, JSON.stringify(stats));
  assert.equal(stats.originSockets, 0);
});

e2eTest('(d) MAX_SESSIONS=1: a second caller gets 2402 while one session is live, a third gets in after it ends', async (scope) => {
  const origin = await scope.rawOrigin();
  const proxy = await scope.proxy({ origins: [hostPort('127.0.0.1', origin.port)], maxSessions: 1 });

  const first = await scope.rawCaller();
  const r1 = await first.connect({ host: '127.0.0.1', port: proxy.srtPort, streamId: sid('one', 'publish') });
  assert.equal(r1.outcome, 'accepted', JSON.stringify({ outcome: r1.outcome, hsType: r1.hsType }));
  first.sendData(3);

  const second = await scope.rawCaller();
  const r2 = await second.connect({ host: '127.0.0.1', port: proxy.srtPort, streamId: sid('two', 'publish') });
  console.log(`max-sessions reject: ${r2.outcome} type ${r2.hsType} after ${r2.latencyMs.toFixed(1)} ms`);
  assert.equal(r2.outcome, 'rejected', JSON.stringify({ outcome: r2.outcome, hsType: r2.hsType }));
  assert.equal(r2.hsType, 2402);
  assert.ok(r2.latencyMs < 500);
  const stats = await proxy.stats();
  assert.ok(rejectedCount(stats, 2402) >= 1, JSON.stringify(stats));
  assert.equal(stats.sessions.active, 1);

  first.sendShutdown();
  await waitForNoSessions(proxy, 5000);
  const third = await scope.rawCaller();
  const r3 = await third.connect({ host: '127.0.0.1', port: proxy.srtPort, streamId: sid('three', 'publish') });
  assert.equal(r3.outcome, 'accepted', `after the first session ended: ${JSON.stringify({ outcome: r3.outcome, hsType: r3.hsType })}`);
  third.sendShutdown();
  await waitForNoSessions(proxy, 5000);
});
