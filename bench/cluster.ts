// bench/cluster: what the cluster features cost.
//
//   npm run bench:cluster [-- --n 2000 --concurrency 8 --rounds 3 --flood 50000 --rate 20000 --providers memory,redis]
//
// 1. Handshakes: a raw node:dgram caller pool (`--concurrency` in flight) does `--n` full caller handshakes, each a
//    NEW stream id (so each one claims an assignment), through the proxy in front of a scripted origin, and ends each
//    session with SHUTDOWN. Per provider (memory, and redis on a redis-server this bench starts): handshakes per
//    second, latency p50/p99 (first INDUCTION sent -> CONCLUSION response), and Redis round trips per handshake
//    (EVALSHA+EVAL calls in INFO commandstats before/after, over the handshakes: every proxy command is a script;
//    the proxy's once-a-second origin sync and its batched renewals in the window are included, an upper bound). `--rounds` rounds with the
//    providers taking turns; the table shows medians.
// 2. Flood: bench/udp-blast.c (gcc -O2) relays a live stream at `--rate` packets/s through the proxy while the
//    caller pool (`--flood-concurrency 32` in flight) floods `--flood` distinct stream ids (each a full handshake then SHUTDOWN, so each leaves a key in
//    its grace period). Loss of the live stream = 1 - received at the origin / sent, with and without the flood.

import type dgram from 'node:dgram';
import { resolve } from 'node:path';
import { ScriptedOrigin } from '../test/support/scripted-origin.js';
import {
  buildShutdown,
  callerConclusion,
  callerInduction,
  HandshakeType,
  handshakeCookieOf,
  handshakeSocketIdOf,
  handshakeTypeOf,
  isHandshake,
  randomSocketId,
} from '../test/support/srt-packets.js';
import { pad, percentile, runMain, startProxy } from './lib/system.js';
import { bindUdp, closeUdp } from '../test/support/net.js';
import { udpDropsByPort } from '../test/support/procfs.js';
import { ManagedProcess, sleep } from '../test/support/process.js';
import type { ProxyProcess } from '../test/support/proxy.js';
import { RedisServer } from '../test/support/redis-server.js';
import { compileCTools } from './lib/c-tools.js';
import { parseCommandLine } from './lib/options.js';

type Provider = 'memory' | 'redis';

interface Options {
  n: number;
  concurrency: number;
  rounds: number;
  flood: number;
  rate: number;
  providers: Provider[];
  parts: ('handshakes' | 'flood')[];
  floodConcurrency: number;
}

function parseOptions(argv: readonly string[]): Options {
  const defaults: Options = {
    n: 2000,
    concurrency: 8,
    rounds: 3,
    flood: 50_000,
    rate: 20_000,
    providers: ['memory', 'redis'],
    parts: ['handshakes', 'flood'],
    floodConcurrency: 32,
  };
  const o = parseCommandLine(argv, defaults, {
    n: (o, v) => (o.n = Number(v)),
    concurrency: (o, v) => (o.concurrency = Number(v)),
    rounds: (o, v) => (o.rounds = Number(v)),
    flood: (o, v) => (o.flood = Number(v)),
    rate: (o, v) => (o.rate = Number(v)),
    providers: (o, v) => (o.providers = v.split(',') as Provider[]),
    parts: (o, v) => (o.parts = v.split(',') as Options['parts']),
    'flood-concurrency': (o, v) => (o.floodConcurrency = Number(v)),
  });
  if (!(o.n >= 1 && o.n <= 100_000)) throw new Error('--n: 1..100000');
  if (!(o.concurrency >= 1 && o.concurrency <= 256)) throw new Error('--concurrency: 1..256');
  if (!(o.rounds >= 1 && o.rounds <= 10)) throw new Error('--rounds: 1..10');
  if (!(o.flood >= 0 && o.flood <= 200_000)) throw new Error('--flood: 0..200000');
  if (!(o.rate >= 1000 && o.rate <= 100_000)) throw new Error('--rate: 1000..100000');
  if (o.providers.some((p) => p !== 'memory' && p !== 'redis')) throw new Error('--providers: memory,redis');
  return o;
}

/** One caller socket doing handshakes one after the other, each with a fresh socket id and the given stream id. */
class Caller {
  private waiter: ((msg: Buffer) => void) | undefined;

