/**
 * A stalled log reader must not stall the relay: the proxy's stdout pipe is left unread (as when a log shipper
 * hangs) while debug logging produces far more than the pipe holds; sessions still connect and relay every packet,
 * HTTP still answers, and once the reader resumes every line arrives.
 */
import assert from 'node:assert/strict';
import { before } from 'node:test';
import { hostPort, httpGet } from '../support/net.js';
import { waitFor } from '../support/process.js';
import { requirePeers } from './support/peers.js';
import { e2eTest } from './support/scope.js';
import { sid } from './support/expect.js';

before(() => requirePeers());

/** Each answered request is one debug line of ~250 bytes: 1500 of them are several times a 64 KiB pipe. */
const REQUESTS = 1500;
const PACKETS = 300;

e2eTest('a stdout pipe nobody reads does not stall sessions or HTTP, and loses no line', async (scope) => {
  const origin = await scope.rawOrigin();
  const proxy = await scope.proxy({ origins: [hostPort('127.0.0.1', origin.port)], env: { LOG_LEVEL: 'debug' } });
  const stdout = proxy.process.child.stdout!;
  stdout.pause();

  for (let i = 0; i < REQUESTS; i += 50) {
    await Promise.all(Array.from({ length: 50 }, () => httpGet(proxy.url('/healthz'), 5000)));
  }

  // The pipe is full now; the relay goes on.
  const t0 = performance.now();
  const health = await httpGet(proxy.url('/healthz'), 5000);
  const healthMs = performance.now() - t0;
  assert.equal(health.status, 200);
  const caller = await scope.rawCaller();
  const result = await caller.connect({ host: '127.0.0.1', port: proxy.srtPort, streamId: sid('stalled-log', 'publish') });
  assert.equal(result.outcome, 'accepted', JSON.stringify(result));
  // In batches: a burst larger than the origin socket's receive buffer would be lost in the test's own kernel buffer.
  for (let sent = 50; sent <= PACKETS; sent += 50) {
    caller.sendData(50);
    await waitFor(`the origin to get ${sent} packets`, () => (origin.sessionPackets().length >= sent ? true : undefined), 5000);
  }
  console.log(`stalled stdout: /healthz in ${healthMs.toFixed(1)} ms, handshake ${result.latencyMs.toFixed(1)} ms, ${PACKETS} packets relayed`);
  assert.ok(healthMs < 1000, `/healthz took ${healthMs.toFixed(0)} ms`);
  assert.ok(result.latencyMs < 1000, `the handshake took ${result.latencyMs.toFixed(0)} ms`);

  // The reader comes back: the buffered lines arrive, the session start line among them.
  let text = '';
  stdout.removeAllListeners('data');
  stdout.on('data', (chunk: string) => (text += chunk));
  stdout.resume();
  await waitFor('the buffered log lines', () => (text.includes('"session started"') ? true : undefined), 10_000);
  const requestLines = text.split('\n').filter((l) => l.includes('"path":"/healthz"')).length;
  console.log(`stalled stdout: ${(text.length / 1024).toFixed(0)} KiB delivered after resume, ${requestLines} request lines`);
  assert.ok(text.length > 128 * 1024, `only ${text.length} bytes were held back`);
  // Every /healthz request was made after the pause, so every one of their lines is in `text`.
  assert.equal(requestLines, REQUESTS + 1, 'every request line arrived');
});
