/**
 * Admission: the webhook (a real HTTP server started here) and the CIDR rules decide before an origin is touched;
 * refused callers get 2403 at once, and a scripted origin counting datagrams proves nothing reached it.
 */
import assert from 'node:assert/strict';
import { before } from 'node:test';
import { freeTcpPort, freeUdpPort, hostPort, httpGet } from '../support/net.js';
import { parseExposition, sampleValue } from '../support/prometheus.js';
import { sleep } from '../support/process.js';
import type { ProxyProcess } from '../support/proxy.js';
import { probeVideo, requirePeers } from './support/peers.js';
import { rejectedCount } from './support/proxy.js';
import { e2eTest } from './support/scope.js';
import { sid, waitForNoSessions } from './support/expect.js';
import { WebhookServer } from './support/webhook-server.js';

before(() => requirePeers());

function keyed(name: string, mode: 'publish' | 'request', secret: string): string {
  return `${sid(name, mode)},secret=${secret}`;
}

async function metric(proxy: ProxyProcess, name: string, labels: Record<string, string>): Promise<number> {
  const text = (await httpGet(proxy.url('/metrics'))).text;
  return sampleValue(parseExposition(text), name, labels);
}

const onlyGoodSecret = (body: Record<string, unknown>) => ({ status: (body.params as Record<string, string>).secret === 'good' ? 204 : 403 });

e2eTest('webhook: an allowed key connects; a wrong key gets 2403 fast and the origin sees nothing', async (scope, t) => {
  const webhook = await WebhookServer.start(onlyGoodSecret);
  t.after(() => webhook.close());
  const origin = await scope.rawOrigin();
  const proxy = await scope.proxy({ origins: [hostPort('127.0.0.1', origin.port)], env: { ADMISSION_URL: webhook.url('/admit?key=hook-secret') } });

  const good = await scope.rawCaller();
  const allowed = await good.connect({ host: '127.0.0.1', port: proxy.srtPort, streamId: `#!::u=alice,r=live/adm,m=publish,secret=good,t=1` });
  assert.equal(allowed.outcome, 'accepted', JSON.stringify({ outcome: allowed.outcome, hsType: allowed.hsType }));
  assert.deepEqual(webhook.bodies[0], {
    action: 'publish',
    streamKey: '__defaultVhost__/live/adm',
    vhost: '__defaultVhost__',
    app: 'live',
    stream: 'adm',
    user: 'alice',
    params: { secret: 'good', t: '1' },
    caller: { address: '127.0.0.1', port: good.localPort },
  });
  good.sendShutdown();
  await waitForNoSessions(proxy, 5000);
  const originBefore = origin.datagrams.length;
  assert.ok(originBefore > 0, 'the allowed caller reached the origin');

  const bad = await scope.rawCaller();
  const refused = await bad.connect({ host: '127.0.0.1', port: proxy.srtPort, streamId: keyed('adm', 'publish', 'bad') });
  console.log(`wrong key (raw caller): ${refused.outcome} type ${refused.hsType} after ${refused.latencyMs.toFixed(1)} ms`);
  assert.equal(refused.outcome, 'rejected');
  assert.equal(refused.hsType, 2403);
  assert.ok(refused.latencyMs < 500, `refused after ${refused.latencyMs.toFixed(0)} ms`);

  const run = await scope.publish({ port: proxy.srtPort, streamId: keyed('adm2', 'publish', 'wrong'), seconds: 2 });
  console.log(`wrong key (ffmpeg): exit ${run.code} after ${run.durationMs.toFixed(0)} ms (process start included)`);
  assert.notEqual(run.code, 0, 'ffmpeg cannot publish with a wrong key');
  assert.match(run.stderr, /Connection to srt:.* failed/);
  assert.ok(run.durationMs < 1500, `ffmpeg failed only after ${run.durationMs.toFixed(0)} ms`);

  await sleep(200);
  assert.equal(origin.datagrams.length, originBefore, 'no datagram of a refused caller reached the origin');
  const stats = await waitForNoSessions(proxy, 3000);
  assert.equal(rejectedCount(stats, 2403), 2);
  assert.equal(await metric(proxy, 'srt_proxy_admission_decisions_total', { verdict: 'denied', source: 'webhook' }), 2);
  assert.equal(await metric(proxy, 'srt_proxy_admission_decisions_total', { verdict: 'allowed', source: 'webhook' }), 1);
  assert.equal(webhook.bodies.length, 3, 'one call per distinct request');
  const log = proxy.describe();
  assert.ok(!log.includes('secret=bad') && !log.includes('"bad"') && !log.includes('hook-secret'), 'params and the webhook key are never logged');
});