  private constructor(private readonly socket: dgram.Socket) {
    socket.on('message', (msg) => this.waiter?.(msg));
  }

  static async create(): Promise<Caller> {
    return new Caller(await bindUdp('127.0.0.1'));
  }

  /** Latency in ms of one accepted handshake, or undefined (rejected or timed out after 3 s). */
  async handshake(port: number, streamId: string): Promise<number | undefined> {
    const socketId = randomSocketId();
    const t0 = performance.now();
    const deadline = t0 + 3000;
    const induction = callerInduction(socketId);
    let reply = await this.exchange(induction, port, deadline, (m) => handshakeTypeOf(m) === HandshakeType.INDUCTION);
    if (reply === undefined) return undefined;
    const conclusion = callerConclusion(socketId, handshakeCookieOf(reply), streamId);
    reply = await this.exchange(conclusion, port, deadline, (m) => handshakeTypeOf(m) !== HandshakeType.INDUCTION);
    if (reply === undefined || handshakeTypeOf(reply) !== HandshakeType.CONCLUSION) return undefined;
    const ms = performance.now() - t0;
    this.socket.send(buildShutdown(handshakeSocketIdOf(reply), 0), port, '127.0.0.1');
    return ms;
  }

  /** Sends `packet` every 250 ms until a matching handshake answer arrives or the deadline passes. */
  private exchange(packet: Buffer, port: number, deadline: number, accept: (m: Buffer) => boolean): Promise<Buffer | undefined> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (m: Buffer | undefined): void => {
        clearTimeout(timer);
        this.waiter = undefined;
        resolve(m);
      };
      this.waiter = (m) => {
        if (isHandshake(m) && accept(m)) finish(m);
      };
      const send = (): void => {
        if (performance.now() >= deadline) return finish(undefined);
        this.socket.send(packet, port, '127.0.0.1');
        timer = setTimeout(send, Math.min(250, Math.max(1, deadline - performance.now())));
      };
      send();
    });
  }

  close(): Promise<void> {
    return closeUdp(this.socket);
  }
}

interface HandshakeRun {
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly failed: number;
}

