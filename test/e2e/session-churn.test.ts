/**
 * 10,000 sessions opened and closed (raw callers doing the full handshake through the proxy to a scripted origin,
 * a few data packets, SHUTDOWN), 48 at a time: afterwards the proxy holds no session and no origin socket, and its
 * fds, heap, UDP handles and timers (process.getActiveResourcesInfo(), served by prom-client as
 * nodejs_active_resources) are back to their baseline.
 */
import assert from 'node:assert/strict';
import { hostPort, httpGet } from '../support/net.js';
import { waitFor } from '../support/process.js';
import { parseExposition, sampleValue } from '../support/prometheus.js';
import { GC_ON_SIGNAL_NODE_ARGS, type ProxyProcess } from '../support/proxy.js';
import { sid, waitForNoSessions } from './support/expect.js';
import { RawCaller } from './support/raw-caller.js';
import { e2eTest } from './support/scope.js';

const SESSIONS = Number(process.env.CHURN_SESSIONS ?? 10_000);
const CONCURRENCY = 48;

interface Footprint {
  readonly fds: number;
  readonly heap: number;
  readonly timers: number;
  readonly udp: number;
}

async function footprint(proxy: ProxyProcess): Promise<Footprint> {
  const metrics = parseExposition((await httpGet(`http://127.0.0.1:${proxy.httpPort}/metrics`, 5000)).text);
  const resource = (type: string): number => {
    const family = metrics.get('nodejs_active_resources');
    return family?.samples.find((s) => s.labels.type === type)?.value ?? 0;
  };
  return {
    fds: proxy.fds().total,
    heap: sampleValue(metrics, 'nodejs_heap_size_used_bytes'),
    timers: resource('Timeout'),
    udp: resource('UDPWrap'),
  };
}

e2eTest(
  `${SESSIONS.toLocaleString('en')} sessions opened and closed: fds, heap, UDP handles and timers back to baseline`,
  async (scope) => {
    const origin = await scope.rawOrigin();
    // Every session has its own stream: with no sticky grace the balancer frees each stream's state at its end.
    const proxy = await scope.proxy({ origins: [hostPort('127.0.0.1', origin.port)], maxSessions: 0,
      env: { BALANCER_STICKY_GRACE_MS: '0' },
      nodeArgs: GC_ON_SIGNAL_NODE_ARGS,
    });
    // Warm up (JIT, HTTP path, first-session allocations) before the baseline.
    for (let i = 0; i < 20; i++) await oneSession(proxy, `warm-${i}`);
    await waitForNoSessions(proxy, 5000);
    await proxy.collectGarbage();
    const baseline = await footprint(proxy);
    console.log(`churn: baseline ${JSON.stringify(baseline)}`);

    let next = 0;
    let failures = 0;
    const failed: string[] = [];
    const t0 = performance.now();
    // Sampled during the run: shows the probes see what sessions hold (so "back to baseline" can fail).
    let peak = baseline;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const now = await footprint(proxy);
        peak = { fds: Math.max(peak.fds, now.fds), heap: Math.max(peak.heap, now.heap), timers: Math.max(peak.timers, now.timers), udp: Math.max(peak.udp, now.udp) };
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    const worker = async (): Promise<void> => {
      while (next < SESSIONS) {
        const i = next++;
        const outcome = await oneSession(proxy, `churn-${i}`);
        if (outcome !== 'accepted') {
          failures++;
          if (failed.length < 10) failed.push(`#${i}: ${outcome}`);
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    } finally {
      sampling = false;
      await sampler;
    }
    const elapsed = performance.now() - t0;
    console.log(`churn: peak during the run ${JSON.stringify(peak)}`);
    // Origin sockets are fds on both data paths; only the TypeScript path's are also node UDP handles (the native
    // path creates them in C), so the UDP handle count is checked for leaks below, not for having risen.
    assert.ok(peak.fds > baseline.fds && peak.timers > baseline.timers, 'the probes saw sessions come and go');
    console.log(`churn: ${SESSIONS} sessions in ${(elapsed / 1000).toFixed(1)} s (${Math.round(SESSIONS / (elapsed / 1000))}/s), ${failures} failed`);
    assert.deepEqual(failed, [], 'every session connects');

    const stats = await waitForNoSessions(proxy, 10_000);
    assert.equal(stats.sessions.opened, SESSIONS + 20);
    assert.equal(stats.sessions.closed, SESSIONS + 20);
    assert.equal(stats.handshakes.accepted, SESSIONS + 20);

    // Measured after a full GC: live data only. 8 MB is JIT code, caches and pools warming further; a leak of
    // anything per session (a Session holds a socket, timers and buffers) would be tens of MB over 10,000.
    const heapSlack = 8 * 1024 * 1024;
    const after = await waitFor(
      'fds, heap, UDP handles and timers back at the baseline',
      async () => {
        await proxy.collectGarbage();
        const now = await footprint(proxy);
        const back = now.fds <= baseline.fds && now.udp <= baseline.udp && now.timers <= baseline.timers && now.heap <= baseline.heap + heapSlack;
        return back ? now : undefined;
      },
      20_000,
      500,
    ).catch(() => footprint(proxy));
    console.log(`churn: after ${JSON.stringify(after)}`);
    assert.ok(after.fds <= baseline.fds, `fds ${after.fds} vs ${baseline.fds}`);
    // Kept for the next sessions (not in `fds`): never more than were open at once, whatever the number of sessions.
    const kept = proxy.fds().kept;
    assert.ok(kept <= CONCURRENCY, `${kept} origin sockets kept after ${SESSIONS} sessions, ${CONCURRENCY} at a time`);
    assert.ok(after.udp <= baseline.udp, `UDP handles ${after.udp} vs ${baseline.udp}`);
    assert.ok(after.timers <= baseline.timers, `timers ${after.timers} vs ${baseline.timers}`);
    assert.ok(after.heap <= baseline.heap + heapSlack, `heap ${after.heap} vs ${baseline.heap}`);
  },
  { timeout: 300_000 },
);

async function oneSession(proxy: ProxyProcess, name: string): Promise<string> {
  const caller = await RawCaller.create();
  try {
    const result = await caller.connect({ host: '127.0.0.1', port: proxy.srtPort, streamId: sid(name, 'publish'), timeoutMs: 5000 });
    if (result.outcome !== 'accepted') return `${result.outcome} type ${result.hsType}`;
    caller.sendData(2);
    caller.sendShutdown();
    return 'accepted';
  } finally {
    await caller.close();
  }
}
