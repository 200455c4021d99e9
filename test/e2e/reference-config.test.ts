/**
 * A deployment of the Go SRS proxy switching images: the proxy started with nothing but the reference's PROXY_*
 * variables (listen addresses, default backend, balancer type, Go-duration quit timeouts) relays a stream and
 * drains for the grace time those timeouts give.
 */
import assert from 'node:assert/strict';
import { before } from 'node:test';
import { freeUdpPort, hostPort } from '../support/net.js';
import { ProxyProcess } from '../support/proxy.js';
import { probeVideo, requirePeers } from './support/peers.js';
import { sleep, waitFor } from '../support/process.js';
import { e2eTest } from './support/scope.js';
import { sid, waitForNoSessions, waitForSession } from './support/expect.js';

before(() => requirePeers());

const GRACE_MS = 1500;

e2eTest('a proxy started with only the reference PROXY_* variables relays a stream and drains for their grace time', async (scope) => {
  const originPort = await freeUdpPort();
  const origin = await scope.receiverOrigin({ name: 'reference', port: originPort });
  const proxy = await ProxyProcess.start({
    variables: 'reference',
    env: {
      PROXY_DEFAULT_BACKEND_ENABLED: 'on',
      PROXY_DEFAULT_BACKEND_IP: '127.0.0.1',
      PROXY_DEFAULT_BACKEND_SRT: String(originPort),
      PROXY_LOAD_BALANCER_TYPE: 'memory',
      PROXY_GRACE_QUIT_TIMEOUT: `${GRACE_MS}ms`,
      PROXY_FORCE_QUIT_TIMEOUT: '1m30s',
    },
  });
  scope.track(proxy.process);

  const origins = await proxy.getJson<{ origins: { id: string }[] }>('/api/v1/origins');
  assert.deepEqual(origins.origins.map((o) => o.id), [hostPort('127.0.0.1', originPort)], 'the default backend is the origin');

  const run = await scope.publish({ port: proxy.srtPort, streamId: sid('reference', 'publish'), seconds: 3 });
  assert.equal(run.code, 0, `publisher failed:\n${run.stderr}`);
  await waitForNoSessions(proxy, 5000);
  await sleep(300);
  await origin.stop();
  const video = probeVideo(origin.file);
  console.log(`reference config: ${video.frames} frames of 75 relayed`);
  assert.ok(Math.abs(video.frames - 75) <= 25, `expected 75 +- 25 frames, got ${video.frames}`);

  // A live session at SIGTERM keeps the proxy up for the drain (PROXY_GRACE_QUIT_TIMEOUT, the shorter), then exit 0.
  const origin2 = await scope.receiverOrigin({ name: 'reference-2', port: originPort });
  // A health probe (every 2 s) that fell between the two origins marked the port down until the next one: a caller
  // then would get 2503. The origin listens again, so the proxy's view is only waited for, never forced.
  await waitFor(
    'the origin available again',
    async () => ((await proxy.getJson<{ origins: { available: number } }>('/api/v1/stats')).origins.available === 1 ? true : undefined),
    8000,
  );
  const publisher = scope.startPublisher({ port: proxy.srtPort, streamId: sid('draining', 'publish'), seconds: 30 });
  await waitForSession(proxy, 'draining', 8000, (s) => s.state === 'connected' && s.packetsFromCaller > 10);
  const t0 = performance.now();
  await proxy.stop(GRACE_MS + 8000);
  const exitMs = performance.now() - t0;
  console.log(`reference config: exit ${JSON.stringify(proxy.process.exitInfo)} ${exitMs.toFixed(0)} ms after SIGTERM (grace ${GRACE_MS} ms)`);
  assert.equal(proxy.process.exitInfo?.code, 0, proxy.describe());
  assert.ok(exitMs >= GRACE_MS - 100, `exited after ${exitMs.toFixed(0)} ms, before the grace time`);
  assert.ok(exitMs < GRACE_MS + 3000, `exited only after ${exitMs.toFixed(0)} ms`);
  await publisher.stop('SIGTERM', 3000);
  await origin2.stop();
});
