/**
 * 50 sequential short sessions (raw caller: full handshake with a real srt-live-transmit origin, data, keepalive,
 * SHUTDOWN) must leave nothing behind: no session, no origin socket, no extra fd. Every SHUTDOWN must reach the
 * origin (srt-live-transmit logs one "SRT source disconnected" per session).
 */
import assert from 'node:assert/strict';
import { before } from 'node:test';
import { freeUdpPort, hostPort } from '../support/net.js';
import { requirePeers } from './support/peers.js';
import { sleep, waitFor } from '../support/process.js';
import { e2eTest } from './support/scope.js';
import { sid, summarize, waitForNoSessions } from './support/expect.js';

const SESSIONS = 50;

before(() => requirePeers());

function occurrences(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

e2eTest(
  `${SESSIONS} sequential short sessions leave no session, origin socket or fd behind`,
  async (scope) => {
    const originPort = await freeUdpPort();
    const origin = await scope.receiverOrigin({ name: 'origin', port: originPort });
    const proxy = await scope.proxy({ origins: [hostPort('127.0.0.1', originPort)] });
    await proxy.stats(); // warm the HTTP path before the baseline
    await sleep(200);
    const baseline = proxy.fds();
    console.log(`leak: baseline fds ${baseline.total} (sockets ${baseline.sockets})`);

    const connectMs: number[] = [];
    const failures: string[] = [];
    let peak = 0;
    const t0 = performance.now();
    for (let i = 0; i < SESSIONS; i += 1) {
      const caller = await scope.rawCaller();
      const result = await caller.connect({ host: '127.0.0.1', port: proxy.srtPort, streamId: sid(`leak-${i}`, 'publish') });
      if (result.outcome !== 'accepted') {
        failures.push(`#${i}: ${result.outcome} type ${result.hsType} after ${result.latencyMs.toFixed(0)} ms`);
      } else {
        connectMs.push(result.latencyMs);
        caller.sendData(5);
        await sleep(150);
        caller.sendKeepalive();
        caller.sendData(5);
        await sleep(150);
        peak = Math.max(peak, proxy.fds().sockets);
        caller.sendShutdown();
      }
      await caller.close(); // flushes the SHUTDOWN first
    }
    const elapsed = performance.now() - t0;
    console.log(`leak: ${SESSIONS} sessions in ${elapsed.toFixed(0)} ms; connect ${summarize(connectMs)}; peak sockets ${peak}`);
    assert.deepEqual(failures, [], 'every session connects');

    const stats = await waitForNoSessions(proxy, 3000);
    assert.equal(stats.sessions.active, 0);
    assert.equal(stats.originSockets, 0);
    assert.deepEqual(await proxy.sessions(), []);
    assert.ok(stats.handshakes.accepted >= SESSIONS, JSON.stringify(stats));
    const after = await waitFor(
      'the proxy socket count back at the baseline',
      () => {
        const now = proxy.fds();
        return now.sockets <= baseline.sockets && now.total <= baseline.total ? now : undefined;
      },
      2000,
      100,
    ).catch(() => proxy.fds());
    console.log(`leak: fds after ${after.total} (sockets ${after.sockets}), baseline ${baseline.total} (${baseline.sockets}); stats ${JSON.stringify(stats)}`);
    assert.ok(after.sockets <= baseline.sockets, `sockets: ${after.sockets} now vs ${baseline.sockets} before`);
    assert.ok(after.total <= baseline.total, `fds: ${after.total} now vs ${baseline.total} before`);
    assert.ok(peak <= baseline.sockets + 2, `peak ${peak} sockets with one session at a time (baseline ${baseline.sockets})`);
    // One session at a time: each next one takes the socket the last one left, so at most the last is kept (one per
    // worker when a suite runs with two).
    assert.ok(after.kept <= 2, `${after.kept} origin sockets kept after sessions one at a time`);

    const disconnects = await waitFor(
      `srt-live-transmit to log ${SESSIONS} disconnects`,
      () => {
        const n = occurrences(origin.process.stderr, 'SRT source disconnected');
        return n >= SESSIONS ? n : undefined;
      },
      2000,
      100,
    ).catch(() => occurrences(origin.process.stderr, 'SRT source disconnected'));
    console.log(`leak: origin accepted ${occurrences(origin.process.stderr, 'Accepted SRT source connection')} connections, saw ${disconnects} disconnects`);
    assert.equal(disconnects, SESSIONS, 'every caller SHUTDOWN reached the origin');
  },
  { timeout: 90_000 },
);
