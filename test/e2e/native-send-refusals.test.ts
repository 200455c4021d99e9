/**
 * Sends the kernel refuses, on the native data path of a real proxy process: an LD_PRELOAD shim
 * (test/support/send-fault-shim.c) fails chosen sends with EAGAIN (socket buffer full), ENOBUFS (device queue full)
 * or EPERM (a firewall), at the syscall boundary, for sends to one port only. Covered: the public socket's sendmmsg
 * to a caller (the stateless INDUCTION answer, then relayed origin datagrams), a link's sendmmsg to its origin
 * (relayed caller datagrams), and the turn's handshake burst to an origin (send). What the kernel refused is dropped
 * and counted (a relaying link's sendQueueDrops for EAGAIN/ENOBUFS, its sendErrors for anything else, the process's
 * errors.send on the handshake path), never retried or carried to the next turn; the proxy relays on and stays up.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { hostPort, httpGet } from '../support/net.js';
import { sleep, waitFor } from '../support/process.js';
import { udpDropsByPort } from '../support/procfs.js';
import { parseExposition, sampleValue } from '../support/prometheus.js';
import type { ProxyProcess, SessionView } from '../support/proxy.js';
import { buildDataPacket, destinationOf, tsNullPayload } from '../support/srt-packets.js';
import { readTally, SendFaultShim, type SendFaultRule } from '../support/send-fault.js';
import { sid, waitForNoSessions } from './support/expect.js';
import type { RawCaller } from './support/raw-caller.js';
import { e2eTest } from './support/scope.js';

let shim: SendFaultShim;
before(() => {
  shim = SendFaultShim.build();
});
after(() => shim?.cleanup());

const WAIT_MS = 15_000;
/** Socket buffers of the test's peers: nothing the proxy delivers is lost in this busy process. */
const PEER_BUFFER = 4 << 20;
/** Failed calls per relay direction; every third matched call fails until then, so relaying goes on in between. */
const LIMIT = 8;
const EVERY = 3;
/** Datagrams each direction relays after its refusals ended, every one of which must arrive. */
const AFTER = 50;

const RULE = { HS_CALLER: 0, HS_ORIGIN: 1, TO_CALLER: 2, TO_ORIGIN: 3 } as const;

/** The kernel's way of saying "not now": dropped and counted in sendQueueDrops. Anything else is a send error. */
function isRefusal(errno: string): boolean {
  return errno === 'EAGAIN' || errno === 'ENOBUFS';
}

function marked(packets: Buffer[], marker: string): number {
  const needle = Buffer.from(marker);
  return packets.filter((p) => (p[0]! & 0x80) === 0 && p.includes(needle)).length;
}

async function sessionOf(proxy: ProxyProcess): Promise<SessionView> {
  const sessions = await proxy.sessions();
  assert.equal(sessions.length, 1, JSON.stringify(sessions));
  return sessions[0]!;
}

function kernelDrops(port: number): number {
  return udpDropsByPort().get(port) ?? 0;
}