/** `count` handshakes with distinct stream ids through `port`, `concurrency` at a time. */
async function handshakes(port: number, count: number, concurrency: number, tag: string): Promise<HandshakeRun> {
  const callers = await Promise.all(Array.from({ length: concurrency }, () => Caller.create()));
  const latencies: number[] = [];
  let next = 0;
  let failed = 0;
  const t0 = performance.now();
  await Promise.all(
    callers.map(async (caller) => {
      while (next < count) {
        const i = next++;
        const ms = await caller.handshake(port, `#!::r=live/${tag}-${i},m=publish`);
        if (ms === undefined) failed++;
        else latencies.push(ms);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  await Promise.all(callers.map((c) => c.close()));
  latencies.sort((a, b) => a - b);
  return { perSecond: latencies.length / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), failed };
}

/**
 * Round trips the proxy made so far: every proxy command is a script (EVALSHA, or EVAL when Redis lost its script
 * cache), so their calls count them; the commands run inside the scripts are not round trips and are left out.
 */
async function redisCalls(redis: RedisServer): Promise<number> {
  const calls = await redis.commandCalls();
  return (calls.get('evalsha') ?? 0) + (calls.get('eval') ?? 0);
}

function median(values: readonly number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}

async function proxyFor(provider: Provider, origin: { port: number }, redis: RedisServer | undefined, prefix: string): Promise<ProxyProcess> {
  return startProxy(`127.0.0.1:${origin.port}`, {
    env: {
      BALANCER_PROVIDER: provider,
      ...(redis !== undefined ? { REDIS_URL: redis.url, REDIS_KEY_PREFIX: prefix } : {}),
      MAX_SESSIONS: '0',
      // Every caller here is 127.0.0.1: measure the balancer, not the per-source limits (bench:abuse measures those).
      HANDSHAKE_RATE_PER_SOURCE: '0',
      MAX_SESSIONS_PER_SOURCE: '0',
      LOG_LEVEL: 'error',
    },
  });
}

function buildBlast(): { path: string; cleanup: () => void } {
  const c = compileCTools(['udp-blast']);
  return { path: c.paths['udp-blast'], cleanup: c.cleanup };
}

/** The scripted origin as a process of its own, so the flood callers in this process cannot starve its socket. */
class OriginProcess {
  private constructor(
    readonly process: ManagedProcess,
    readonly port: number,
  ) {}

  static async start(): Promise<OriginProcess> {
    const proc = new ManagedProcess('scripted origin', process.execPath, [resolve('dist/bench/scripted-origin.js'), '--max-seconds', '1800', '--rcvbuf', String(4 * 1024 * 1024)], {
      stdin: 'pipe',
      stdout: 'lines',
    });
    const port = Number(/^listening (\d+)/.exec(await proc.nextLine(/^listening /, 5000))?.[1]);
    return new OriginProcess(proc, port);
  }

  async dataPackets(): Promise<number> {
    this.process.write('stats');
    return (JSON.parse((await this.process.nextLine(/^stats /, 5000)).slice(6)) as { dataPackets: number }).dataPackets;
  }

  stop(): Promise<unknown> {
    return this.process.stop('SIGTERM', 2000);
  }
}

/** Datagrams the proxy read from the live stream's caller (the session counter of the caller at `callerPort`). */
async function proxyRead(proxy: ProxyProcess, callerPort: number): Promise<number> {
  const live = (await proxy.sessions()).find((s) => s.caller === `127.0.0.1:${callerPort}`);
  if (live === undefined) throw new Error(`no session of the live caller (port ${callerPort}) in /api/v1/sessions`);
  return live.packetsFromCaller;
}

interface LiveRun {
  readonly sent: number;
  /** Read by the proxy from its public socket. */
  readonly proxyRead: number;
  /** Received by the origin. */
  readonly received: number;
  /** Datagrams the kernel dropped at the origin's socket (its receive buffer was full: the origin process was busy). */
  readonly originDrops: number;
}

/** Relays the live stream in 1 s windows while `during` runs (at least `minWindows`); sent and received totals. */
async function liveLoss(
  blastPath: string,
  proxy: ProxyProcess,
  origin: OriginProcess,
  rate: number,
  during: () => Promise<unknown>,
  minWindows: number,
): Promise<LiveRun> {
  const callerId = randomSocketId();
  const argv = ['127.0.0.1', String(proxy.srtPort), callerInduction(callerId).toString('hex'), callerConclusion(callerId, 0, '#!::r=live/main,m=publish').toString('hex')];
  const sender = new ManagedProcess('udp-blast', blastPath, argv, { stdin: 'pipe', stdout: 'lines' });
  try {
    const connected = await sender.nextLine(/^(connected|failed)/, 5000);
    if (!connected.startsWith('connected')) throw new Error(`live stream handshake failed: ${connected}`);
    const callerPort = Number(/local=(\d+)/.exec(connected)?.[1]);
    sender.write(`blast ${rate} 1000 ${Math.max(1, Math.round(rate / 5000))}`); // warm-up, not counted
    await sender.nextLine(/^done /, 20_000);
    await sleep(300);
    const before = await origin.dataPackets();
    const drops0 = udpDropsByPort().get(origin.port) ?? 0;
    const readBefore = await proxyRead(proxy, callerPort);
    let sent = 0;
    let finished = false;
    const work = during().finally(() => (finished = true));
    for (let w = 0; w < minWindows || !finished; w++) {
      sender.write(`blast ${rate} 1000 ${Math.max(1, Math.round(rate / 5000))}`);
      const done = await sender.nextLine(/^done /, 20_000);
      sent += Number(/sent=(\d+)/.exec(done)?.[1]);
    }
    await work;
    await sleep(500);
    return {
      sent,
      proxyRead: (await proxyRead(proxy, callerPort)) - readBefore,
      received: (await origin.dataPackets()) - before,
      originDrops: (udpDropsByPort().get(origin.port) ?? 0) - drops0,
    };
  } finally {
    sender.write('quit');
    await sender.stop('SIGTERM', 2000);
  }
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const redis = opts.providers.includes('redis') ? await RedisServer.start() : undefined;
  const origin = await ScriptedOrigin.create({ record: false, keepaliveMs: 1000, receiveBufferBytes: 4 * 1024 * 1024 });
  const results = new Map<Provider, { runs: HandshakeRun[]; trips: number[] }>();
  try {
    if (opts.parts.includes('handshakes')) console.log(`handshakes: ${opts.n} per round, each a new stream id, ${opts.concurrency} in flight, ${opts.rounds} rounds`);
    for (let round = 1; round <= (opts.parts.includes('handshakes') ? opts.rounds : 0); round++) {
      for (const provider of round % 2 === 1 ? opts.providers : [...opts.providers].reverse()) {
        const proxy = await proxyFor(provider, origin, provider === 'redis' ? redis : undefined, `bench${round}`);
        try {
          await handshakes(proxy.srtPort, 100, opts.concurrency, `warm${round}`);
          const calls0 = redis !== undefined && provider === 'redis' ? await redisCalls(redis) : 0;
          const run = await handshakes(proxy.srtPort, opts.n, opts.concurrency, `r${round}`);
          // Each redisCalls() is one INFO; renewals and origin syncs during the window are counted too (honest upper bound).
          const calls1 = redis !== undefined && provider === 'redis' ? await redisCalls(redis) : 0;
          const trips = provider === 'redis' ? (calls1 - calls0) / opts.n : 0;
          const entry = results.get(provider) ?? { runs: [], trips: [] };
          entry.runs.push(run);
          entry.trips.push(trips);
          results.set(provider, entry);
          console.log(
            `  round ${round} ${pad(provider, 6, true)} ${pad(run.perSecond.toFixed(0), 6)} hs/s  p50 ${run.p50.toFixed(2)} ms  p99 ${run.p99.toFixed(2)} ms` +
              `  failed ${run.failed}${provider === 'redis' ? `  redis commands/handshake ${trips.toFixed(2)}` : ''}`,
          );
        } finally {
          await proxy.stop();
        }
      }
    }
    if (results.size > 0) console.log('\nprovider   hs/s   p50 ms   p99 ms   redis round trips per handshake   (medians)');
    for (const [provider, { runs, trips }] of results) {
      console.log(
        `${pad(provider, 8, true)} ${pad(median(runs.map((r) => r.perSecond)).toFixed(0), 6)} ${pad(median(runs.map((r) => r.p50)).toFixed(2), 8)} ` +
          `${pad(median(runs.map((r) => r.p99)).toFixed(2), 8)}   ${provider === 'redis' ? median(trips).toFixed(2) : '-'}`,
      );
    }

    if (opts.flood > 0 && opts.parts.includes('flood')) {
      const blast = buildBlast();
      const floodOrigin = await OriginProcess.start();
      try {
        for (const provider of opts.providers) {
          const proxy = await proxyFor(provider, floodOrigin, provider === 'redis' ? redis : undefined, `flood-${provider}`);
          try {
            const quiet = await liveLoss(blast.path, proxy, floodOrigin, opts.rate, () => sleep(3000), 3);
            let floodRun: HandshakeRun | undefined;
            const t0 = performance.now();
            const flooded = await liveLoss(
              blast.path,
              proxy,
              floodOrigin,
              opts.rate,
              async () => (floodRun = await handshakes(proxy.srtPort, opts.flood, opts.floodConcurrency, 'flood')),
              1,
            );
            const floodSeconds = (performance.now() - t0) / 1000;
            const loss = (r: LiveRun): string =>
              `sent ${r.sent}, read by the proxy ${r.proxyRead} (${((100 * (r.sent - r.proxyRead)) / r.sent).toFixed(3)}% lost before the proxy), ` +
              `received at the origin ${r.received} (${((100 * (r.sent - r.received)) / r.sent).toFixed(3)}% lost end to end; ` +
              `${r.originDrops} dropped by the kernel at the origin's socket)`;
            const stats = await proxy.getJson<{ balancer: { streams: number } }>('/api/v1/stats');
            console.log(
              `\nflood (${provider}): live stream at ${opts.rate} pkt/s\n  without flood: ${loss(quiet)}\n` +
                `  during a flood of ${opts.flood} stream ids (${floodRun!.perSecond.toFixed(0)} hs/s, ${floodRun!.failed} failed, ${floodSeconds.toFixed(1)} s): ` +
                `${loss(flooded)}\n  assignments held after: ${stats.balancer.streams}`,
            );
          } finally {
            await proxy.stop();
          }
        }
      } finally {
        blast.cleanup();
        await floodOrigin.stop();
      }
    }
  } finally {
    await closeUdp(origin.socket);
    await redis?.stop();
  }
}

// Ctrl-C or a kill: exit through process.exit so the children (proxies, redis-server, udp-blast) are killed too.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

runMain('bench/cluster', main);
