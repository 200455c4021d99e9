// bench/abuse-cpu: what handshake abuse costs the proxy (docs/ABUSE.md), and what a handshake flood does to a stream.
//
//   npm run bench:abuse [-- --n 20000 --accepted 2000 --relay-rate 20k --flood-rate 50k --seconds 5 --rounds 2 --no-pin]
//
// 1. CPU per event: the proxy (`node dist/src/main.js`, alone on CPU 0 when there are 2+ CPUs) in front of a scripted
//    origin in this process; this process sends N events of one kind from 127.0.0.1 in paced batches until the
//    proxy's own count (its /api/v1/stats) stops moving. Cost = proxy CPU (utime+stime) over the window, minus its
//    idle CPU over the same time, / events counted. Kinds: INDUCTION answered; CONCLUSION refused after parsing (a new bad stream
//    id each); CONCLUSION refused from the negative cache (the same bad stream id redialed); CONCLUSION over the
//    source's budget (dropped); CONCLUSION with a forged cookie (dropped); junk (random bytes to a socket id that does
//    not exist, and runts); CONCLUSION accepted (session opened, origin handshake relayed; M of them).
// 2. Relay loss: bench/udp-blast.c publishes 1332-byte data packets at --relay-rate through the proxy to the scripted
//    origin for --seconds, alone and then with bench/handshake-flood.c sending --flood-rate handshakes/s (INDUCTIONs
//    and forged CONCLUSIONs in turn, from 256 loopback addresses) at the same time. Loss = 1 - received/sent.
// 3. Memory: the per-source handshake table (default capacity) and the negative cache after 1,000,000 distinct
//    sources, heap measured in this process after a full GC (needs --expose-gc, which the npm script passes).

import { randomBytes } from 'node:crypto';
import type dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { envSchema } from '../src/config/config.schema.js';
import { NegativeCache, negativeCacheKey } from '../src/srt/abuse/negative-cache.js';
import { sourceKeyOf } from '../src/srt/abuse/source-key.js';
import { SourceLimiter } from '../src/srt/abuse/source-limiter.js';
import { bindUdp, closeUdp } from '../test/support/net.js';
import { ManagedProcess, sleep, waitFor } from '../test/support/process.js';
import { udpDropsByPort } from '../test/support/procfs.js';
import type { ProxyProcess, ProxyStats } from '../test/support/proxy.js';
import { ScriptedOrigin } from '../test/support/scripted-origin.js';
import { callerConclusion, callerInduction, handshakeCookieOf, handshakeTypeOf, isHandshake, randomSocketId } from '../test/support/srt-packets.js';
import { clkTck, cpuSample, pad, pinning, pinProcess, runMain, startProxy } from './lib/system.js';
import { compileCTools } from './lib/c-tools.js';
import { parseCommandLine, parseCount } from './lib/options.js';

interface Options {
  n: number;
  accepted: number;
  relayRate: number;
  floodRate: number;
  seconds: number;
  rounds: number;
  pin: boolean;
  parts: string[];
}

function parseOptions(argv: readonly string[]): Options {
  const defaults: Options = { n: 20_000, accepted: 2000, relayRate: 20_000, floodRate: 50_000, seconds: 5, rounds: 2, pin: true, parts: ['cpu', 'relay', 'memory'] };
  const o = parseCommandLine(argv, defaults, {
    n: (o, v) => (o.n = parseCount(v)),
    accepted: (o, v) => (o.accepted = parseCount(v)),
    'relay-rate': (o, v) => (o.relayRate = parseCount(v)),
    'flood-rate': (o, v) => (o.floodRate = parseCount(v)),
    seconds: (o, v) => (o.seconds = Number(v)),
    rounds: (o, v) => (o.rounds = Number(v)),
    'no-pin': { switch: (o) => (o.pin = false) },
    parts: (o, v) => (o.parts = v.split(',')),
  });
  if (!(o.n >= 100 && o.n <= 1_000_000)) throw new Error('--n: 100..1000000');
  if (!(o.accepted >= 10 && o.accepted <= 9000)) throw new Error('--accepted: 10..9000 (under MAX_SESSIONS)');
  if (!(o.relayRate >= 100 && o.relayRate <= 200_000 && o.floodRate >= 100 && o.floodRate <= 500_000)) throw new Error('rates out of range');
  if (!(o.seconds > 0 && o.seconds <= 30 && Number.isInteger(o.rounds) && o.rounds >= 1 && o.rounds <= 5)) throw new Error('--seconds 0..30, --rounds 1..5');
  return o;
}

