/** The active origin probe against real SRT listeners (srt-live-transmit), silent sockets and closed ports. */
import assert from 'node:assert/strict';
import type dgram from 'node:dgram';
import { before } from 'node:test';
import { OriginProber, type OriginProberOptions, type ProbeVerdict } from '../../src/origins/origin-prober.js';
import { buildInductionResponse } from '../../src/srt/protocol/handshake-builders.js';
import { bindUdp, closeUdp, freeUdpPort } from '../support/net.js';
import { sleep, waitFor } from '../support/process.js';
import { requirePeers } from './support/peers.js';
import { e2eTest } from './support/scope.js';

before(() => requirePeers());

const INTERVAL_MS = 300;
const TIMEOUT_MS = 200;
const MISSES = 2;
/** Worst case from the last answer to `down`: the round in flight plus MISSES more, each settled at its deadline. */
const DOWN_BUDGET_MS = (MISSES + 1) * INTERVAL_MS + TIMEOUT_MS;
/** Generous slack for a loaded 2-core machine; the measured figure is printed. */
const SLACK_MS = 1500;

interface VerdictEvent {
  readonly id: string;
  readonly verdict: ProbeVerdict;
  readonly at: number;
}

interface Probing {
  readonly prober: OriginProber;
  readonly events: VerdictEvent[];
}

/** Runs `body` with a prober on loopback whose verdicts are recorded; always stops it. */
async function probing(body: (p: Probing) => Promise<void>, options: Partial<OriginProberOptions> = {}): Promise<void> {
  const events: VerdictEvent[] = [];
  const prober = new OriginProber(
    { intervalMs: INTERVAL_MS, timeoutMs: TIMEOUT_MS, missesToDown: MISSES, bind: { v4: '127.0.0.1', v6: '::1' }, ...options },
    (id, verdict) => events.push({ id, verdict, at: performance.now() }),
  );
  await prober.start();
  try {
    await body({ prober, events });
  } finally {
    await prober.stop();
  }
}

function waitVerdict(events: VerdictEvent[], id: string, verdict: ProbeVerdict, afterIndex: number, timeoutMs: number): Promise<VerdictEvent> {
  return waitFor(`verdict ${verdict} for ${id}`, () => events.slice(afterIndex).find((e) => e.id === id && e.verdict === verdict), timeoutMs, 10);
}

e2eTest('a real srt-live-transmit listener is up; killed it goes down after the misses; restarted it is up again', async (scope) => {
  const port = await freeUdpPort();
  const first = await scope.receiverOrigin({ name: 'probed', port });
  await probing(async ({ prober, events }) => {
    prober.setTargets([{ id: 'origin-a', host: '127.0.0.1', port }]);

    const up = await waitVerdict(events, 'origin-a', 'up', 0, 3000);
    assert.equal(prober.verdictOf('origin-a'), 'up');
    assert.equal(events.length, 1, 'one verdict, reported once');

    // Several rounds of answers change nothing.
    await sleep(3 * INTERVAL_MS);
    assert.equal(events.length, 1, JSON.stringify(events));
    assert.ok(prober.counters.answered >= 3, `answers: ${JSON.stringify(prober.counters)}`);

    await first.process.stop('SIGKILL', 2000);
    const killedAt = performance.now();
    const down = await waitVerdict(events, 'origin-a', 'down', 1, DOWN_BUDGET_MS + SLACK_MS);
    const downMs = down.at - killedAt;
    console.log(`probe: listener killed -> down after ${downMs.toFixed(0)} ms (interval ${INTERVAL_MS}, timeout ${TIMEOUT_MS}, misses ${MISSES}; budget ${DOWN_BUDGET_MS} ms)`);
    assert.ok(downMs >= (MISSES - 1) * INTERVAL_MS, `down after ${downMs.toFixed(0)} ms: sooner than ${MISSES} missed rounds`);
    assert.equal(prober.verdictOf('origin-a'), 'down');

    await scope.receiverOrigin({ name: 'probed-again', port });
    const restartedAt = performance.now();
    const upAgain = await waitVerdict(events, 'origin-a', 'up', 2, INTERVAL_MS + TIMEOUT_MS + SLACK_MS);
    console.log(`probe: listener restarted -> up after ${(upAgain.at - restartedAt).toFixed(0)} ms (first answer)`);
    assert.deepEqual(events.map((e) => e.verdict), ['up', 'down', 'up']);
    assert.ok(up.at < down.at && down.at < upAgain.at);
    assert.equal(prober.counters.garbage, 0);
    assert.equal(prober.counters.stray, 0, JSON.stringify(prober.counters));
  });
});