e2eTest('webhook: a real ffmpeg publish with the right key goes through to the origin', async (scope, t) => {
  const webhook = await WebhookServer.start(onlyGoodSecret);
  t.after(() => webhook.close());
  const originPort = await freeUdpPort();
  const origin = await scope.receiverOrigin({ name: 'admitted', port: originPort });
  const proxy = await scope.proxy({ origins: [hostPort('127.0.0.1', originPort)], env: { ADMISSION_URL: webhook.url() } });
  const run = await scope.publish({ port: proxy.srtPort, streamId: keyed('ok', 'publish', 'good'), seconds: 3 });
  assert.equal(run.code, 0, `publisher failed:\n${run.stderr}`);
  await sleep(300);
  await origin.stop();
  const video = probeVideo(origin.file);
  console.log(`admitted publish: ${video.frames} frames of 75; webhook calls ${webhook.bodies.length}`);
  assert.ok(Math.abs(video.frames - 75) <= 25, `expected 75 +- 25 frames, got ${video.frames}`);
  assert.equal(webhook.bodies.length, 1);
  await waitForNoSessions(proxy, 5000);
});

e2eTest('a refused key redialed within NEGATIVE_CACHE_MS gets 2403 from the cache; a failed webhook is asked again', async (scope, t) => {
  const webhook = await WebhookServer.start(onlyGoodSecret);
  t.after(() => webhook.close());
  const origin = await scope.rawOrigin();
  const proxy = await scope.proxy({ origins: [hostPort('127.0.0.1', origin.port)], env: { ADMISSION_URL: webhook.url(), ADMISSION_CACHE_MS: '0' } });
  for (let dial = 0; dial < 3; dial++) {
    const refused = await (await scope.rawCaller()).connect({ host: '127.0.0.1', port: proxy.srtPort, streamId: keyed('redial', 'publish', 'bad') });
    assert.equal(refused.hsType, 2403, `dial ${dial}`);
  }
  assert.equal(webhook.bodies.length, 1, 'only the first dial reached the webhook');
  assert.equal(await metric(proxy, 'srt_proxy_cached_rejections_total', {}), 2);

  const deadPort = await freeTcpPort('127.0.0.1');
  const down = await scope.proxy({ origins: [hostPort('127.0.0.1', origin.port)], env: { ADMISSION_URL: `http://127.0.0.1:${deadPort}/admit`, ADMISSION_ON_ERROR: 'deny' } });
  for (let dial = 0; dial < 2; dial++) {
    const refused = await (await scope.rawCaller()).connect({ host: '127.0.0.1', port: down.srtPort, streamId: keyed('redial', 'publish', 'x') });
    assert.equal(refused.hsType, 2403, `dial ${dial} with the webhook down`);
  }
  assert.equal(await metric(down, 'srt_proxy_admission_decisions_total', { verdict: 'denied', source: 'error' }), 2);
  assert.equal(await metric(down, 'srt_proxy_cached_rejections_total', {}), 0);
  assert.equal(origin.datagrams.length, 0, 'no refused caller reached the origin');
});