// ---------------------------------------------------------------------------------------------------------------
// 1. CPU per event

interface EventKind {
  readonly name: string;
  /** The proxy's own count of this kind, read from /api/v1/stats. */
  readonly counted: (s: ProxyStats) => number;
  /** The i-th datagram to send. */
  readonly packet: (i: number, cookie: number) => Buffer;
  /** Proxy settings this kind needs. */
  readonly env?: Record<string, string>;
}

const BAD_MODE = (i: number): string => `#!::r=live/refused${i},m=bogus`;
const rejected = (s: ProxyStats, code: number): number => s.handshakes.rejected[String(code)] ?? 0;

function eventKinds(): EventKind[] {
  const junk = randomBytes(1316);
  return [
    { name: 'INDUCTION answered', counted: (s) => s.handshakes.inductions, packet: () => callerInduction(randomSocketId()) },
    {
      name: 'CONCLUSION refused, parsed (2400)',
      counted: (s) => rejected(s, 2400),
      packet: (i, cookie) => callerConclusion(randomSocketId(), cookie, BAD_MODE(i)),
    },
    {
      name: 'CONCLUSION refused from cache',
      counted: (s) => s.sources.cachedRejectionsSent + (rejected(s, 2400) > 0 ? 1 : 0),
      packet: (_i, cookie) => callerConclusion(randomSocketId(), cookie, BAD_MODE(0)),
    },
    {
      name: 'CONCLUSION over budget, dropped',
      counted: (s) => s.drops.rateLimited,
      packet: (i, cookie) => callerConclusion(randomSocketId(), cookie, BAD_MODE(i)),
      env: { HANDSHAKE_RATE_PER_SOURCE: '1', HANDSHAKE_BURST_PER_SOURCE: '1' },
    },
    {
      name: 'CONCLUSION forged cookie, dropped',
      counted: (s) => s.drops.badCookie,
      packet: (i, cookie) => callerConclusion(randomSocketId(), (cookie ^ 0x5a5a5a5a) >>> 0 || 1, BAD_MODE(i)),
    },
    {
      name: 'junk datagram, dropped',
      counted: (s) => s.drops.unknownSession + s.drops.malformed,
      // Every other one a 1332-byte "data packet" for a socket id nobody has, else a 7-byte runt.
      packet: (i) => {
        if (i % 2 === 1) return junk.subarray(0, 7);
        const p = Buffer.from(junk);
        p.writeUInt32BE(i & 0x7fffffff, 0);
        p.writeUInt32BE(0x7fff0000 + (i % 65536), 12);
        return Buffer.concat([p, Buffer.alloc(16)]);
      },
    },
  ];
}

async function cookieFor(socket: dgram.Socket, port: number): Promise<number> {
  let cookie: number | undefined;
  const onMessage = (p: Buffer): void => {
    if (isHandshake(p) && handshakeTypeOf(p) === 1) cookie = handshakeCookieOf(p);
  };
  socket.on('message', onMessage);
  for (let i = 0; i < 20 && cookie === undefined; i++) {
    socket.send(callerInduction(randomSocketId()), port, '127.0.0.1');
    await sleep(100);
  }
  socket.off('message', onMessage);
  if (cookie === undefined) throw new Error('no INDUCTION answer from the proxy');
  return cookie;
}

/** Sends `count` packets in batches of 100, at most `ratePerSecond`, so the proxy's receive queue never overflows. */
async function sendPaced(socket: dgram.Socket, port: number, count: number, ratePerSecond: number, packet: (i: number) => Buffer): Promise<void> {
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    socket.send(packet(i), port, '127.0.0.1');
    if (i % 100 === 99) {
      const wait = started + ((i + 1) / ratePerSecond) * 1000 - performance.now();
      await new Promise((r) => (wait > 1 ? setTimeout(r, wait) : setImmediate(r)));
    }
  }
}

/** Events per second the bench sends: well under what the proxy handles, so that few are lost on a busy machine. */
const SEND_RATE = 10_000;

/** The proxy's count once it has not moved for 300 ms (at most 60 s). */
async function settledCount(proxy: ProxyProcess, counted: (s: ProxyStats) => number): Promise<number> {
  let last = -1;
  let still = 0;
  const deadline = performance.now() + 60_000;
  while (still < 3 && performance.now() < deadline) {
    const now = counted(await proxy.stats());
    still = now === last ? still + 1 : 0;
    last = now;
    await sleep(100);
  }
  return last;
}

interface CostRow {
  readonly name: string;
  readonly n: number;
  readonly usPerEvent: number;
  readonly wallSeconds: number;
}

