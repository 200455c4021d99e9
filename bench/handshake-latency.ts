// bench/handshake-latency: the handshake latency the proxy adds.
//
//   npm run bench:handshake-latency [-- --n 200 --warmup 10 --paths slt,proxy-slt,origin,proxy-origin]
//
// A raw caller on node:dgram performs full SRT caller handshakes (INDUCTION -> response -> CONCLUSION with a stream
// id -> CONCLUSION response), each from a fresh UDP socket with a fresh socket id, against:
//   slt           srt-live-transmit 'srt://127.0.0.1:<p>?mode=listener' file://con > /dev/null (libsrt 1.5 listener)
//   proxy-slt     the proxy (node dist/src/main.js) with that srt-live-transmit as its only origin
//   origin        the scripted origin (bench/scripted-origin.js, a node:dgram SRT listener stand-in)
//   proxy-origin  a second proxy in front of the scripted origin
// Paths take turns handshake by handshake, so slow drifts hit all of them alike. The time is from sending the
// first INDUCTION to receiving the CONCLUSION response (libsrt timing: retransmit every 250 ms, give up at 3 s).
//
// srt-live-transmit serves one connection at a time and re-creates its listener when the connection ends; closing
// a connection before it has finished accepting it makes it exit. So after each handshake to it the caller waits for
// "Accepted SRT source connection" on its stderr, sends SHUTDOWN (control type 5, dst = the listener's socket id,
// through the proxy when the handshake went through the proxy), and before the next handshake probes the listener
// with a bare INDUCTION until it answers (not timed). If srt-live-transmit exits anyway it is restarted.

import type dgram from 'node:dgram';
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';
import {
  callerConclusion,
  callerInduction,
  HandshakeType,
  handshakeCookieOf,
  handshakeSocketIdOf,
  handshakeTypeOf,
  isHandshake,
  randomSocketId,
  buildShutdown,
} from '../test/support/srt-packets.js';
import { patchHandshakeCookie } from '../src/srt/protocol/handshake-patch.js';
import { cpuLineSample, cpuSample, pad, percentile, runMain, startProxy } from './lib/system.js';
import { bindUdp, closeUdp, freeUdpPort } from '../test/support/net.js';
import { ManagedProcess, sleep } from '../test/support/process.js';
import type { ProxyProcess } from '../test/support/proxy.js';
import { parseCommandLine } from './lib/options.js';

type PathName = 'slt' | 'proxy-slt' | 'origin' | 'proxy-origin';
const ALL_PATHS: readonly PathName[] = ['slt', 'proxy-slt', 'origin', 'proxy-origin'];
const LABELS: Record<PathName, string> = {
  slt: '(a) srt-live-transmit direct',
  'proxy-slt': '(b) proxy -> srt-live-transmit',
  origin: '(c) scripted origin direct',
  'proxy-origin': '(d) proxy -> scripted origin',
};
const STREAM_ID = '#!::r=live/bench,m=publish';
const HOST = '127.0.0.1';

interface Options {
  n: number;
  warmup: number;
  paths: PathName[];
}

function parseOptions(argv: readonly string[]): Options {
  const o = parseCommandLine<Options>(argv, { n: 200, warmup: 10, paths: [...ALL_PATHS] }, {
    n: (o, v) => (o.n = Number(v)),
    warmup: (o, v) => (o.warmup = Number(v)),
    paths: (o, v) => (o.paths = v.split(',') as PathName[]),
  });
  if (!(Number.isInteger(o.n) && o.n >= 1 && o.n <= 5000)) throw new Error('--n: 1..5000');
  if (!(Number.isInteger(o.warmup) && o.warmup >= 0 && o.warmup <= 1000)) throw new Error('--warmup: 0..1000');
  if (o.paths.length === 0 || o.paths.some((p) => !ALL_PATHS.includes(p))) throw new Error(`--paths: ${ALL_PATHS.join(',')}`);
  return o;
}

// ---------------------------------------------------------------------------------------------------------------
// srt-live-transmit

class SrtLiveTransmit {
  accepted = 0;
  restarts = 0;
  private child: ManagedProcess | undefined;

  constructor(readonly port: number) {}