e2eTest('a bound but silent UDP socket is down, and it did receive 64-byte INDUCTIONs to socket id 0', async () => {
  const silent = await bindUdp('127.0.0.1');
  const received: Buffer[] = [];
  silent.on('message', (packet: Buffer) => received.push(packet));
  try {
    await probing(async ({ prober, events }) => {
      prober.setTargets([{ id: 'silent', host: '127.0.0.1', port: silent.address().port }]);
      await waitVerdict(events, 'silent', 'down', 0, DOWN_BUDGET_MS + SLACK_MS);
    });
    assert.ok(received.length >= MISSES, `probes received: ${received.length}`);
    for (const packet of received) {
      assert.equal(packet.length, 64);
      assert.equal(packet.readUInt32BE(0), 0x80000000, 'control, handshake');
      assert.equal(packet.readUInt32BE(12), 0, 'destination socket id 0, like a caller');
      assert.equal(packet.readUInt32BE(36), 1, 'INDUCTION');
    }
    const ids = new Set(received.map((p) => p.readUInt32BE(40)));
    assert.equal(ids.size, received.length, 'a fresh socket id per probe');
  } finally {
    await closeUdp(silent);
  }
});

e2eTest('a closed port is down', async () => {
  const port = await freeUdpPort();
  await probing(async ({ prober, events }) => {
    prober.setTargets([{ id: 'closed', host: '127.0.0.1', port }]);
    await waitVerdict(events, 'closed', 'down', 0, DOWN_BUDGET_MS + SLACK_MS);
    assert.equal(prober.verdictOf('closed'), 'down');
    assert.equal(events.length, 1);
  });
});

e2eTest('an IPv6 origin on ::1 (srt-live-transmit) is up, alongside an IPv4 one (also as ::ffff:127.0.0.1), each family on its own socket', async (scope) => {
  const port6 = await freeUdpPort('::1');
  const port4 = await freeUdpPort();
  await scope.receiverOrigin({ name: 'v6', host: '::1', port: port6 });
  await scope.receiverOrigin({ name: 'v4', port: port4 });
  await probing(async ({ prober, events }) => {
    prober.setTargets([
      { id: 'v6', host: '::1', port: port6 },
      { id: 'v4', host: '127.0.0.1', port: port4 },
      { id: 'v4-mapped', host: '::ffff:127.0.0.1', port: port4 },
    ]);
    await waitVerdict(events, 'v6', 'up', 0, 3000);
    await waitVerdict(events, 'v4', 'up', 0, 3000);
    await waitVerdict(events, 'v4-mapped', 'up', 0, 3000);
    const ports = prober.localPorts();
    assert.ok(ports.v4 !== undefined && ports.v6 !== undefined, JSON.stringify(ports));
  });
});

