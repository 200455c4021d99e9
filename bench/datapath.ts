// bench/datapath: the proxy's two data paths (DATA_PATH=native|js) and its workers (WORKERS=N) beside a raw C relay,
// in one run, every figure also as a ratio to the C reference of the same row (issue 7).
//
//   npm run bench:datapath [-- --duration 5 --warmup 1 --rates 20k,50k,80k --sessions 1,100 --targets direct,c-ref,native,js
//                             --both-rate 50k --workers-rate 120k --workers-sessions 100
//                             --workers-targets c-ref,native-w1,native-w2 --parts up,both,workers,handshake
//                             --hs-n 500 --hs-in-flight 64 --hs-warmup 2000 --hs-trace <dir> --repeat 1 --rcvbuf 4194304 --origin-buf 2097152 --batch-us 200
//                             --log-level info --no-pin --log-dir <dir>]
//
// Targets: direct = no relay, the callers talk to the origin itself (what the load generator and the sink carry on
// their own: the ceiling of every other row); c-ref = bench/c-relay.c (recvmmsg/sendmmsg, one connected origin socket per caller 4-tuple, no SRT logic);
// native / js = the proxy (node dist/src/main.js) with DATA_PATH=native / js and WORKERS=1; native-w2 (js-w2, ...) =
// the proxy with WORKERS=2. The data path a proxy really runs is read back (GET /api/v1/stats `dataPath`, else its
// start-up log line `data path: ...`) and printed in every row: a fallback to js never passes as native.
//
// Parts (one fresh origin, target and load generator per part, target and round; a warm-up blast first):
//   up        K sessions (--sessions) publish 1332-byte datagrams caller -> origin at each of --rates packets/s
//   both      K=1, --both-rate each way at once (the origin plays the same rate back to the caller)
//   workers   K=--workers-sessions at --workers-rate, --workers-targets, NOT pinned (the relay may use both cores)
//   handshake --hs-n full SRT caller handshakes, --hs-in-flight at once (bench/hs-load.c), each ended by SHUTDOWN,
//             after --hs-warmup handshakes that are not counted (a proxy that has carried a few thousand, its
//             handshake code in V8's middle tier and still being compiled by TurboFan: bench/README.md; --hs-warmup
//             15000 measures it compiled, 100 a proxy that has just started). --hs-trace DIR keeps each
//             handshake's start and latency
//             (DIR/<target>-r<round>.txt, `<start_us> <latency_us>`), to see whether slow ones cluster in time.
// The load generator is bench/udp-blast.c (paced sendmmsg batches every --batch-us; K > 1: one send per packet,
// sessions in turn), the origin bench/c-origin.c (answers the SRT handshake, counts with recvmmsg; the TypeScript
// scripted origin tops out near node:dgram's ~50k datagrams/s and would be the bottleneck). All gcc -O2.
// Pinning (2+ CPUs, taskset): the relay alone on CPU 0, load generator + origin + this script on CPU 1; not for
// the workers part, where 2 workers need both cores.
//
// Figures per window: delivered packets/s (at the origin, plus at the caller for `both`), loss = 1 - delivered/sent,
// kernel drops at the relay's public socket and at the sink, CPU us per delivered packet of the relay (utime+stime
// of the relay process, its threads and child processes, from /proc, over the window). --repeat N: medians.

import { mkdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { callerConclusion, callerInduction, randomSocketId } from '../test/support/srt-packets.js';
import { ManagedProcess, sleep } from '../test/support/process.js';
import { ProxyProcess } from '../test/support/proxy.js';
import { udpDropsByPort } from '../test/support/procfs.js';
import {
  PROXY_NODE_FLAGS,
  clkTck,
  cpuLineSample,
  cpuSample,
  pinning,
  pinProcess,
  processTreeCpuSeconds,
  runMain,
  type Pinning,
} from './lib/system.js';
import { compileCTools } from './lib/c-tools.js';
import { parseCommandLine, parseCount } from './lib/options.js';

// ---------------------------------------------------------------------------------------------------------------
// Options

interface TargetSpec {
  readonly name: string;
  readonly kind: 'direct' | 'c-ref' | 'proxy';
  readonly path?: 'native' | 'js';
  readonly workers?: number;
}

type Part = 'up' | 'both' | 'workers' | 'handshake';
const ALL_PARTS: readonly Part[] = ['up', 'both', 'workers', 'handshake'];

interface Options {
  duration: number;
  warmup: number;
  rates: number[];
  sessions: number[];
  targets: TargetSpec[];
  bothRate: number;
  workersRate: number;
  workersSessions: number;
  workersTargets: TargetSpec[];
  parts: Part[];
  hsN: number;
  hsInFlight: number;
  hsWarmup: number;
  hsTraceDir: string | undefined;
  repeat: number;
  rcvbuf: number;
  originBuf: number;
  batchUs: number;
  logLevel: string;
  pin: boolean;
  logDir: string | undefined;
}

function parseTarget(text: string): TargetSpec {
  if (text === 'c-ref') return { name: text, kind: 'c-ref' };
  if (text === 'direct') return { name: text, kind: 'direct' };
  const m = /^(native|js)(?:-w(\d+))?$/.exec(text);
  if (!m) throw new Error(`unknown target ${text} (direct, c-ref, native, js, native-w2, js-w1, ...)`);
  return { name: text, kind: 'proxy', path: m[1] as 'native' | 'js', workers: m[2] === undefined ? 1 : Number(m[2]) };
}

function parseOptions(argv: readonly string[]): Options {
  const defaults: Options = {
    duration: 5,
    warmup: 1,
    rates: [20_000, 50_000, 80_000],
    sessions: [1, 100],
    targets: ['direct', 'c-ref', 'native', 'js'].map(parseTarget),
    bothRate: 50_000,
    workersRate: 120_000,
    workersSessions: 100,
    workersTargets: ['c-ref', 'native-w1', 'native-w2'].map(parseTarget),
    parts: [...ALL_PARTS],
    hsN: 500,
    hsInFlight: 64,
    hsWarmup: 2000,
    hsTraceDir: undefined,
    repeat: 1,
    // The proxy's default SRT_RECV_BUFFER_BYTES (and the machine's rmem_max), given to the C reference as well.
    rcvbuf: 4_194_304,
    // The proxy's default ORIGIN_SOCKET_BUFFER_BYTES; given to both the proxy and the C reference's origin sockets.
    originBuf: 2_097_152,
    batchUs: 200,
    logLevel: 'info',
    pin: true,
    logDir: undefined,
  };
  const o = parseCommandLine(argv, defaults, {
    duration: (o, v) => (o.duration = Number(v)),
    warmup: (o, v) => (o.warmup = Number(v)),
    rates: (o, v) => (o.rates = v.split(',').map(parseCount)),
    sessions: (o, v) => (o.sessions = v.split(',').map(Number)),
    targets: (o, v) => (o.targets = v.split(',').map(parseTarget)),
    'both-rate': (o, v) => (o.bothRate = parseCount(v)),
    'workers-rate': (o, v) => (o.workersRate = parseCount(v)),
    'workers-sessions': (o, v) => (o.workersSessions = Number(v)),
    'workers-targets': (o, v) => (o.workersTargets = v.split(',').map(parseTarget)),
    parts: (o, v) => (o.parts = v.split(',') as Part[]),
    'hs-n': (o, v) => (o.hsN = Number(v)),
    'hs-in-flight': (o, v) => (o.hsInFlight = Number(v)),
    'hs-warmup': (o, v) => (o.hsWarmup = Number(v)),
    'hs-trace': (o, v) => (o.hsTraceDir = resolve(v)),
    repeat: (o, v) => (o.repeat = Number(v)),
    rcvbuf: (o, v) => (o.rcvbuf = Number(v)),
    'origin-buf': (o, v) => (o.originBuf = Number(v)),
    'batch-us': (o, v) => (o.batchUs = Number(v)),
    'log-level': (o, v) => (o.logLevel = v),
    'no-pin': { switch: (o) => (o.pin = false) },
    'log-dir': (o, v) => (o.logDir = resolve(v)),
  });
  const rateOk = (r: number): boolean => Number.isFinite(r) && r >= 100 && r <= 1_000_000;
  if (![...o.rates, o.bothRate, o.workersRate].every(rateOk)) throw new Error('rates: 100..1000000 packets/s');
  if (![...o.sessions, o.workersSessions].every((k) => Number.isInteger(k) && k >= 1 && k <= 1024)) throw new Error('sessions: 1..1024');
  if (!(o.duration > 0 && o.duration <= 120)) throw new Error('--duration: 0..120 s');
  if (!(o.warmup >= 0 && o.warmup <= 30)) throw new Error('--warmup: 0..30 s');
  if (!(Number.isInteger(o.repeat) && o.repeat >= 1 && o.repeat <= 20)) throw new Error('--repeat: 1..20');
  if (o.parts.length === 0 || o.parts.some((p) => !ALL_PARTS.includes(p))) throw new Error(`--parts: ${ALL_PARTS.join(',')}`);
  if (!(Number.isInteger(o.hsN) && o.hsN >= 1 && o.hsN <= 100_000)) throw new Error('--hs-n: 1..100000');
  if (!(Number.isInteger(o.originBuf) && o.originBuf >= 0 && o.originBuf <= 1 << 30)) throw new Error('--origin-buf: 0..1073741824 bytes');
  if (!(Number.isInteger(o.hsWarmup) && o.hsWarmup >= 0 && o.hsWarmup <= 100_000)) throw new Error('--hs-warmup: 0..100000');
  if (!(Number.isInteger(o.hsInFlight) && o.hsInFlight >= 1 && o.hsInFlight <= 1024)) throw new Error('--hs-in-flight: 1..1024');
  if (!(o.batchUs >= 10 && o.batchUs <= 10_000)) throw new Error('--batch-us: 10..10000');
  return o;
}

// ---------------------------------------------------------------------------------------------------------------
// The C programs

interface Tools {
  readonly blast: string;
  readonly relay: string;
  readonly origin: string;
  readonly hsLoad: string;
  cleanup(): void;
}

function buildTools(): Tools {
  const c = compileCTools(['udp-blast', 'c-relay', 'c-origin', 'hs-load']);
  return { blast: c.paths['udp-blast'], relay: c.paths['c-relay'], origin: c.paths['c-origin'], hsLoad: c.paths['hs-load'], cleanup: c.cleanup };
}

/** bench/c-origin.c: the sink and fake SRS origin. */
class Origin {
  private constructor(
    readonly process: ManagedProcess,
    readonly port: number,
    readonly socketId: number,
  ) {}

  static async start(tools: Tools, prefix: string[], rcvbuf: number): Promise<Origin> {
    const argv = [...prefix, tools.origin, '--rcvbuf', String(rcvbuf), '--max-seconds', '1800'];
    const proc = new ManagedProcess('c-origin', argv[0]!, argv.slice(1), { stdin: 'pipe', stdout: 'lines' });
    const [, port, id] = (await proc.nextLine(/^listening /, 5000)).split(' ');
    return new Origin(proc, Number(port), Number(id));
  }

  async stats(): Promise<{ dataPackets: number; conclusions: number; peers: number }> {
    this.process.write('stats');
    return JSON.parse((await this.process.nextLine(/^stats /, 5000)).slice(6)) as { dataPackets: number; conclusions: number; peers: number };
  }

  async stop(): Promise<void> {
    this.process.write('quit');
    await this.process.stop('SIGTERM', 2000);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Targets

interface Target {
  readonly spec: TargetSpec;
  readonly pid: number;
  readonly port: number;
  /** The data path the target runs, as it reports it (c-ref: 'c'). */
  readonly dataPath: string;
  /** The proxy's drop and error counters (GET /api/v1/stats), for the log; '' for the others. */
  counters(): Promise<string>;
  stop(): Promise<void>;
}

function proxyEnv(spec: TargetSpec, opts: Options, originPort: number): Record<string, string> {
  return {
    ORIGINS: `127.0.0.1:${originPort}`,
    DATA_PATH: spec.path!,
    WORKERS: String(spec.workers ?? 1),
    SRT_RECV_BUFFER_BYTES: String(opts.rcvbuf),
    ORIGIN_SOCKET_BUFFER_BYTES: String(opts.originBuf),
    SESSION_IDLE_TIMEOUT_MS: '60000',
    // Every caller here is 127.0.0.1: measure the data path, not the per-source limits (bench:abuse measures those).
    HANDSHAKE_RATE_PER_SOURCE: '0',
    MAX_SESSIONS_PER_SOURCE: '0',
    MAX_SESSIONS: '0',
    LOG_LEVEL: opts.logLevel,
  };
}

/** What the proxy says it runs: /api/v1/stats `dataPath`, else its start-up log line(s) `data path: ...`. */
async function detectDataPath(proxy: ProxyProcess): Promise<string> {
  const deadline = performance.now() + 3000;
  for (;;) {
    const stats = await proxy.getJson<Record<string, unknown>>('/api/v1/stats').catch(() => ({}) as Record<string, unknown>);
    const reported = stats.dataPath;
    if (typeof reported === 'string') return reported;
    if (reported !== null && typeof reported === 'object' && typeof (reported as { kind?: unknown }).kind === 'string') {
      return (reported as { kind: string }).kind;
    }
    const logged = [...`${proxy.process.stdout}\n${proxy.process.stderr}`.matchAll(/data path: (native|js)\b/g)].map((m) => m[1]!);
    if (logged.length > 0) return [...new Set(logged)].join('+');
    if (performance.now() > deadline) return 'unknown';
    await sleep(200);
  }
}

async function startTarget(spec: TargetSpec, tools: Tools, opts: Options, originPort: number, prefix: string[]): Promise<Target> {
  const logFile = opts.logDir !== undefined ? join(opts.logDir, `${spec.name}-${Date.now()}.log`) : undefined;
  if (spec.kind === 'direct') {
    // No relay: the callers talk to the origin itself. Shows what the load generator and the sink carry on their own.
    return { spec, pid: -1, port: originPort, dataPath: '-', counters: async () => '', stop: async () => undefined };
  }
  if (spec.kind === 'c-ref') {
    // Buffers like the proxy's defaults: SRT_RECV/SEND_BUFFER_BYTES on the public socket, ORIGIN_SOCKET_BUFFER_BYTES per origin socket.
    const argv = [...prefix, tools.relay, '--listen', '127.0.0.1:0', '--origin', `127.0.0.1:${originPort}`];
    argv.push('--rcvbuf', String(opts.rcvbuf), '--origin-buf', String(opts.originBuf), '--max-seconds', '1800');
    const child = new ManagedProcess('c-relay', argv[0]!, argv.slice(1), { stdout: 'lines', logFile });
    const port = Number((await child.nextLine(/^listening \d+/, 5000)).split(' ')[1]);
    return { spec, pid: child.pid, port, dataPath: 'c', counters: async () => '', stop: async () => void (await child.stop('SIGTERM', 3000)) };
  }
  const proxy = await ProxyProcess.start({
    env: proxyEnv(spec, opts, originPort),
    nodeArgs: PROXY_NODE_FLAGS,
    prefix,
    stdout: 'capture',
    ...(logFile !== undefined ? { logFile } : {}),
    readyTimeoutMs: 20_000,
  });
  return {
    spec,
    pid: proxy.pid,
    port: proxy.srtPort,
    dataPath: await detectDataPath(proxy),
    async counters() {
      try {
        const stats = await proxy.getJson<Record<string, unknown>>('/api/v1/stats');
        // The links' own counters too: which of the relay's refusals (out queue, kernel) a loss was, if any.
        type Link = { drops: number; sendQueueDrops: number; sendErrors: number };
        const { sessions } = await proxy.getJson<{ sessions: Link[] }>('/api/v1/sessions');
        const sum = (k: keyof Link): number => sessions.reduce((n, s) => n + s[k], 0);
        const links = { drops: sum('drops'), sendQueueDrops: sum('sendQueueDrops'), sendErrors: sum('sendErrors') };
        return JSON.stringify({ drops: stats.drops, errors: stats.errors, handshakes: stats.handshakes, links });
      } catch (error) {
        return `(GET /api/v1/stats failed: ${(error as Error).message})`;
      }
    },
    stop: () => proxy.stop(10_000),
  };
}

/** The data-path cell: what ran, loudly marked when it is not what was asked for. */
function pathCell(spec: TargetSpec, ran: readonly string[]): string {
  const seen = [...new Set(ran)].join('/');
  if (spec.kind === 'c-ref') return 'C';
  if (spec.kind === 'direct') return 'none';
  if (seen === spec.path) return seen;
  return `**${seen} (asked ${spec.path})**`;
}

// ---------------------------------------------------------------------------------------------------------------
// Relay windows

interface Window {
  readonly sent: number;
  readonly delivered: number;
  readonly sentDown: number;
  readonly deliveredDown: number;
  readonly sendSeconds: number;
  readonly relayDrops: number;
  readonly sinkDrops: number;
  /** Drops at every other UDP socket of the machine: the relay's origin sockets among them. */
  readonly otherDrops: number;
  readonly cpu: number;
  readonly wall: number;
  readonly loadCpu: number;
  readonly othersCpu: number;
}

/** What the callers (and the origin, both ways) really sent per second: below the offered rate when the load side fell behind. */
const sentPps = (w: Window): number => (w.sent + w.sentDown) / w.sendSeconds;
const deliveredPps = (w: Window): number => (w.delivered + w.deliveredDown) / w.sendSeconds;
const lossPct = (w: Window): number => (100 * (w.sent + w.sentDown - w.delivered - w.deliveredDown)) / Math.max(1, w.sent + w.sentDown);
const upLossPct = (w: Window): number => (100 * (w.sent - w.delivered)) / Math.max(1, w.sent);
const downLossPct = (w: Window): number => (100 * (w.sentDown - w.deliveredDown)) / Math.max(1, w.sentDown);
const usPerPacket = (w: Window): number => (w.cpu * 1e6) / Math.max(1, w.delivered + w.deliveredDown);
const coreShare = (w: Window): number => w.cpu / w.wall;

const field = (line: string, name: string): number => Number(new RegExp(`\\b${name}=(\\d+)`).exec(line)?.[1] ?? Number.NaN);

function batchFor(rate: number, batchUs: number): number {
  return Math.max(1, Math.min(64, Math.round((rate * batchUs) / 1e6)));
}

async function callerReceived(sender: ManagedProcess): Promise<number> {
  sender.write('stats');
  return field(await sender.nextLine(/^stats /, 5000), 'received');
}

/** Until neither end has received anything new for 100 ms (at most 3 s): the window's tail has drained. */
async function waitQuiet(origin: Origin, sender: ManagedProcess, both: boolean): Promise<void> {
  let last = '';
  let still = 0;
  for (let i = 0; i < 60 && still < 2; i++) {
    const now = `${(await origin.stats()).dataPackets}/${both ? await callerReceived(sender) : 0}`;
    still = now === last ? still + 1 : 0;
    last = now;
    await sleep(50);
  }
}

async function blastOnce(origin: Origin, sender: ManagedProcess, rate: number, seconds: number, both: boolean, batchUs: number): Promise<[string, string]> {
  const cmd = `blast ${rate} ${Math.round(seconds * 1000)} ${batchFor(rate, batchUs)}`;
  sender.write(cmd);
  if (both) origin.process.write(cmd);
  const timeout = seconds * 1000 + 20_000;
  const [up, down] = await Promise.all([sender.nextLine(/^done /, timeout), both ? origin.process.nextLine(/^done /, timeout) : Promise.resolve('')]);
  return [up, down];
}

async function measure(target: Target, origin: Origin, sender: ManagedProcess, callerPort: number, rate: number, both: boolean, opts: Options): Promise<Window> {
  const delivered0 = (await origin.stats()).dataPackets;
  const down0 = both ? await callerReceived(sender) : 0;
  await sleep(100);
  const drops0 = udpDropsByPort();
  const cpu0 = target.pid > 0 ? processTreeCpuSeconds(target.pid) : 0;
  const load0 = cpuSample(sender.pid).statSeconds + cpuSample(origin.process.pid).statSeconds + cpuSample(process.pid).statSeconds;
  const all0 = cpuLineSample('all').task;
  const t0 = performance.now();
  const [up, down] = await blastOnce(origin, sender, rate, opts.duration, both, opts.batchUs);
  await waitQuiet(origin, sender, both);
  const cpu1 = target.pid > 0 ? processTreeCpuSeconds(target.pid) : 0;
  const load1 = cpuSample(sender.pid).statSeconds + cpuSample(origin.process.pid).statSeconds + cpuSample(process.pid).statSeconds;
  const all1 = cpuLineSample('all').task;
  const wall = (performance.now() - t0) / 1000;
  const drops1 = udpDropsByPort();
  const delta = (port: number): number => (drops1.get(port) ?? 0) - (drops0.get(port) ?? 0);
  const cpu = cpu1 - cpu0;
  const loadCpu = load1 - load0;
  return {
    sent: field(up, 'sent'),
    delivered: (await origin.stats()).dataPackets - delivered0,
    sentDown: both ? field(down, 'sent') : 0,
    deliveredDown: both ? (await callerReceived(sender)) - down0 : 0,
    sendSeconds: field(up, 'ns') / 1e9,
    relayDrops: target.spec.kind === 'direct' ? Number.NaN : delta(target.port),
    sinkDrops: delta(origin.port) + (both ? delta(callerPort) : 0),
    otherDrops: [...drops1.keys()]
      .filter((p) => p !== target.port && p !== origin.port && (!both || p !== callerPort))
      .reduce((n, p) => n + delta(p), 0),
    cpu,
    wall,
    loadCpu,
    othersCpu: Math.max(0, all1 - all0 - cpu - loadCpu),
  };
}

interface Scenario {
  readonly part: Part;
  readonly label: string;
  readonly sessions: number;
  readonly rates: readonly number[];
  readonly both: boolean;
  readonly pin: boolean;
  readonly targets: readonly TargetSpec[];
}

function scenarios(opts: Options): Scenario[] {
  const list: Scenario[] = [];
  if (opts.parts.includes('up')) {
    for (const k of opts.sessions) {
      list.push({ part: 'up', label: `K=${k} caller->origin`, sessions: k, rates: opts.rates, both: false, pin: true, targets: opts.targets });
    }
  }
  if (opts.parts.includes('both')) {
    list.push({ part: 'both', label: 'K=1 both ways', sessions: 1, rates: [opts.bothRate], both: true, pin: true, targets: opts.targets });
  }
  if (opts.parts.includes('workers')) {
    list.push({
      part: 'workers',
      label: `K=${opts.workersSessions} workers (unpinned)`,
      sessions: opts.workersSessions,
      rates: [opts.workersRate],
      both: false,
      pin: false,
      targets: opts.workersTargets,
    });
  }
  return list;
}

/** One target in one scenario: fresh origin, target and callers; a warm-up blast, then one window per rate. */
async function runScenario(sc: Scenario, spec: TargetSpec, tools: Tools, opts: Options, pin: Pinning): Promise<{ windows: Window[]; dataPath: string }> {
  const on = (cpu: number): string[] => (sc.pin ? pin.prefix(cpu) : []);
  // The sink gets the largest buffer the kernel allows without privileges (rmem_max): it must not be what drops.
  const origin = await Origin.start(tools, on(1), Math.max(opts.rcvbuf, 4_194_304));
  let target: Target | undefined;
  let sender: ManagedProcess | undefined;
  try {
    target = await startTarget(spec, tools, opts, origin.port, on(0));
    const pairs: string[] = [];
    for (let i = 0; i < sc.sessions; i++) {
      const id = randomSocketId();
      pairs.push(callerInduction(id).toString('hex'), callerConclusion(id, 0, `#!::r=live/bench-${i},m=publish`).toString('hex'));
    }
    const argv = [...on(1), tools.blast, '127.0.0.1', String(target.port), ...pairs];
    sender = new ManagedProcess('udp-blast', argv[0]!, argv.slice(1), { stdin: 'pipe', stdout: 'lines' });
    const connected = await sender.nextLine(/^(connected|failed)/, 10_000 + sc.sessions * 100);
    if (!connected.startsWith('connected') || field(connected, 'peer') !== origin.socketId) {
      throw new Error(`handshake through ${spec.name} failed: ${connected} (origin socket id ${origin.socketId}); ${sender.stderr}`);
    }
    const callerPort = field(connected, 'local');
    const peers = (await origin.stats()).peers;
    if (peers !== sc.sessions) throw new Error(`${spec.name}: ${peers} sessions reached the origin, ${sc.sessions} expected`);
    if (opts.warmup > 0) {
      await blastOnce(origin, sender, sc.rates[0]!, opts.warmup, sc.both, opts.batchUs);
      await waitQuiet(origin, sender, sc.both);
    }
    const windows: Window[] = [];
    for (const rate of sc.rates) windows.push(await measure(target, origin, sender, callerPort, rate, sc.both, opts));
    const counters = await target.counters();
    if (counters !== '') process.stderr.write(`  ${spec.name} counters: ${counters}\n`);
    sender.write('quit');
    await sender.nextLine(/^bye/, 5000).catch(() => undefined);
    return { windows, dataPath: target.dataPath };
  } finally {
    await sender?.stop('SIGTERM', 2000);
    await target?.stop();
    await origin.stop();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Handshakes

interface HandshakeRun {
  readonly ok: number;
  readonly failed: number;
  readonly rejected: number;
  readonly retransmits: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly cpuUsPerHandshake: number;
}

async function runHandshakes(spec: TargetSpec, tools: Tools, opts: Options, pin: Pinning, round: number): Promise<{ run: HandshakeRun; dataPath: string }> {
  const origin = await Origin.start(tools, pin.prefix(1), 4_194_304);
  let target: Target | undefined;
  try {
    target = await startTarget(spec, tools, opts, origin.port, pin.prefix(0));
    const id = randomSocketId();
    const templates = [callerInduction(id).toString('hex'), callerConclusion(id, 0, '#!::r=live/bench,m=publish').toString('hex')];
    const load = async (n: number, inFlight: number, traceFile?: string): Promise<string> => {
      const argv = [...pin.prefix(1), tools.hsLoad, '127.0.0.1', String(target!.port), String(n), String(inFlight), ...templates];
      if (traceFile !== undefined) argv.push(traceFile);
      const child = new ManagedProcess('hs-load', argv[0]!, argv.slice(1), { stdout: 'lines' });
      try {
        return await child.nextLine(/^done /, 120_000);
      } finally {
        await child.stop('SIGTERM', 2000);
      }
    };
    // Warm-up (JIT, socket paths), not counted; then a moment for the sessions it ended to be swept.
    if (opts.hsWarmup > 0) await load(opts.hsWarmup, Math.min(opts.hsWarmup, opts.hsInFlight));
    await sleep(300);
    const cpuNow = (): number => (target!.pid > 0 ? processTreeCpuSeconds(target!.pid) : Number.NaN);
    const cpu0 = cpuNow();
    const traceFile = opts.hsTraceDir !== undefined ? join(opts.hsTraceDir, `${spec.name}-r${round + 1}.txt`) : undefined;
    const done = await load(opts.hsN, opts.hsInFlight, traceFile);
    const cpu = cpuNow() - cpu0;
    const ok = field(done, 'ok');
    const counters = await target.counters();
    if (counters !== '') process.stderr.write(`  ${spec.name} counters: ${counters}\n`);
    return {
      run: {
        ok,
        failed: field(done, 'failed'),
        rejected: field(done, 'rejected'),
        retransmits: field(done, 'retransmits'),
        perSecond: ok / (field(done, 'ns') / 1e9),
        p50Ms: field(done, 'p50_us') / 1000,
        p99Ms: field(done, 'p99_us') / 1000,
        cpuUsPerHandshake: (cpu * 1e6) / Math.max(1, ok),
      },
      dataPath: target.dataPath,
    };
  } finally {
    await target?.stop();
    await origin.stop();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Output

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length === 0 ? Number.NaN : sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const row = (cells: readonly (string | number)[]): string => `| ${cells.join(' | ')} |`;
const ratio = (x: number, ref: number | undefined): string => (ref === undefined || !Number.isFinite(ref) || ref === 0 ? '-' : `${(x / ref).toFixed(2)}x`);
const fixed = (x: number, digits: number): string => (Number.isFinite(x) ? x.toFixed(digits) : '-');

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  for (const dir of [opts.logDir, opts.hsTraceDir]) if (dir !== undefined) mkdirSync(dir, { recursive: true });
  const pin = pinning(opts.pin);
  if (pin.enabled && !pinProcess(process.pid, 1)) throw new Error('taskset could not pin the bench process to CPU 1');
  const tools = buildTools();
  const warnings: string[] = [];
  try {
    const commandLine = `node ${['dist/bench/datapath.js', ...process.argv.slice(2)].join(' ')}`;
    console.log(`bench:datapath - ${new Date().toISOString()}`);
    console.log(`$ ${commandLine}`);
    console.log(
      `node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model.trim() ?? '?'}), CLK_TCK ${clkTck()}; ` +
        `${pin.enabled ? 'relay alone on CPU 0, load generator + origin + bench on CPU 1 (workers part: nothing pinned)' : pin.note}; ` +
        `${opts.duration} s per window after a ${opts.warmup} s warm-up, ${opts.repeat} round(s) (medians), targets alternating (ABBA); ` +
        `1332-byte datagrams, sender bursts every ${opts.batchUs} us; receive buffers ${opts.rcvbuf} bytes (relay), ${opts.originBuf} bytes (relay's origin sockets), 4 MiB (sink); proxy LOG_LEVEL=${opts.logLevel}`,
    );
    console.log('');

    // Relay parts
    const list = scenarios(opts);
    const results = new Map<string, Window[]>();
    const paths = new Map<string, string[]>();
    const key = (sc: Scenario, rate: number, t: TargetSpec): string => `${sc.label}|${rate}|${t.name}`;
    const failures = new Map<string, string>();
    for (let round = 0; round < opts.repeat; round++) {
      for (const sc of list) {
        const order = round % 2 === 0 ? sc.targets : [...sc.targets].reverse();
        for (const spec of order) {
          process.stderr.write(`round ${round + 1}: ${sc.label}, ${spec.name} ...\n`);
          // One target failing (a crash, a handshake that never completes) costs its rows, not the whole run.
          const r = await runScenario(sc, spec, tools, opts, pin).catch((error: unknown) => {
            const why = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 200);
            process.stderr.write(`  FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
            failures.set(`${sc.label}|${spec.name}`, why);
            warnings.push(`${sc.label} ${spec.name}: FAILED in round ${round + 1}: ${why}`);
            return undefined;
          });
          if (r === undefined) continue;
          const ps = paths.get(`${sc.label}|${spec.name}`) ?? [];
          ps.push(r.dataPath);
          paths.set(`${sc.label}|${spec.name}`, ps);
          sc.rates.forEach((rate, i) => {
            const k = key(sc, rate, spec);
            results.set(k, [...(results.get(k) ?? []), r.windows[i]!]);
            const w = r.windows[i]!;
            process.stderr.write(
              `  ${rate}/s: sent ${w.sent}+${w.sentDown} delivered ${w.delivered}+${w.deliveredDown} relay drops ${w.relayDrops} sink drops ${w.sinkDrops} other drops ${w.otherDrops} ` +
                `cpu ${w.cpu.toFixed(2)} s (${(100 * coreShare(w)).toFixed(0)}%) load ${(100 * w.loadCpu / w.wall).toFixed(0)}% others ${(100 * w.othersCpu / w.wall).toFixed(0)}%\n`,
            );
            const offered = sc.both ? 2 * rate : rate;
            if (sentPps(w) < 0.95 * offered) {
              warnings.push(`${sc.label} ${rate}/s ${spec.name}: the load side sent only ${sentPps(w).toFixed(0)} of ${offered} packets/s (it fell behind)`);
            }
            if (w.othersCpu / w.wall > 0.1) warnings.push(`${sc.label} ${rate}/s ${spec.name}: other processes used ${(100 * w.othersCpu / w.wall).toFixed(0)}% of a core`);
          });
        }
      }
    }
    if (list.length > 0) {
      console.log('### Relay');
      console.log('');
      console.log(
        row(['scenario', 'offered pkt/s', 'target', 'data path', 'workers', 'sent pkt/s', 'delivered pkt/s', 'vs C', 'loss', 'vs C (pp)', 'relay drops', 'sink drops', 'other drops', 'CPU us/pkt', 'vs C', 'relay CPU']),
      );
      console.log(row(Array<string>(16).fill('---')));
      for (const sc of list) {
        for (const rate of sc.rates) {
          const ref = results.get(key(sc, rate, parseTarget('c-ref')));
          const refMed = (f: (w: Window) => number): number | undefined => (ref === undefined ? undefined : median(ref.map(f)));
          for (const spec of sc.targets) {
            const ws = results.get(key(sc, rate, spec));
            if (ws === undefined) {
              const why = failures.get(`${sc.label}|${spec.name}`);
              if (why !== undefined) console.log(row([sc.label, rate, spec.name, `**FAILED** (${why.replaceAll('|', '/')})`, ...Array<string>(12).fill('')]));
              continue;
            }
            const m = (f: (w: Window) => number): number => median(ws.map(f));
            const ran = paths.get(`${sc.label}|${spec.name}`) ?? [];
            if (spec.kind === 'proxy' && ran.some((p) => p !== spec.path)) {
              warnings.push(`${sc.label} ${spec.name}: the proxy ran data path ${[...new Set(ran)].join('/')}, not ${spec.path}: that row is NOT the ${spec.path} path`);
            }
            const relay = spec.kind !== 'direct';
            const loss = m(lossPct);
            const refLoss = refMed(lossPct);
            const lossText = sc.both ? `${fixed(loss, 2)}% (up ${fixed(m(upLossPct), 2)}, down ${fixed(m(downLossPct), 2)})` : `${fixed(loss, 2)}%`;
            console.log(
              row([
                sc.label,
                sc.both ? `${rate} each way` : rate,
                spec.name,
                pathCell(spec, ran),
                spec.kind === 'proxy' ? spec.workers! : '-',
                fixed(m(sentPps), 0),
                fixed(m(deliveredPps), 0),
                spec.kind !== 'proxy' ? '' : ratio(m(deliveredPps), refMed(deliveredPps)),
                lossText,
                spec.kind !== 'proxy' || refLoss === undefined ? '' : `${loss - refLoss >= 0 ? '+' : ''}${fixed(loss - refLoss, 2)}`,
                fixed(m((w) => w.relayDrops), 0),
                fixed(m((w) => w.sinkDrops), 0),
                fixed(m((w) => w.otherDrops), 0),
                relay ? fixed(m(usPerPacket), 2) : '-',
                spec.kind !== 'proxy' ? '' : ratio(m(usPerPacket), refMed(usPerPacket)),
                relay ? `${fixed(100 * m(coreShare), 0)}%` : '-',
              ]),
            );
          }
        }
      }
      console.log('');
    }

    // Handshakes
    if (opts.parts.includes('handshake')) {
      const hs = new Map<string, HandshakeRun[]>();
      const hsPaths = new Map<string, string[]>();
      const hsFailures = new Map<string, string>();
      for (let round = 0; round < opts.repeat; round++) {
        const order = round % 2 === 0 ? opts.targets : [...opts.targets].reverse();
        for (const spec of order) {
          process.stderr.write(`round ${round + 1}: handshakes, ${spec.name} ...\n`);
          const r = await runHandshakes(spec, tools, opts, pin, round).catch((error: unknown) => {
            const why = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 200);
            process.stderr.write(`  FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
            hsFailures.set(spec.name, why);
            warnings.push(`handshakes ${spec.name}: FAILED in round ${round + 1}: ${why}`);
            return undefined;
          });
          if (r === undefined) continue;
          hs.set(spec.name, [...(hs.get(spec.name) ?? []), r.run]);
          hsPaths.set(spec.name, [...(hsPaths.get(spec.name) ?? []), r.dataPath]);
          process.stderr.write(
            `  ok ${r.run.ok} failed ${r.run.failed} rejected ${r.run.rejected} retransmits ${r.run.retransmits}, ${r.run.perSecond.toFixed(0)}/s, p50 ${r.run.p50Ms} ms p99 ${r.run.p99Ms} ms\n`,
          );
        }
      }
      console.log(`### Handshakes (${opts.hsN} sessions, ${opts.hsInFlight} in flight, after ${opts.hsWarmup} not counted)`);
      console.log('');
      console.log(row(['target', 'data path', 'workers', 'ok / failed / rejected', 'retransmits', 'handshakes/s', 'vs C', 'p50 ms', 'vs C', 'p99 ms', 'vs C', 'relay CPU us/handshake']));
      console.log(row(Array<string>(12).fill('---')));
      const ref = hs.get('c-ref');
      const refMed = (f: (r: HandshakeRun) => number): number | undefined => (ref === undefined ? undefined : median(ref.map(f)));
      for (const spec of opts.targets) {
        const rs = hs.get(spec.name);
        if (rs === undefined) {
          const why = hsFailures.get(spec.name);
          if (why !== undefined) console.log(row([spec.name, `**FAILED** (${why.replaceAll('|', '/')})`, ...Array<string>(10).fill('')]));
          continue;
        }
        const m = (f: (r: HandshakeRun) => number): number => median(rs.map(f));
        const ran = hsPaths.get(spec.name) ?? [];
        if (spec.kind === 'proxy' && ran.some((p) => p !== spec.path)) {
          warnings.push(`handshakes ${spec.name}: the proxy ran data path ${[...new Set(ran)].join('/')}, not ${spec.path}`);
        }
        const isRef = spec.kind !== 'proxy';
        console.log(
          row([
            spec.name,
            pathCell(spec, ran),
            isRef ? '-' : spec.workers!,
            `${m((r) => r.ok)} / ${m((r) => r.failed)} / ${m((r) => r.rejected)}`,
            m((r) => r.retransmits),
            fixed(m((r) => r.perSecond), 0),
            isRef ? '' : ratio(m((r) => r.perSecond), refMed((r) => r.perSecond)),
            fixed(m((r) => r.p50Ms), 2),
            isRef ? '' : ratio(m((r) => r.p50Ms), refMed((r) => r.p50Ms)),
            fixed(m((r) => r.p99Ms), 2),
            isRef ? '' : ratio(m((r) => r.p99Ms), refMed((r) => r.p99Ms)),
            fixed(m((r) => r.cpuUsPerHandshake), 0),
          ]),
        );
      }
      console.log('');
    }

    console.log(
      'sent = what the load side really sent per second (below offered: it fell behind); delivered = datagrams counted at the far end (origin; plus caller for both ways) / send time; loss = 1 - delivered/sent; ' +
        'relay drops = kernel drops at the relay\'s public socket, sink drops = at the origin (and the caller, both ways), other drops = at any other UDP socket, the relay\'s origin sockets among them (/proc/net/udp); ' +
        'CPU us/pkt = relay utime+stime (threads and child processes) / delivered; relay CPU = % of one core over the window; ' +
        'vs C = ratio to the C reference of the same row (loss: difference in percentage points).',
    );
    console.log('Acceptance (issue 7): native us/pkt <= 1.5x C with no loss at 80k K=1; both ways at 50k without loss; handshakes/s >= 0.5x C, p99 <= 2x C; 2 workers deliver more than 1.');
    if (warnings.length > 0) {
      console.log('');
      for (const w of new Set(warnings)) console.log(`!!! ${w}`);
    }
  } finally {
    tools.cleanup();
  }
}

runMain('datapath', main);
