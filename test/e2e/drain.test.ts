/**
 * SIGTERM drain as Kubernetes sees it: /readyz stays 200 with a draining detail (failing it would make kube-proxy
 * flush the live flows' conntrack entries, docs/KUBERNETES.md), new callers get 2402, live sessions relay on, then
 * SHUTDOWN both ways and exit 0 within the drain time.
 */
import assert from 'node:assert/strict';
import { before } from 'node:test';
import { freeUdpPort, hostPort, httpGet } from '../support/net.js';
import type { ProxyProcess } from '../support/proxy.js';
import { requirePeers } from './support/peers.js';
import { sleep, waitFor } from '../support/process.js';
import { e2eTest, type Scope } from './support/scope.js';
import { isShutdown } from '../support/srt-packets.js';
import { sid, waitForSession } from './support/expect.js';

before(() => requirePeers());

interface Readiness {
  readonly status: string;
  readonly info?: { readonly drain?: { readonly status: string; readonly draining: boolean } };
}

/** Polls /readyz until its drain detail says draining; every answer on the way must be 200. */
async function readyWhileDraining(proxy: ProxyProcess): Promise<Readiness> {
  return waitFor('/readyz to report draining', async () => {
    const r = await httpGet<Readiness>(proxy.url('/readyz'), 1000);
    assert.equal(r.status, 200, `/readyz answered ${r.status} while draining: ${r.text}`);
    return r.body.info?.drain?.draining === true ? r.body : undefined;
  }, 2000, 20);
}

async function newcomerGets2402(scope: Scope, proxy: ProxyProcess, name: string): Promise<void> {
  const late = await scope.rawCaller();
  const rejected = await late.connect({ host: '127.0.0.1', port: proxy.srtPort, streamId: sid(name, 'publish') });
  assert.equal(rejected.outcome, 'rejected', `newcomer while draining: ${rejected.outcome}`);
  assert.equal(rejected.hsType, 2402, 'newcomers are told to retry elsewhere (SRT_REJX_OVERLOAD)');
}

e2eTest('SIGTERM drains: /readyz stays 200 with draining, 2402 for newcomers, the live session relays on, then SHUTDOWN both ways and exit 0', async (scope) => {
  const origin = await scope.rawOrigin();
  const proxy = await scope.proxy({ origins: [hostPort('127.0.0.1', origin.port)], env: { DRAIN_TIMEOUT_MS: '1500' } });
  const caller = await scope.rawCaller();
  const result = await caller.connect({ host: '127.0.0.1', port: proxy.srtPort, streamId: sid('drain', 'publish') });
  assert.equal(result.outcome, 'accepted', JSON.stringify({ outcome: result.outcome, hsType: result.hsType }));
  await waitForSession(proxy, 'drain', 2000);
  const idle = await httpGet<Readiness>(proxy.url('/readyz'), 1000);
  assert.deepEqual(idle.body.info?.drain, { status: 'up', draining: false });

  const t0 = performance.now();
  proxy.process.child.kill('SIGTERM');
  const readiness = await readyWhileDraining(proxy);
  assert.equal(readiness.status, 'ok');
  console.log(`drain: /readyz 200 ${JSON.stringify(readiness.info?.drain)} ${(performance.now() - t0).toFixed(0)} ms after SIGTERM`);

  await newcomerGets2402(scope, proxy, 'late');

  caller.sendData(3, 'DURING-DRAIN');
  await waitFor('the live session to relay 3 packets while draining', () => {
    const n = origin.sessionPackets().filter((d) => d.packet.includes(Buffer.from('DURING-DRAIN'))).length;
    return n === 3 ? n : undefined;
  }, 1000, 10);

  const exit = await proxy.process.waitExit(6000);
  const exitMs = performance.now() - t0;
  const callerShutdown = caller.received.some((r) => isShutdown(r.packet));
  const originShutdown = origin.sessionPackets().some((d) => isShutdown(d.packet));
  console.log(`drain: exit ${JSON.stringify(exit)} ${exitMs.toFixed(0)} ms after SIGTERM (DRAIN_TIMEOUT_MS=1500); SHUTDOWN to caller ${callerShutdown}, to origin ${originShutdown}`);
  assert.equal(exit.code, 0);
  assert.ok(exitMs >= 1400, `exited after ${exitMs.toFixed(0)} ms: the live session was not given its drain time`);
  assert.ok(callerShutdown, 'the caller got a SHUTDOWN at the end of the drain');
  assert.ok(originShutdown, 'the origin got a SHUTDOWN at the end of the drain');
});