e2eTest('answers are matched by source address and socket id; garbage on the probe socket is counted and ignored', async () => {
  const origin = await bindUdp('127.0.0.1');
  const impostor = await bindUdp('127.0.0.1');
  let answer: 'none' | 'impostor' | 'wrong-id' | 'right' = 'none';
  origin.on('message', (probe: Buffer, from: dgram.RemoteInfo) => {
    const reply = buildInductionResponse(probe, 0x1234);
    if (answer === 'impostor') impostor.send(reply, from.port, from.address);
    if (answer === 'wrong-id') {
      reply.writeUInt32BE((reply.readUInt32BE(12) ^ 0x5a5a) >>> 0, 12);
      origin.send(reply, from.port, from.address);
    }
    if (answer === 'right') origin.send(reply, from.port, from.address);
  });
  try {
    await probing(async ({ prober, events }) => {
      prober.setTargets([{ id: 'scripted', host: '127.0.0.1', port: origin.address().port }]);
      await waitVerdict(events, 'scripted', 'down', 0, DOWN_BUDGET_MS + SLACK_MS);

      // Garbage straight at the prober's socket: empty, text, zeros (a data packet), 0xff, a big datagram, a SHUTDOWN.
      const target = prober.localPorts().v4!;
      const shutdown = Buffer.alloc(64);
      shutdown.writeUInt32BE(0x80050000, 0);
      const junk = [Buffer.alloc(0), Buffer.from('hello'), Buffer.alloc(64), Buffer.alloc(64, 0xff), Buffer.alloc(1500, 0x41), shutdown];
      for (const packet of junk) impostor.send(packet, target, '127.0.0.1');
      await waitFor('garbage counted', () => (prober.counters.garbage >= junk.length ? true : undefined), 3000, 10);

      answer = 'impostor';
      await waitFor('impostor answers ignored', () => (prober.counters.stray >= 2 ? true : undefined), 3000, 10);
      answer = 'wrong-id';
      const strayBefore = prober.counters.stray;
      await waitFor('wrong-id answers ignored', () => (prober.counters.stray >= strayBefore + 2 ? true : undefined), 3000, 10);
      assert.equal(prober.verdictOf('scripted'), 'down', 'no stray answer counted as up');
      assert.equal(prober.counters.answered, 0);

      answer = 'right';
      await waitVerdict(events, 'scripted', 'up', 1, 3000);
      assert.deepEqual(events.map((e) => e.verdict), ['down', 'up']);
      assert.equal(prober.counters.garbage, junk.length, JSON.stringify(prober.counters));
    });
  } finally {
    await closeUdp(origin);
    await closeUdp(impostor);
  }
});

e2eTest('setTargets replaces the set: a removed origin is no longer probed and loses its verdict', async () => {
  const silent = await bindUdp('127.0.0.1');
  let received = 0;
  silent.on('message', () => (received += 1));
  try {
    await probing(async ({ prober, events }) => {
      prober.setTargets([{ id: 'gone', host: '127.0.0.1', port: silent.address().port }]);
      await waitVerdict(events, 'gone', 'down', 0, DOWN_BUDGET_MS + SLACK_MS);
      prober.setTargets([]);
      assert.equal(prober.verdictOf('gone'), undefined);
      await sleep(INTERVAL_MS);
      const settled = received;
      await sleep(3 * INTERVAL_MS);
      assert.equal(received, settled, 'no probes after removal');
    });
  } finally {
    await closeUdp(silent);
  }
});

e2eTest('a throwing verdict handler does not stop the probe', async () => {
  const calls: ProbeVerdict[] = [];
  const silent = await bindUdp('127.0.0.1');
  let answer = false;
  silent.on('message', (probe: Buffer, from: dgram.RemoteInfo) => {
    if (answer) silent.send(buildInductionResponse(probe, 1), from.port, from.address);
  });
  const prober = new OriginProber({ intervalMs: INTERVAL_MS, timeoutMs: TIMEOUT_MS, missesToDown: 1, bind: { v4: '127.0.0.1', v6: '::1' } }, (_id, verdict) => {
    calls.push(verdict);
    throw new Error('handler bug');
  });
  try {
    await prober.start();
    prober.setTargets([{ id: 'x', host: '127.0.0.1', port: silent.address().port }]);
    await waitFor('down reported', () => (calls.includes('down') ? true : undefined), 3000, 10);
    answer = true;
    await waitFor('up reported after the handler threw', () => (calls.includes('up') ? true : undefined), 3000, 10);
  } finally {
    await prober.stop();
    await closeUdp(silent);
  }
});

e2eTest('ORIGIN_PROBE_INTERVAL_MS=0: start() binds nothing and no verdict ever comes', async () => {
  const off = new OriginProber({ intervalMs: 0, timeoutMs: 1000, missesToDown: 2 }, () => assert.fail('no verdicts when off'));
  await off.start();
  off.setTargets([{ id: 'y', host: '127.0.0.1', port: 9 }]);
  assert.deepEqual(off.localPorts(), { v4: undefined, v6: undefined });
  await sleep(300);
  assert.equal(off.verdictOf('y'), undefined);
  assert.equal(off.counters.sent, 0);
  await off.stop();
});