  start(): void {
    const child = new ManagedProcess('srt-live-transmit', 'srt-live-transmit', [`srt://${HOST}:${this.port}?mode=listener`, 'file://con'], {
      stdin: 'pipe',
      stdout: 'ignore', // the "> /dev/null": no data is ever sent anyway
    });
    createInterface({ input: child.child.stderr! }).on('line', (line) => {
      if (line.includes('Accepted SRT')) this.accepted++;
    });
    this.child = child;
  }

  get running(): boolean {
    return this.child?.running ?? false;
  }

  get pid(): number | undefined {
    return this.child?.running ? this.child.pid : undefined;
  }

  /** Restarts it if it exited (counted). */
  async ensureRunning(): Promise<void> {
    if (this.running) return;
    if (this.restarts >= 20) throw new Error(`srt-live-transmit keeps exiting: ${this.child?.stderr.trim()}`);
    this.restarts++;
    this.start();
    await sleep(20);
  }

  /** Waits for its stderr to report `count` accepted connections (at most `timeoutMs`). */
  async waitAccepted(count: number, timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    while (this.accepted < count) {
      if (performance.now() > deadline || !this.running) return false;
      await sleep(1);
    }
    return true;
  }

  async stop(): Promise<void> {
    await this.child?.stop('SIGTERM', 3000);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The caller

interface HandshakeResult {
  readonly outcome: 'ok' | 'rejected' | 'timeout';
  readonly totalMs: number;
  readonly inductionMs: number;
  readonly conclusionMs: number;
  /** Datagrams sent: 2 when nothing had to be retransmitted. */
  readonly sent: number;
  readonly peerSocketId: number;
  readonly socket: dgram.Socket;
}

async function openSocket(): Promise<dgram.Socket> {
  const socket = await bindUdp(HOST);
  socket.on('error', () => undefined);
  return socket;
}

/** One full caller handshake from a fresh socket and socket id; the socket is handed back open. */
async function handshake(port: number): Promise<HandshakeResult> {
  const socket = await openSocket();
  const socketId = randomSocketId();
  const induction = callerInduction(socketId);
  // Built before the clock starts; only the cookie is patched in when the INDUCTION answer arrives.
  const conclusion = callerConclusion(socketId, 0, STREAM_ID);
  return new Promise((resolveResult) => {
    let out = induction;
    let sent = 0;
    let inductionAt = 0;
    const t0 = performance.now();
    const finish = (outcome: HandshakeResult['outcome'], peerSocketId: number): void => {
      const now = performance.now();
      clearInterval(retry);
      socket.removeAllListeners('message');
      resolveResult({
        outcome,
        totalMs: now - t0,
        inductionMs: inductionAt === 0 ? Number.NaN : inductionAt - t0,
        conclusionMs: inductionAt === 0 ? Number.NaN : now - inductionAt,
        sent,
        peerSocketId,
        socket,
      });
    };
    const send = (): void => {
      sent++;
      socket.send(out, port, HOST);
    };
    const retry = setInterval(() => (performance.now() - t0 >= 3000 ? finish('timeout', 0) : send()), 250);
    socket.on('message', (msg) => {
      if (!isHandshake(msg)) return;
      const type = handshakeTypeOf(msg);
      if (out === induction && type === HandshakeType.INDUCTION) {
        inductionAt = performance.now();
        patchHandshakeCookie(conclusion, handshakeCookieOf(msg));
        out = conclusion;
        send();
      } else if (out !== induction && type === HandshakeType.CONCLUSION) {
        finish('ok', handshakeSocketIdOf(msg));
      } else if (type >= 1000 && type !== HandshakeType.CONCLUSION) {
        finish('rejected', 0);
      }
    });
    send();
  });
}

/** Sends INDUCTIONs to a listener until one is answered (the listener is ready). Not timed. */
async function probeListener(probe: dgram.Socket, port: number, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const answered = new Promise<boolean>((resolveProbe) => {
      const timer = setTimeout(() => {
        probe.removeListener('message', onMessage);
        resolveProbe(false);
      }, 20);
      const onMessage = (msg: Buffer): void => {
        if (isHandshake(msg) && handshakeTypeOf(msg) === HandshakeType.INDUCTION) {
          clearTimeout(timer);
          probe.removeListener('message', onMessage);
          resolveProbe(true);
        }
      };
      probe.on('message', onMessage);
    });
    probe.send(callerInduction(randomSocketId()), port, HOST);
    if (await answered) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------------------------

interface PathState {
  readonly name: PathName;
  /** Where the caller sends. */
  readonly port: number;
  /** The srt-live-transmit behind this path, if any. */
  readonly slt: SrtLiveTransmit | undefined;
  readonly results: HandshakeResult[];
  failures: number;
  retransmitted: number;
}

async function runOne(path: PathState, probe: dgram.Socket, record: boolean): Promise<void> {
  if (path.slt !== undefined) {
    await path.slt.ensureRunning();
    if (!(await probeListener(probe, path.slt.port, 3000))) {
      await path.slt.stop();
      await path.slt.ensureRunning();
      if (!(await probeListener(probe, path.slt.port, 3000))) throw new Error('srt-live-transmit does not answer INDUCTION');
    }
  }
  const acceptedBefore = path.slt?.accepted ?? 0;
  const result = await handshake(path.port);
  if (result.outcome === 'ok') {
    // srt-live-transmit exits if the connection breaks before it has taken it: let it finish accepting first.
    if (path.slt !== undefined) await path.slt.waitAccepted(acceptedBefore + 1, 2000);
    await new Promise<void>((resolveSend) => result.socket.send(buildShutdown(result.peerSocketId, 0), path.port, HOST, () => resolveSend()));
  }
  await closeUdp(result.socket);
  if (!record) return;
  if (result.outcome !== 'ok') {
    path.failures++;
    if (path.failures > 5) throw new Error(`${LABELS[path.name]}: more than 5 failed handshakes (last: ${result.outcome})`);
    return;
  }
  if (result.sent > 2) path.retransmitted++;
  path.results.push(result);
}

function summary(results: readonly HandshakeResult[]): { p50: number; p99: number; max: number; mean: number; ind50: number; conc50: number } {
  const total = results.map((r) => r.totalMs).sort((x, y) => x - y);
  const ind = results.map((r) => r.inductionMs).sort((x, y) => x - y);
  const conc = results.map((r) => r.conclusionMs).sort((x, y) => x - y);
  return {
    p50: percentile(total, 50),
    p99: percentile(total, 99),
    max: total[total.length - 1] ?? Number.NaN,
    mean: total.reduce((s, x) => s + x, 0) / total.length,
    ind50: percentile(ind, 50),
    conc50: percentile(conc, 50),
  };
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const children: { stop(): Promise<void> }[] = [];
  const probe = await openSocket();
  try {
    const paths: PathState[] = [];
    let slt: SrtLiveTransmit | undefined;
    if (opts.paths.includes('slt') || opts.paths.includes('proxy-slt')) {
      slt = new SrtLiveTransmit(await freeUdpPort(HOST));
      slt.start();
      children.push(slt);
      if (!(await probeListener(probe, slt.port, 5000))) throw new Error('srt-live-transmit did not start listening');
    }
    let originPort = 0;
    let origin: ManagedProcess | undefined;
    if (opts.paths.includes('origin') || opts.paths.includes('proxy-origin')) {
      const scripted = new ManagedProcess('scripted-origin', process.execPath, [resolve('dist/bench/scripted-origin.js'), '--host', HOST], {
        stdin: 'pipe',
        stdout: 'lines',
      });
      origin = scripted;
      children.push({ stop: async () => void (await scripted.stop('SIGTERM', 5000)) });
      originPort = Number((await origin.nextLine(/^listening /, 10_000)).split(' ')[1]);
    }
    const proxies: ProxyProcess[] = [];
    for (const name of opts.paths) {
      if (name === 'slt') paths.push({ name, port: slt!.port, slt, results: [], failures: 0, retransmitted: 0 });
      if (name === 'origin') paths.push({ name, port: originPort, slt: undefined, results: [], failures: 0, retransmitted: 0 });
      if (name === 'proxy-slt' || name === 'proxy-origin') {
        const proxy = await startProxy(`${HOST}:${name === 'proxy-slt' ? slt!.port : originPort}`);
        proxies.push(proxy);
        children.push({ stop: () => proxy.stop(10_000) });
        paths.push({ name, port: proxy.srtPort, slt: name === 'proxy-slt' ? slt : undefined, results: [], failures: 0, retransmitted: 0 });
      }
    }

    const ourPids = (): number[] =>
      [process.pid, slt?.pid, ...proxies.map((p) => p.pid), origin?.pid].filter((x): x is number => x !== undefined);
    const ourCpu = (): number => ourPids().reduce((sum, pid) => sum + cpuSample(pid).statSeconds, 0);
    console.log(`handshake-latency: full SRT caller handshakes (INDUCTION..CONCLUSION response), fresh UDP socket and socket id each`);
    console.log(`  node ${process.version}; N=${opts.n} per path after ${opts.warmup} warm-up handshakes; paths take turns; stream id ${STREAM_ID}`);
    const m0 = cpuLineSample('all');
    const o0 = ourCpu();
    const proxyCpu0 = proxies.map((p) => cpuSample(p.pid).statSeconds);
    const w0 = performance.now();
    for (let i = 0; i < opts.warmup + opts.n; i++) {
      for (const path of paths) await runOne(path, probe, i >= opts.warmup);
    }
    const others = (cpuLineSample('all').task - m0.task - (ourCpu() - o0)) / ((performance.now() - w0) / 1000);
    // The proxy's own CPU per handshake it carried (warm-up included; /proc ticks are 10 ms, so use a large N).
    const proxyCpuUs = proxies.map((p, i) => ((cpuSample(p.pid).statSeconds - proxyCpu0[i]!) * 1e6) / (opts.warmup + opts.n));
    for (const proxy of proxies) {
      const stats = await proxy.getJson<{ handshakes: { accepted: number; rejected: Record<string, number> } }>('/api/v1/stats');
      if (Object.keys(stats.handshakes.rejected).length > 0) console.log(`  note: proxy rejected ${JSON.stringify(stats.handshakes.rejected)}`);
    }

    console.log('');
    console.log(`path                              |  p50 ms |  p99 ms |  max ms | mean ms | induction p50 | conclusion p50 | retransmitted | failed`);
    console.log(`----------------------------------+---------+---------+---------+---------+---------------+----------------+---------------+-------`);
    const sums = new Map<PathName, ReturnType<typeof summary>>();
    const f = (x: number, w: number): string => pad(Number.isFinite(x) ? x.toFixed(3) : '-', w);
    for (const path of paths) {
      const s = summary(path.results);
      sums.set(path.name, s);
      console.log(
        `${pad(LABELS[path.name], 33, true)} | ${f(s.p50, 7)} | ${f(s.p99, 7)} | ${f(s.max, 7)} | ${f(s.mean, 7)} | ${f(s.ind50, 13)} | ${f(s.conc50, 14)} | ` +
          `${pad(path.retransmitted, 13)} | ${pad(path.failures, 6)}`,
      );
    }
    const diff = (label: string, a: PathName, b: PathName): void => {
      const x = sums.get(a);
      const y = sums.get(b);
      if (!x || !y) return;
      console.log(
        `${pad(label, 33, true)} | ${f(y.p50 - x.p50, 7)} | ${f(y.p99 - x.p99, 7)} | ${f(y.max - x.max, 7)} | ${f(y.mean - x.mean, 7)} | ` +
          `${f(y.ind50 - x.ind50, 13)} | ${f(y.conc50 - x.conc50, 14)} |               |`,
      );
    };
    diff('added by the proxy: (b) - (a)', 'slt', 'proxy-slt');
    diff('added by the proxy: (d) - (c)', 'origin', 'proxy-origin');
    console.log('');
    console.log('Differences are between percentiles of the two distributions (not percentiles of differences).');
    if (slt !== undefined) console.log(`srt-live-transmit restarts: ${slt.restarts}`);
    for (const [i, proxy] of proxies.entries()) {
      console.log(`proxy CPU per handshake (pid ${proxy.pid}): ${proxyCpuUs[i]!.toFixed(0)} us (whole process, /proc/<pid>/stat)`);
    }
    console.log(`other processes on the machine used ${(Math.max(0, others) * 100).toFixed(0)}% of a core during the run`);
    if (others > 0.1) console.log('!!! the machine was not quiet: the figures are disturbed; run again on an idle machine !!!');
  } finally {
    await closeUdp(probe);
    for (const child of children.reverse()) await child.stop();
  }
}

runMain('handshake-latency', main);