for (const errno of ['ENOBUFS', 'EAGAIN', 'EPERM']) {
  e2eTest(
    `native data path, sends refused with ${errno}: dropped and counted (${isRefusal(errno) ? 'sendQueueDrops' : 'sendErrors'}), never carried over; relaying goes on`,
    async (scope) => {
      const origin = await scope.rawOrigin('127.0.0.1', undefined, PEER_BUFFER);
      const caller: RawCaller = await scope.rawCaller();
      caller.socket.setRecvBufferSize(PEER_BUFFER);
      const tallyFile = join(scope.dir, 'send-fault-tally');
      const handshakeSizes = { minBytes: 0, maxBytes: 200 };
      const dataSizes = { minBytes: 1000, maxBytes: 2048 };
      const rules: SendFaultRule[] = [];
      // The first handshake datagram each way: the INDUCTION answer the addon writes, the session's INDUCTION.
      rules[RULE.HS_CALLER] = { port: caller.localPort, errno, ...handshakeSizes, every: 1, limit: 1 };
      rules[RULE.HS_ORIGIN] = { port: origin.port, errno, ...handshakeSizes, every: 1, limit: 1 };
      rules[RULE.TO_CALLER] = { port: caller.localPort, errno, ...dataSizes, every: EVERY, limit: LIMIT };
      rules[RULE.TO_ORIGIN] = { port: origin.port, errno, ...dataSizes, every: EVERY, limit: LIMIT };
      const tally = () => readTally(tallyFile, rules.length);
      scope.note(`send-fault rules ${JSON.stringify(rules)}`);
      const proxy = await scope.proxy({
        origins: [hostPort('127.0.0.1', origin.port)],
        // Each phase relays one way only: the other side's silence must not end the session meanwhile.
        idleTimeoutMs: 120_000,
        env: { DATA_PATH: 'native', WORKERS: '1', ...shim.env(rules, tallyFile) },
      });

      // The handshake: both first sends refused; the caller repeats its INDUCTION, the session its own.
      const result = await caller.connect({ host: '127.0.0.1', port: proxy.srtPort, streamId: sid('refused', 'publish'), timeoutMs: 5000 });
      assert.equal(result.outcome, 'accepted', JSON.stringify({ outcome: result.outcome, hsType: result.hsType, tally: tally() }));
      assert.ok(result.inductionsSent >= 2, `the refused INDUCTION answer was not resent later: ${result.inductionsSent} INDUCTIONs`);
      assert.ok(origin.inductions >= 1 && origin.conclusions >= 1);
      const hs = tally();
      assert.deepEqual([hs[RULE.HS_CALLER]!.failed, hs[RULE.HS_ORIGIN]!.failed], [1, 1], `the shim refused both handshake sends: ${JSON.stringify(hs)}`);
      const afterHandshake = await proxy.stats();
      assert.equal(afterHandshake.errors.send, 2, `handshake-path refusals count in errors.send: ${JSON.stringify(afterHandshake.errors)}`);
      assert.equal(afterHandshake.dataPath, 'native');

      // Origin -> caller (the public socket's sendmmsg), until the shim refused LIMIT calls, then AFTER more.
      const linkPort = origin.sessionPeer!.port;
      // Data datagrams only: the handshake answers came the same way.
      const toCaller = (): Buffer[] => caller.received.map((r) => r.packet).filter((p) => (p[0]! & 0x80) === 0 && destinationOf(p) === caller.socketId);
      let sentToCaller = 0;
      const fromOrigin = (n: number, marker: string): void => {
        for (let i = 0; i < n; i++) origin.sendToSession(buildDataPacket(sentToCaller + i, sentToCaller + i + 1, 0, caller.socketId, tsNullPayload(marker)));
        sentToCaller += n;
      };
      for (let burst = 0; tally()[RULE.TO_CALLER]!.failed < LIMIT; burst++) {
        assert.ok(burst < 2000, `the shim refused only ${JSON.stringify(tally()[RULE.TO_CALLER])} of the relay's sends to the caller`);
        fromOrigin(4, 'DOWN');
        await sleep(3);
      }
      fromOrigin(AFTER, 'DOWN-AFTER');
      const down = await waitFor(
        'every datagram to the caller delivered, refused (counted) or dropped by the kernel',
        async () => {
          const s = await sessionOf(proxy);
          const seen = JSON.stringify({ sent: sentToCaller, delivered: toCaller().length, received: caller.received.length, linkDrops: kernelDrops(linkPort), callerDrops: kernelDrops(caller.localPort), session: s, tally: tally() });
          const reachedLink = s.packetsFromOrigin + kernelDrops(linkPort) === sentToCaller;
          const accounted = toCaller().length + kernelDrops(caller.localPort) + s.sendQueueDrops + s.sendErrors === s.packetsFromOrigin;
          if (!(reachedLink && accounted)) throw new Error(seen);
          return s;
        },
        WAIT_MS,
        50,
      );
      const t1 = tally()[RULE.TO_CALLER]!;
      assert.equal(t1.failed, LIMIT);
      if (isRefusal(errno)) {
        assert.deepEqual([down.sendQueueDrops, down.sendErrors], [t1.datagrams, 0], `a refused sendmmsg drops (and counts) its whole batch: ${JSON.stringify(t1)}`);
      } else {
        assert.deepEqual([down.sendQueueDrops, down.sendErrors], [0, t1.failed], `a failed sendmmsg costs its first datagram (counted), the rest go on: ${JSON.stringify(t1)}`);
      }
      assert.equal(marked(toCaller(), 'DOWN-AFTER'), AFTER, 'relaying to the caller goes on after the refusals, all of it');
      // Nothing refused comes later: the queue is flushed (or dropped) every turn.
      const delivered = toCaller().length;
      await sleep(300);
      assert.equal(toCaller().length, delivered, 'no datagram was held back and sent later');

      // Caller -> origin (the link's sendmmsg), the same way.
      const before = { drops: down.sendQueueDrops, errors: down.sendErrors, fromCaller: down.packetsFromCaller };
      let sentToOrigin = 0;
      for (let burst = 0; tally()[RULE.TO_ORIGIN]!.failed < LIMIT; burst++) {
        assert.ok(burst < 2000, `the shim refused only ${JSON.stringify(tally()[RULE.TO_ORIGIN])} of the relay's sends to the origin`);
        caller.sendData(4, 'UP');
        sentToOrigin += 4;
        await sleep(3);
      }
      caller.sendData(AFTER, 'UP-AFTER');
      sentToOrigin += AFTER;
      await caller.flush();
      const atOrigin = (): Buffer[] => origin.sessionPackets().map((d) => d.packet);
      const up = await waitFor(
        'every datagram to the origin delivered, refused (counted) or dropped by the kernel',
        async () => {
          const s = await sessionOf(proxy);
          const fromCaller = s.packetsFromCaller - before.fromCaller;
          const counted = s.sendQueueDrops - before.drops + (s.sendErrors - before.errors);
          const reachedProxy = fromCaller + kernelDrops(proxy.srtPort) >= sentToOrigin;
          if (reachedProxy && atOrigin().length + kernelDrops(origin.port) + counted === fromCaller) return s;
          const seen = { sent: sentToOrigin, fromCaller, delivered: atOrigin().length, originDrops: kernelDrops(origin.port), counted, tally: tally() };
          throw new Error(JSON.stringify(seen));
        },
        WAIT_MS,
        50,
      );
      const t2 = tally()[RULE.TO_ORIGIN]!;
      assert.equal(t2.failed, LIMIT);
      if (isRefusal(errno)) {
        assert.deepEqual([up.sendQueueDrops - before.drops, up.sendErrors - before.errors], [t2.datagrams, 0], JSON.stringify(t2));
      } else {
        assert.deepEqual([up.sendQueueDrops - before.drops, up.sendErrors - before.errors], [0, t2.failed], JSON.stringify(t2));
      }
      assert.equal(marked(atOrigin(), 'UP-AFTER'), AFTER, 'relaying to the origin goes on after the refusals, all of it');

      // The same figures on the metrics surface, and the process is still there to end the session cleanly.
      const metrics = parseExposition((await httpGet(proxy.url('/metrics'))).text);
      assert.equal(sampleValue(metrics, 'srt_proxy_dropped_packets_total', { reason: 'send_queue_full' }), up.sendQueueDrops);
      assert.equal(proxy.exitCode(), null, 'the proxy is still running');
      caller.sendShutdown();
      await caller.flush();
      await waitForNoSessions(proxy, WAIT_MS);
    },
    { timeout: 120_000 },
  );
}