async function idleRate(pid: number): Promise<number> {
  const a = cpuSample(pid);
  await sleep(1000);
  const b = cpuSample(pid);
  return (b.statSeconds - a.statSeconds) / ((b.at - a.at) / 1000);
}

async function measureKind(kind: EventKind, n: number, prefix: string[]): Promise<CostRow> {
  const origin = await ScriptedOrigin.create({ record: false });
  const proxy = await startProxy(`127.0.0.1:${origin.port}`, { prefix, env: { MAX_SESSIONS_PER_SOURCE: '0', HANDSHAKE_RATE_PER_SOURCE: '0', ...kind.env } });
  const socket = await bindUdp('127.0.0.1');
  socket.on('message', () => undefined);
  try {
    const cookie = await cookieFor(socket, proxy.srtPort);
    // Warm-up (JIT), not measured: a tenth of the events.
    const before0 = kind.counted(await proxy.stats());
    await sendPaced(socket, proxy.srtPort, Math.ceil(n / 10), SEND_RATE, (i) => kind.packet(n + i, cookie));
    if ((await settledCount(proxy, kind.counted)) === before0) throw new Error(`${kind.name}: the proxy counted none of the warm-up`);
    const idle = await idleRate(proxy.pid);
    const before = kind.counted(await proxy.stats());
    await sleep(200);
    const a = cpuSample(proxy.pid);
    await sendPaced(socket, proxy.srtPort, n, SEND_RATE, (i) => kind.packet(i, cookie));
    // Whatever the kernel dropped on a busy machine is never counted: the window ends when the count stops moving.
    const counted = (await settledCount(proxy, kind.counted)) - before;
    const b = cpuSample(proxy.pid);
    const wall = (b.at - a.at) / 1000;
    const cpu = b.statSeconds - a.statSeconds - idle * wall;
    return { name: kind.name, n: counted, usPerEvent: (cpu * 1e6) / counted, wallSeconds: wall };
  } finally {
    await closeUdp(socket);
    await proxy.stop(10_000);
    await origin.close();
  }
}

