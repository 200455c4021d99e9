/**
 * Fuzz at the socket: 1,000,000 datagrams (random bytes; real handshakes mutated, truncated or padded; data and
 * control packets aimed at nothing, at socket id 0 and at a live session) from 40 source addresses, while one real
 * session relays. The proxy must stay up, open no session without a valid cookie, never answer a datagram with a
 * larger one (each fuzz socket sends a single length, so every answer it gets is checked against that length), keep
 * the live session relaying, and come back to its baseline heap and fd count.
 */
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { hostPort, httpGet } from '../support/net.js';
import { sleep, waitFor } from '../support/process.js';
import { parseExposition, sampleValue } from '../support/prometheus.js';
import { buildConclusion, buildInduction, KMREQ_AES128_T3, randomSequence, randomSocketId } from '../support/srt-packets.js';
import { allPackets } from '../support/vectors.js';
import { createRng, type Rng } from '../unit/srt/protocol/prng.js';
import { sid } from './support/expect.js';
import { e2eTest } from './support/scope.js';
import { GC_ON_SIGNAL_NODE_ARGS, type ProxyProcess } from '../support/proxy.js';

const TOTAL = Number(process.env.FUZZ_TOTAL ?? 1_000_000);
/** Datagrams handed to the kernel before the sender waits for the last one's callback. */
const BATCH = 400;

interface FuzzSource {
  readonly socket: Socket;
  readonly address: string;
  readonly length: number;
  sent: number;
  answers: number;
  largestAnswer: number;
}

async function heapUsed(proxy: ProxyProcess): Promise<number> {
  const metrics = parseExposition((await httpGet(`http://127.0.0.1:${proxy.httpPort}/metrics`, 5000)).text);
  return sampleValue(metrics, 'nodejs_heap_size_used_bytes');
}

/** A socket bound to `address` and connected to the proxy (connected sends skip the per-datagram address lookup). */
function bindSource(address: string, length: number, port: number): Promise<FuzzSource> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    const source: FuzzSource = { socket, address, length, sent: 0, answers: 0, largestAnswer: 0 };
    socket.on('message', (msg) => {
      source.answers++;
      source.largestAnswer = Math.max(source.largestAnswer, msg.length);
    });
    socket.once('error', reject);
    socket.bind(0, address, () => {
      // The sender keeps this process busy: room for the answers until it reads them, so every one is checked.
      socket.setRecvBufferSize(1 << 20);
      socket.connect(port, '127.0.0.1', () => {
        socket.off('error', reject);
        socket.on('error', () => undefined); // ICMP reports while the proxy drops: not the subject here
        resolve(source);
      });
    });
  });
}

/** Builds one fuzz datagram of exactly `length` bytes. */
function fuzzDatagram(rng: Rng, pool: Buffer, templates: readonly Buffer[], liveDst: number, length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  const randomFill = (from: number): void => {
    if (from >= length) return;
    const at = rng.int(0, pool.length - (length - from));
    pool.copy(out, from, at, at + (length - from));
  };
  const dst = (): number => rng.pick([0, liveDst, rng.u32(), 1]);
  switch (rng.int(0, 5)) {
    case 0: // random bytes
      randomFill(0);
      break;
    case 1: {
      // a real handshake with a few bytes changed (header kept half the time so the parser goes deeper)
      const t = rng.pick(templates);
      const n = Math.min(length, t.length);
      t.copy(out, 0, 0, n);
      randomFill(n);
      const from = rng.bool() ? 0 : Math.min(16, length);
      for (let k = rng.int(1, 8); k > 0 && from < length; k--) out[rng.int(from, length - 1)] = rng.int(0, 255);
      break;
    }
    case 2: {
      // a real handshake cut short, or with trailing junk
      const t = rng.pick(templates);
      const n = Math.min(length, t.length);
      t.copy(out, 0, 0, n);
      randomFill(n);
      break;
    }
    case 3: // a data packet
      randomFill(0);
      if (length >= 16) {
        out[0]! &= 0x7f;
        out.writeUInt32BE(dst(), 12);
      }
      break;
    case 4: // a control packet of any type
      randomFill(0);
      if (length >= 16) {
        out.writeUInt16BE(0x8000 | rng.pick([0, 1, 2, 3, 4, 5, 6, 7, 0x7fff, rng.int(0, 0x7fff)]), 0);
        out.writeUInt32BE(dst(), 12);
      }
      break;
    default: // a handshake header with a random body
      randomFill(0);
      if (length >= 16) {
        out.writeUInt32BE(0x80000000, 0);
        out.writeUInt32BE(0, 12);
      }
      if (length >= 52) out.writeInt32BE(rng.pick([1, -1, 0, 0x7fffffff, -2, rng.u32() | 0]), 52);
  }
  return out;
}