e2eTest('SIGTERM mid-stream with a real publisher: frames keep reaching the origin, newcomers get 2402, exit 0 with the session closed on both sides', async (scope) => {
  const drainMs = 4000;
  const originPort = await freeUdpPort();
  const origin = await scope.receiverOrigin({ name: 'origin', port: originPort });
  const proxy = await scope.proxy({ origins: [hostPort('127.0.0.1', originPort)], env: { DRAIN_TIMEOUT_MS: String(drainMs) } });
  // Outlives the drain by far: only the proxy's drain deadline can end it.
  const publisher = scope.startPublisher({ port: proxy.srtPort, streamId: sid('live', 'publish'), seconds: 60 });
  await waitForSession(proxy, 'live', 10_000, (s) => s.packetsFromCaller > 50);
  await waitFor('the origin to receive the stream', () => (origin.bytes > 50_000 ? true : undefined), 10_000, 50);

  const atSigterm = (await waitForSession(proxy, 'live')).packetsFromCaller;
  const t0 = performance.now();
  proxy.process.child.kill('SIGTERM');
  const readiness = await readyWhileDraining(proxy);
  console.log(`drain/publisher: /readyz 200 ${JSON.stringify(readiness.info?.drain)} ${(performance.now() - t0).toFixed(0)} ms after SIGTERM`);
  await newcomerGets2402(scope, proxy, 'newcomer');

  // The stream keeps flowing: the session's packet count and the origin's file both keep growing after SIGTERM.
  const originAtSigterm = origin.bytes;
  await sleep(1500);
  const during = await waitForSession(proxy, 'live');
  const originDuring = origin.bytes;
  console.log(`drain/publisher: 1.5 s into the drain: ${during.packetsFromCaller - atSigterm} more packets from the publisher, origin file +${originDuring - originAtSigterm} bytes`);
  assert.ok(during.packetsFromCaller - atSigterm > 50, `only ${during.packetsFromCaller - atSigterm} packets relayed after SIGTERM`);
  assert.ok(originDuring - originAtSigterm > 20_000, `the origin got only ${originDuring - originAtSigterm} bytes after SIGTERM`);
  assert.equal(publisher.running, true, 'the publisher is still streaming during the drain');

  const exit = await proxy.process.waitExit(drainMs + 6000);
  const exitMs = performance.now() - t0;
  console.log(`drain/publisher: proxy exit ${JSON.stringify(exit)} ${exitMs.toFixed(0)} ms after SIGTERM (DRAIN_TIMEOUT_MS=${drainMs})`);
  assert.equal(exit.code, 0, 'the proxy exits 0 after draining');
  assert.ok(exitMs >= drainMs - 100, `exited after ${exitMs.toFixed(0)} ms: the live stream was not given its drain time`);
  assert.ok(exitMs <= drainMs + 3000, `exited after ${exitMs.toFixed(0)} ms: the drain overran DRAIN_TIMEOUT_MS=${drainMs}`);

  // Both sides see the session end: srt-live-transmit logs the disconnect, ffmpeg stops long before its 60 s.
  await waitFor('the origin (srt-live-transmit) to see the session end', () => (origin.process.stderr.includes('disconnected') ? true : undefined), 5000, 50);
  const publisherExit = await publisher.waitExit(8000);
  console.log(`drain/publisher: ffmpeg publisher ended ${JSON.stringify(publisherExit)} after ${publisher.durationMs.toFixed(0)} ms of its 60 s`);
  assert.equal(publisherExit.signal, null, 'the publisher stopped by itself (not killed by the harness): it learned that its session ended');
  assert.ok(publisher.durationMs < 30_000, `the publisher ran ${publisher.durationMs.toFixed(0)} ms`);
}, { timeout: 90_000 });