e2eTest('webhook down: ADMISSION_ON_ERROR=deny refuses with 2403, allow lets the caller through; a hung webhook times out', async (scope, t) => {
  const origin = await scope.rawOrigin();
  const deadPort = await freeTcpPort('127.0.0.1'); // released again: connections to it are refused
  const dead = `http://127.0.0.1:${deadPort}/admit`;
  const deny = await scope.proxy({ origins: [hostPort('127.0.0.1', origin.port)], env: { ADMISSION_URL: dead, ADMISSION_ON_ERROR: 'deny' } });
  const allow = await scope.proxy({ origins: [hostPort('127.0.0.1', origin.port)], env: { ADMISSION_URL: dead, ADMISSION_ON_ERROR: 'allow' } });

  const denied = await (await scope.rawCaller()).connect({ host: '127.0.0.1', port: deny.srtPort, streamId: keyed('down', 'publish', 'x') });
  console.log(`webhook down, deny: ${denied.outcome} type ${denied.hsType} after ${denied.latencyMs.toFixed(1)} ms`);
  assert.equal(denied.outcome, 'rejected');
  assert.equal(denied.hsType, 2403);
  assert.ok(denied.latencyMs < 1000, `${denied.latencyMs.toFixed(0)} ms`);
  assert.equal(origin.datagrams.length, 0, 'the origin saw nothing of the denied caller');
  assert.equal(await metric(deny, 'srt_proxy_admission_decisions_total', { verdict: 'denied', source: 'error' }), 1);

  const allowedCaller = await scope.rawCaller();
  const allowed = await allowedCaller.connect({ host: '127.0.0.1', port: allow.srtPort, streamId: keyed('down', 'publish', 'x') });
  console.log(`webhook down, allow: ${allowed.outcome} after ${allowed.latencyMs.toFixed(1)} ms`);
  assert.equal(allowed.outcome, 'accepted', JSON.stringify({ outcome: allowed.outcome, hsType: allowed.hsType }));
  assert.equal(origin.conclusions, 1);
  assert.equal(await metric(allow, 'srt_proxy_admission_decisions_total', { verdict: 'allowed', source: 'error' }), 1);
  allowedCaller.sendShutdown();

  const hung = await WebhookServer.start(() => 'hang');
  t.after(() => hung.close());
  const slow = await scope.proxy({
    origins: [hostPort('127.0.0.1', origin.port)],
    env: { ADMISSION_URL: hung.url(), ADMISSION_TIMEOUT_MS: '300', ADMISSION_ON_ERROR: 'deny' },
  });
  const timedOut = await (await scope.rawCaller()).connect({ host: '127.0.0.1', port: slow.srtPort, streamId: keyed('hung', 'publish', 'x') });
  console.log(`webhook hung (ADMISSION_TIMEOUT_MS=300), deny: ${timedOut.outcome} type ${timedOut.hsType} after ${timedOut.latencyMs.toFixed(1)} ms`);
  assert.equal(timedOut.outcome, 'rejected');
  assert.equal(timedOut.hsType, 2403);
  assert.ok(timedOut.latencyMs >= 250 && timedOut.latencyMs < 1500, `${timedOut.latencyMs.toFixed(0)} ms`);
  assert.equal(hung.bodies.length, 1);
});

e2eTest('100 identical handshakes in one second make one webhook call', async (scope, t) => {
  const webhook = await WebhookServer.start(() => ({ status: 200, delayMs: 300 }));
  t.after(() => webhook.close());
  const origin = await scope.rawOrigin();
  const proxy = await scope.proxy({ origins: [hostPort('127.0.0.1', origin.port)], env: { ADMISSION_URL: webhook.url() } });
  const callers = await Promise.all(Array.from({ length: 100 }, () => scope.rawCaller()));
  const started = performance.now();
  const results = await Promise.all(
    callers.map((c) => c.connect({ host: '127.0.0.1', port: proxy.srtPort, streamId: keyed('crowd', 'request', 'same') })),
  );
  const elapsed = performance.now() - started;
  const accepted = results.filter((r) => r.outcome === 'accepted').length;
  console.log(`100 identical handshakes: ${accepted} accepted in ${elapsed.toFixed(0)} ms, ${webhook.bodies.length} webhook call(s)`);
  assert.equal(accepted, 100, JSON.stringify(results.filter((r) => r.outcome !== 'accepted').map((r) => [r.outcome, r.hsType])));
  assert.ok(elapsed < 1000, `the 100 handshakes took ${elapsed.toFixed(0)} ms`);
  assert.equal(webhook.bodies.length, 1);
  assert.equal(await metric(proxy, 'srt_proxy_admission_webhook_requests_total', { kind: 'call' }), 1);
  const sharedCalls = await metric(proxy, 'srt_proxy_admission_webhook_requests_total', { kind: 'shared' });
  const cached = await metric(proxy, 'srt_proxy_admission_webhook_requests_total', { kind: 'cache' });
  console.log(`single flight: ${sharedCalls} shared the call, ${cached} answered from the cache`);
  assert.equal(sharedCalls + cached, 99);
  for (const c of callers) c.sendShutdown();
  await waitForNoSessions(proxy, 5000);
});