function sendBatch(sources: readonly FuzzSource[], build: (s: FuzzSource) => Buffer, count: number): Promise<void> {
  return new Promise((resolve) => {
    for (let i = 0; i < count; i++) {
      const s = sources[i % sources.length]!;
      s.sent++;
      if (i === count - 1) s.socket.send(build(s), () => resolve());
      else s.socket.send(build(s));
    }
  });
}

e2eTest(
  `fuzz: ${TOTAL.toLocaleString('en')} datagrams at the SRT port: no crash, no session, no amplification, no leak`,
  async (scope) => {
    const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 0x7fffffff);
    console.log(`fuzz: seed ${seed} (FUZZ_SEED=${seed} reproduces the datagrams)`);
    const rng = createRng(seed);
    const origin = await scope.rawOrigin();
    // The live session stays quiet while the fuzz runs: an idle timeout longer than the run keeps it.
    const proxy = await scope.proxy({ origins: [hostPort('127.0.0.1', origin.port)], idleTimeoutMs: 600_000,
      nodeArgs: GC_ON_SIGNAL_NODE_ARGS,
    });

    // One real session relaying through the whole run.
    const caller = await scope.rawCaller();
    const live = await caller.connect({ host: '127.0.0.1', port: proxy.srtPort, streamId: sid('fuzz-live', 'publish') });
    assert.equal(live.outcome, 'accepted', JSON.stringify(live));
    const liveDst = live.peerSocketId!;

    const templates = [
      ...allPackets().map((p) => p.bytes),
      buildInduction(randomSocketId(), randomSequence(), '127.0.0.1', 0),
      buildConclusion({ socketId: randomSocketId(), isn: randomSequence(), cookie: rng.u32(), peerAddress: '127.0.0.1', timestamp: 0, streamId: sid('fuzz', 'publish') }),
      buildConclusion({ socketId: randomSocketId(), isn: randomSequence(), cookie: rng.u32(), peerAddress: '127.0.0.1', timestamp: 0, streamId: sid('fuzz', 'request'), rawExtensions: [KMREQ_AES128_T3] }),
    ];
    assert.ok(templates.length >= 6, `handshake templates: ${templates.length}`);
    const lengths = [...new Set([1, 4, 8, 15, 16, 17, 20, 32, 47, 48, 63, 64, 65, 72, 80, 96, 112, 128, 160, 200, 256, 300, 400, 512, 1000, 1316, 1332, 1456, 1500, ...templates.map((t) => t.length)])]
      .filter((n) => n <= 1500)
      .sort((a, b) => a - b)
      .slice(0, 40);
    const sources: FuzzSource[] = [];
    let closed = false;
    const closeSources = (): void => {
      if (closed) return;
      closed = true;
      for (const s of sources) s.socket.close();
    };
    try {
      for (const [i, length] of lengths.entries()) sources.push(await bindSource(`127.0.1.${i + 1}`, length, proxy.srtPort));
      scope.note(`fuzz sources: ${sources.map((s) => `${s.address}=${s.length}B`).join(' ')}`);
      const pool = rng.bytes(1 << 20);

      await proxy.stats(); // warm the HTTP path before the baseline
      await proxy.collectGarbage();
    const baselineFds = proxy.fds();
      const baselineHeap = await heapUsed(proxy);
      const before = await proxy.stats();

      const t0 = performance.now();
      for (let sent = 0; sent < TOTAL; sent += BATCH) {
        await sendBatch(sources, (s) => fuzzDatagram(rng, pool, templates, liveDst, s.length), Math.min(BATCH, TOTAL - sent));
      }
      const sendMs = performance.now() - t0;
      const total = sources.reduce((n, s) => n + s.sent, 0);
      assert.equal(total, TOTAL);

      // Let the proxy work through its receive buffer: its drop counters stop moving.
      let last = -1;
      const settled = await waitFor(
        'the proxy to finish the datagrams it received',
        async () => {
          const s = await proxy.stats();
          const seen = Object.values(s.drops).reduce((a, b) => a + b, 0) + s.handshakes.inductions;
          const done = seen === last;
          last = seen;
          return done ? s : undefined;
        },
        30_000,
        500,
      );
      const seen = last - (Object.values(before.drops).reduce((a, b) => a + b, 0) + before.handshakes.inductions);
      console.log(
        `fuzz: sent ${total} datagrams in ${sendMs.toFixed(0)} ms (${Math.round(total / (sendMs / 1000))}/s); ` +
          `proxy counted ${seen} (${((100 * seen) / total).toFixed(1)}%, the rest dropped by the kernel); stats ${JSON.stringify(settled)}`,
      );

      // Up, and nothing opened: the only session is the live one, and it still relays.
      assert.equal(proxy.process.exitInfo, undefined, 'the proxy is still running');
      assert.equal((await httpGet(`http://127.0.0.1:${proxy.httpPort}/healthz`)).status, 200);
      assert.equal(settled.sessions.opened, 1, 'no session opened by a fuzz datagram');
      assert.equal(settled.handshakes.accepted, 1);
      assert.equal(settled.sessions.active, 1);
      assert.ok(seen >= TOTAL / 10, `the proxy saw only ${seen} of ${TOTAL} datagrams: the test did not test much`);
      assert.ok(settled.drops.badCookie > 0 && settled.drops.malformed > 0 && settled.drops.unknownSession > 0, JSON.stringify(settled.drops));
      assert.ok(settled.drops.foreignAddress > 0, 'datagrams aimed at the live session from other addresses were dropped');
      const originData = origin.dataPackets;
      caller.sendData(10);
      await waitFor('the live session to relay after the fuzz', () => (origin.dataPackets >= originData + 10 ? true : undefined), 5000, 50);

      // No answer larger than what its source sent.
      await sleep(500); // answers still in flight
      const answered = sources.filter((s) => s.answers > 0);
      console.log(`fuzz: answers ${answered.map((s) => `${s.length}B<-${s.answers}x(max ${s.largestAnswer}B)`).join(' ')}`);
      assert.ok(answered.length > 0, 'some fuzz handshakes were answered (the check below has something to check)');
      for (const s of sources) {
        assert.ok(s.largestAnswer <= s.length, `source ${s.address} sent ${s.length}-byte datagrams and got a ${s.largestAnswer}-byte answer`);
      }

      // Heap and fds back to the baseline.
      closeSources();
      // Measured after a full GC: live data only (8 MB for JIT code and caches warming further); per-datagram or
      // per-source state kept for the ~450,000 datagrams handled would be well beyond this.
      const heapSlack = 8 * 1024 * 1024;
      const heap = await waitFor(
        'the heap back near its baseline',
        async () => {
          await proxy.collectGarbage();
          const h = await heapUsed(proxy);
          return h <= baselineHeap + heapSlack ? h : undefined;
        },
        20_000,
        500,
      ).catch(() => heapUsed(proxy));
      // An HTTP keep-alive connection of the checks above may still be open (the server closes it after 5 s idle).
      const fds = await waitFor(
        'fds back to the baseline',
        () => {
          const f = proxy.fds();
          return f.total <= baselineFds.total ? f : undefined;
        },
        10_000,
        200,
      ).catch(() => proxy.fds());
      console.log(`fuzz: heap ${(baselineHeap / 1e6).toFixed(1)} MB before, ${(heap / 1e6).toFixed(1)} MB after; fds ${baselineFds.total} before, ${fds.total} after`);
      assert.ok(heap <= baselineHeap + heapSlack, `heap ${heap} vs baseline ${baselineHeap}`);
      assert.ok(fds.total <= baselineFds.total, `fds ${fds.total} vs baseline ${baselineFds.total}`);
    } finally {
      // Open sockets would keep the test process alive after a failure.
      closeSources();
    }
  },
  { timeout: 180_000 },
);