async function measureAccepted(m: number, prefix: string[]): Promise<CostRow> {
  const origin = await ScriptedOrigin.create({ record: false });
  const proxy = await startProxy(`127.0.0.1:${origin.port}`, { prefix, env: { MAX_SESSIONS_PER_SOURCE: '0', HANDSHAKE_RATE_PER_SOURCE: '0' } });
  const socket = await bindUdp('127.0.0.1');
  let accepted = 0;
  socket.on('message', (p) => {
    if (isHandshake(p) && handshakeTypeOf(p) === 0xffffffff) accepted++;
  });
  try {
    const cookie = await cookieFor(socket, proxy.srtPort);
    const idle = await idleRate(proxy.pid);
    const a = cpuSample(proxy.pid);
    // Slower than the refusals: every session opens a socket and does a handshake with the origin.
    await sendPaced(socket, proxy.srtPort, m, 2000, (i) => callerConclusion(randomSocketId(), cookie, `#!::r=live/accepted${i},m=publish`));
    await waitFor(`${m} accepted handshakes`, () => (accepted >= m ? true : undefined), 60_000, 10);
    const b = cpuSample(proxy.pid);
    const wall = (b.at - a.at) / 1000;
    const cpu = b.statSeconds - a.statSeconds - idle * wall;
    return { name: 'CONCLUSION accepted (session + origin handshake)', n: accepted, usPerEvent: (cpu * 1e6) / accepted, wallSeconds: wall };
  } finally {
    await closeUdp(socket);
    await proxy.stop(10_000);
    await origin.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// 2. Relay loss under a flood

interface Tools {
  readonly blast: string;
  readonly flood: string;
  cleanup(): void;
}

function buildTools(): Tools {
  const c = compileCTools(['udp-blast', 'handshake-flood']);
  return { blast: c.paths['udp-blast'], flood: c.paths['handshake-flood'], cleanup: c.cleanup };
}

interface RelayRow {
  readonly flood: boolean;
  readonly sent: number;
  readonly received: number;
  readonly kernelDrops: number;
  readonly proxyCpuPercent: number;
  readonly floodSent: number;
  readonly floodAnswers: number;
  readonly floodAnswerBytesPerAnswer: number;
}

async function measureRelay(o: Options, tools: Tools, flood: boolean, pin: ReturnType<typeof pinning>): Promise<RelayRow> {
  const origin = await ScriptedOrigin.create({ record: false, keepaliveMs: 1000, receiveBufferBytes: 4 * 1024 * 1024 });
  let proxy: ProxyProcess | undefined;
  let sender: ManagedProcess | undefined;
  try {
    proxy = await startProxy(`127.0.0.1:${origin.port}`, { prefix: pin.prefix(0) });
    const id = randomSocketId();
    const argv = [...pin.prefix(1), tools.blast, '127.0.0.1', String(proxy.srtPort), callerInduction(id).toString('hex'), callerConclusion(id, 0, '#!::r=live/bench,m=publish').toString('hex')];
    sender = new ManagedProcess('udp-blast', argv[0]!, argv.slice(1), { stdin: 'pipe', stdout: 'lines' });
    const connected = await sender.nextLine(/^(connected|failed)/, 5000);
    if (!connected.startsWith('connected')) throw new Error(`udp-blast: ${connected}`);
    sender.write(`blast ${o.relayRate} 1000 ${Math.max(1, Math.round(o.relayRate / 5000))}`); // warm-up
    await sender.nextLine(/^done /, 20_000);
    await sleep(500);
    const received0 = origin.dataPackets;
    const drops0 = udpDropsByPort().get(proxy.srtPort) ?? 0;
    const a = cpuSample(proxy.pid);
    let floodRun: ManagedProcess | undefined;
    if (flood) {
      const forged = callerConclusion(randomSocketId(), 0x12345678, '#!::r=live/flood,m=publish');
      const fargv = [...pin.prefix(1), tools.flood, '127.0.0.1', String(proxy.srtPort), '256', String(o.floodRate), String(Math.round(o.seconds * 1000) + 200), callerInduction(randomSocketId()).toString('hex'), forged.toString('hex')];
      floodRun = new ManagedProcess('handshake-flood', fargv[0]!, fargv.slice(1), { stdout: 'lines' });
      await sleep(100);
    }
    sender.write(`blast ${o.relayRate} ${Math.round(o.seconds * 1000)} ${Math.max(1, Math.round(o.relayRate / 5000))}`);
    const done = await sender.nextLine(/^done /, o.seconds * 1000 + 20_000);
    const floodDone = floodRun === undefined ? '' : await floodRun.nextLine(/^done /, o.seconds * 1000 + 20_000);
    // Drained: nothing more reaches the origin for 200 ms.
    let last = -1;
    for (let i = 0; i < 60 && origin.dataPackets !== last; i++) {
      last = origin.dataPackets;
      await sleep(200);
    }
    const b = cpuSample(proxy.pid);
    const field = (line: string, name: string): number => Number(new RegExp(`${name}=(\\d+)`).exec(line)?.[1] ?? Number.NaN);
    const answers = field(floodDone, 'answers');
    return {
      flood,
      sent: field(done, 'sent'),
      received: origin.dataPackets - received0,
      kernelDrops: (udpDropsByPort().get(proxy.srtPort) ?? 0) - drops0,
      proxyCpuPercent: (100 * (b.statSeconds - a.statSeconds)) / ((b.at - a.at) / 1000),
      floodSent: flood ? field(floodDone, 'sent') : 0,
      floodAnswers: flood ? answers : 0,
      floodAnswerBytesPerAnswer: flood && answers > 0 ? field(floodDone, 'answer_bytes') / answers : 0,
    };
  } finally {
    if (sender !== undefined) {
      sender.write('quit');
      await sender.stop('SIGTERM', 2000);
    }
    await proxy?.stop(10_000);
    await origin.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// 3. Memory after 1,000,000 sources

function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc (npm run bench:abuse does)');
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

const ipv4 = (i: number): string => `${10 + (i >>> 24)}.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`;

function limiterMemory(): string {
  const defaults = envSchema.parse({});
  {
    const base = heapAfterGc();
    const limiter = new SourceLimiter({ ratePerSecond: defaults.HANDSHAKE_RATE_PER_SOURCE, burst: defaults.HANDSHAKE_BURST_PER_SOURCE, capacity: defaults.HANDSHAKE_LIMITER_SOURCES });
    const empty = heapAfterGc();
    let t = 0;
    for (let i = 0; i < 1_000_000; i++) {
      // Half IPv4, half IPv6 /64s, as sourceKeyOf gives them.
      limiter.tryTake(sourceKeyOf(i % 2 === 0 ? ipv4(i) : `2001:db8:${(i >>> 16).toString(16)}:${(i & 0xffff).toString(16)}::1`), (t += 0.01));
    }
    const full = heapAfterGc();
    return (
      `handshake budget table (capacity ${defaults.HANDSHAKE_LIMITER_SOURCES}): ${limiter.size} sources tracked after 1,000,000 distinct; ` +
        `heap ${((empty - base) / 1048576).toFixed(2)} MiB empty, ${((full - base) / 1048576).toFixed(2)} MiB after`
    );
  }
}

function cacheMemory(): string {
  const defaults = envSchema.parse({});
  {
    const base = heapAfterGc();
    const cache = new NegativeCache({ ttlMs: defaults.NEGATIVE_CACHE_MS, capacity: 16_384 });
    const sid = 'c' + 'x'.repeat(60);
    for (let i = 0; i < 1_000_000; i++) cache.remember(negativeCacheKey(ipv4(i), sid + i), 2400, 'bad-stream-id', i / 1000);
    const full = heapAfterGc();
    return `negative cache (16,384 entries, 60-byte stream ids): ${cache.size} held after 1,000,000 distinct refusals; heap ${((full - base) / 1048576).toFixed(2)} MiB`;
  }
}

// ---------------------------------------------------------------------------------------------------------------

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const pin = pinning(o.pin);
  if (pin.enabled && !pinProcess(process.pid, 1)) throw new Error('taskset could not pin the bench process to CPU 1');
  const tools = buildTools();
  try {
    console.log('abuse-cpu: the cost of handshake abuse to the proxy, and a stream under a handshake flood');
    console.log(`  node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model.trim() ?? '?'}), CLK_TCK ${clkTck()}; ${pin.enabled ? 'proxy alone on CPU 0, everything else on CPU 1' : pin.note}`);
    if (o.parts.includes('cpu')) {
    console.log('');
    console.log(`1. proxy CPU per event (idle CPU subtracted), ${o.rounds} round(s), N=${o.n} (accepted: ${o.accepted})`);
    const kinds = eventKinds();
    const costs = new Map<string, number[]>();
    for (let round = 0; round < o.rounds; round++) {
      for (const kind of kinds) {
        const row = await measureKind(kind, o.n, pin.prefix(0));
        costs.set(row.name, [...(costs.get(row.name) ?? []), row.usPerEvent]);
        console.log(`   round ${round + 1}: ${pad(row.name, 50, true)} ${pad(row.usPerEvent.toFixed(2), 8)} us  (${row.n} in ${row.wallSeconds.toFixed(2)} s)`);
      }
      const acc = await measureAccepted(o.accepted, pin.prefix(0));
      costs.set(acc.name, [...(costs.get(acc.name) ?? []), acc.usPerEvent]);
      console.log(`   round ${round + 1}: ${pad(acc.name, 50, true)} ${pad(acc.usPerEvent.toFixed(2), 8)} us  (${acc.n} in ${acc.wallSeconds.toFixed(2)} s)`);
    }
    console.log('   medians:');
    for (const [name, xs] of costs) console.log(`   ${pad(name, 50, true)} ${pad(median(xs).toFixed(2), 8)} us  (${xs.map((x) => x.toFixed(2)).join(', ')})`);
    }
    if (o.parts.includes('relay')) {
    console.log('');
    console.log(`2. relay of ${o.relayRate} packets/s for ${o.seconds} s, without and with ${o.floodRate} handshakes/s (INDUCTION + forged CONCLUSION, 256 sources)`);
    console.log('   flood |    sent received   loss | kernel drops | proxy CPU | flood sent  answers  bytes/answer');
    for (let round = 0; round < o.rounds; round++) {
      for (const flood of [false, true]) {
        const r = await measureRelay(o, tools, flood, pin);
        const loss = (100 * (r.sent - r.received)) / r.sent;
        console.log(
          `   ${pad(flood ? 'yes' : 'no', 5, true)} | ${pad(r.sent, 7)} ${pad(r.received, 8)} ${pad(loss.toFixed(2) + '%', 6)} | ${pad(r.kernelDrops, 12)} | ` +
            `${pad(r.proxyCpuPercent.toFixed(0) + '%', 9)} | ${pad(r.floodSent, 10)} ${pad(r.floodAnswers, 8)} ${pad(r.floodAnswerBytesPerAnswer.toFixed(0), 13)}`,
        );
      }
    }

    }
    if (o.parts.includes('memory')) {
    console.log('');
    console.log('3. memory after 1,000,000 distinct sources (heap after a full GC, this process)');
    for (const row of [limiterMemory(), cacheMemory()]) console.log(`   ${row}`);
    }
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    console.log('');
    console.log(`load average at the end: ${load} (on ${cpus().length} CPUs; figures from a busy machine are inflated)`);
  } finally {
    tools.cleanup();
  }
}

runMain('abuse-cpu', main);