e2eTest('CIDR rules: publish and play allow and deny lists, IPv4 and IPv6, refused with 2403 before any origin', async (scope) => {
  const origin4 = await scope.rawOrigin();
  const v4 = await scope.proxy({
    origins: [hostPort('127.0.0.1', origin4.port)],
    env: { PUBLISH_DENY_CIDRS: '127.0.0.0/8', PLAY_ALLOW_CIDRS: '10.0.0.0/8,127.0.0.1' },
  });
  const pub4 = await (await scope.rawCaller()).connect({ host: '127.0.0.1', port: v4.srtPort, streamId: sid('cidr', 'publish') });
  assert.equal(pub4.outcome, 'rejected');
  assert.equal(pub4.hsType, 2403, 'publish from 127.0.0.1 is in PUBLISH_DENY_CIDRS');
  assert.ok(pub4.latencyMs < 500);
  assert.equal(origin4.datagrams.length, 0, 'a refused publisher never reaches the origin');
  const run = await scope.publish({ port: v4.srtPort, streamId: sid('cidr-ffmpeg', 'publish'), seconds: 2 });
  assert.notEqual(run.code, 0, 'ffmpeg from a denied address cannot publish');
  assert.ok(run.durationMs < 1500, `ffmpeg failed only after ${run.durationMs.toFixed(0)} ms`);
  assert.equal(origin4.datagrams.length, 0);
  const player4 = await scope.rawCaller();
  const play4 = await player4.connect({ host: '127.0.0.1', port: v4.srtPort, streamId: sid('cidr', 'request') });
  assert.equal(play4.outcome, 'accepted', 'play from 127.0.0.1 is in PLAY_ALLOW_CIDRS');
  player4.sendShutdown();

  const origin6 = await scope.rawOrigin('::1');
  const v6 = await scope.proxy({
    srtHost: '::1',
    origins: [hostPort('::1', origin6.port)],
    env: { PUBLISH_ALLOW_CIDRS: '2001:db8::/32,::1/128', PLAY_ALLOW_CIDRS: '2001:db8::/32' },
  });
  const publisher6 = await scope.rawCaller('::1');
  const pub6 = await publisher6.connect({ host: '::1', port: v6.srtPort, streamId: sid('cidr6', 'publish') });
  assert.equal(pub6.outcome, 'accepted', 'publish from ::1 is in PUBLISH_ALLOW_CIDRS');
  publisher6.sendShutdown();
  await waitForNoSessions(v6, 5000);
  const before6 = origin6.datagrams.length;
  const play6 = await (await scope.rawCaller('::1')).connect({ host: '::1', port: v6.srtPort, streamId: sid('cidr6', 'request') });
  assert.equal(play6.outcome, 'rejected');
  assert.equal(play6.hsType, 2403, '::1 is not in PLAY_ALLOW_CIDRS');
  await sleep(200);
  assert.equal(origin6.datagrams.length, before6, 'a refused player never reaches the origin');
  console.log(`CIDR: publish 127.0.0.1 ${pub4.hsType}, play 127.0.0.1 ${play4.outcome}, publish ::1 ${pub6.outcome}, play ::1 ${play6.hsType}`);
  assert.equal(await metric(v4, 'srt_proxy_admission_decisions_total', { verdict: 'denied', source: 'rules' }), 2);
  assert.equal(await metric(v6, 'srt_proxy_admission_decisions_total', { verdict: 'denied', source: 'rules' }), 1);
  await waitForNoSessions(v4, 5000);
});
