/** Teardown paths other than the caller's SHUTDOWN (covered by publish/leak): origin SHUTDOWN and idle timeout. */
import assert from 'node:assert/strict';
import { before } from 'node:test';
import { hostPort } from '../support/net.js';
import { requirePeers } from './support/peers.js';
import { sleep, waitFor } from '../support/process.js';
import { e2eTest } from './support/scope.js';
import { buildShutdown, isShutdown } from '../support/srt-packets.js';
import { sid, waitForNoSessions, waitForSession } from './support/expect.js';

before(() => requirePeers());


/** The smallest SESSION_IDLE_TIMEOUT_MS the proxy accepts (libsrt keepalives come every 1 s). */
const IDLE_MS = 3000;

e2eTest('a SHUTDOWN from the origin reaches the caller and frees the session', async (scope) => {
  const origin = await scope.rawOrigin();
  const proxy = await scope.proxy({ origins: [hostPort('127.0.0.1', origin.port)] });
  const caller = await scope.rawCaller();
  const result = await caller.connect({ host: '127.0.0.1', port: proxy.srtPort, streamId: sid('bye', 'publish') });
  assert.equal(result.outcome, 'accepted', JSON.stringify({ outcome: result.outcome, hsType: result.hsType }));
  caller.sendData(2);
  await waitForSession(proxy, 'bye', 2000, (s) => s.packetsFromCaller >= 2);

  const t0 = performance.now();
  origin.sendToSession(buildShutdown(caller.socketId, 999));
  const got = await caller.waitForPacket((p) => isShutdown(p), 1000);
  assert.ok(got, 'the caller receives the origin SHUTDOWN');
  const freed = await waitForNoSessions(proxy, 4000);
  console.log(`teardown: origin SHUTDOWN relayed, session freed ${(performance.now() - t0).toFixed(0)} ms later; stats ${JSON.stringify(freed.sessions)}`);
});

e2eTest('a session abandoned by both peers is closed after SESSION_IDLE_TIMEOUT_MS', async (scope) => {
  const origin = await scope.rawOrigin();
  const proxy = await scope.proxy({ origins: [hostPort('127.0.0.1', origin.port)], idleTimeoutMs: IDLE_MS });
  await proxy.stats();
  await sleep(100);
  const baseline = proxy.fds();
  const caller = await scope.rawCaller();
  const result = await caller.connect({ host: '127.0.0.1', port: proxy.srtPort, streamId: sid('idle', 'publish') });
  assert.equal(result.outcome, 'accepted', JSON.stringify({ outcome: result.outcome, hsType: result.hsType }));
  caller.sendData(2);
  const t0 = performance.now();
  await waitForSession(proxy, 'idle', 2000);

  // Nobody speaks any more (the raw peers send no keepalives).
  await waitForNoSessions(proxy, IDLE_MS + 3000);
  const reapedMs = performance.now() - t0;
  await sleep(200);
  const toCaller = caller.received.some((r) => isShutdown(r.packet));
  const toOrigin = origin.sessionPackets().some((d) => isShutdown(d.packet));
  console.log(`idle timeout ${IDLE_MS} ms: session reaped after ${reapedMs.toFixed(0)} ms; SHUTDOWN sent to caller: ${toCaller}, to origin: ${toOrigin}`);
  assert.ok(reapedMs >= IDLE_MS - 100, `reaped after ${reapedMs.toFixed(0)} ms, before the idle timeout`);
  // Both sides went quiet, so both are told (either may only be behind a broken path).
  assert.ok(toCaller && toOrigin, `SHUTDOWN to caller ${toCaller}, to origin ${toOrigin}`);
  assert.ok(reapedMs < IDLE_MS + 2000, `reaped only after ${reapedMs.toFixed(0)} ms`);
  const after = await waitFor('fds back at the baseline', () => {
    const now = proxy.fds();
    return now.sockets <= baseline.sockets ? now : undefined;
  }, 2000).catch(() => proxy.fds());
  assert.ok(after.sockets <= baseline.sockets, `sockets ${after.sockets} vs baseline ${baseline.sockets}`);
  assert.ok(after.kept <= 1, `${after.kept} origin sockets kept after one session`);
});

e2eTest('origin goes silent while the caller keeps talking: the caller gets a SHUTDOWN after the idle timeout', async (scope) => {
  const origin = await scope.rawOrigin();
  const proxy = await scope.proxy({ origins: [hostPort('127.0.0.1', origin.port)], idleTimeoutMs: IDLE_MS });
  const caller = await scope.rawCaller();
  const result = await caller.connect({ host: '127.0.0.1', port: proxy.srtPort, streamId: sid('orphan', 'publish') });
  assert.equal(result.outcome, 'accepted', JSON.stringify({ outcome: result.outcome, hsType: result.hsType }));
  const t0 = performance.now();
  const keepalive = setInterval(() => {
    try {
      caller.sendKeepalive();
    } catch {
      /* closed */
    }
  }, 250);
  try {
    const shutdown = await caller.waitForPacket((p) => isShutdown(p), IDLE_MS + 3000);
    const ms = performance.now() - t0;
    console.log(`idle timeout ${IDLE_MS} ms with a silent origin: caller SHUTDOWN after ${shutdown ? ms.toFixed(0) : 'never'} ms`);
    assert.ok(shutdown, 'the live side (caller) is told with a SHUTDOWN that its origin is gone');
    assert.ok(ms >= IDLE_MS - 100, `SHUTDOWN after ${ms.toFixed(0)} ms, before the idle timeout`);
  } finally {
    clearInterval(keepalive);
  }
  await waitForNoSessions(proxy, 3000);
});
