// bench/relay-cpu: CPU cost per relayed SRT data packet, the proxy against a minimal raw node:dgram forwarder.
//
//   npm run bench:relay [-- --rates 20k,50k[,80k] --seconds 5 --rounds 2 --sender auto|c|node --no-pin --rcvbuf N
//                          --targets proxy,raw --warmup 2 --batch-us 200 --cpu-prof <dir> --node-args '<flags>'
//                          --log-dir <dir>]
// --targets proxy-off adds the proxy with SRT_TELEMETRY=false, to measure what reading the retransmit flag and the
// control packets costs on the relay path (`--targets proxy,proxy-off`).
// --cpu-prof writes a V8 CPU profile of each target into <dir>; --node-args passes flags (e.g. --trace-gc) to the
// targets' node; --log-dir keeps the targets' stdout/stderr there.
//
// Set-up per target (the proxy `node dist/src/main.js`, then bench/raw-forwarder): a scripted SRT origin in this
// process (answers INDUCTION/CONCLUSION, counts data datagrams), the target in front of it, and a caller/load
// generator (bench/udp-blast.c, compiled with gcc -O2 into a temp dir; node fallback) that does the SRT handshake
// through the target and then offers 1332-byte data datagrams at fixed rates. With 2+ CPUs the target runs alone on
// CPU 0, the load generator and the origin on CPU 1. For every rate the target's CPU (utime+stime of all its threads
// from /proc/<pid>/stat) is read before and after the window; the window ends when the origin stops receiving.
//
// Figures: CPU us per packet received at the origin, packets/s received, loss = 1 - received/sent.

import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { ScriptedOrigin } from '../test/support/scripted-origin.js';
import { callerConclusion, callerInduction, randomSocketId } from '../test/support/srt-packets.js';
import {
  PROXY_NODE_FLAGS,
  clkTck,
  cpuDelta,
  cpuLineSample,
  cpuSample,
  pad,
  pinning,
  pinProcess,
  runMain,
  startProxy,
  type CpuSample,
} from './lib/system.js';
import { ManagedProcess, sleep } from '../test/support/process.js';
import { udpDropsByPort } from '../test/support/procfs.js';
import { compileCTools, hasGcc } from './lib/c-tools.js';
import { parseCommandLine, parseCount } from './lib/options.js';

type TargetKind = 'proxy' | 'proxy-off' | 'raw';

interface Options {
  rates: number[];
  seconds: number;
  warmupSeconds: number;
  idleSeconds: number;
  sender: 'auto' | 'c' | 'node';
  pin: boolean;
  rcvbuf: number;
  targets: TargetKind[];
  batchUs: number;
  cpuProfDir: string | undefined;
  rounds: number;
  nodeArgs: string[];
  logDir: string | undefined;
}

function parseOptions(argv: readonly string[]): Options {
  const defaults: Options = {
    rates: [20_000, 50_000],
    seconds: 5,
    warmupSeconds: 2,
    idleSeconds: 2,
    sender: 'auto',
    pin: true,
    // The proxy's default SRT_RECV_BUFFER_BYTES, given to both targets so they are compared like for like.
    rcvbuf: 4194304,
    targets: ['proxy', 'raw'],
    batchUs: 200,
    cpuProfDir: undefined,
    rounds: 2,
    nodeArgs: [],
    logDir: undefined,
  };
  const o = parseCommandLine(argv, defaults, {
    rates: (o, v) => (o.rates = v.split(',').map(parseCount)),
    seconds: (o, v) => (o.seconds = Number(v)),
    warmup: (o, v) => (o.warmupSeconds = Number(v)),
    sender: (o, v) => (o.sender = v as Options['sender']),
    'no-pin': { switch: (o) => (o.pin = false) },
    rcvbuf: (o, v) => (o.rcvbuf = Number(v)),
    targets: (o, v) => (o.targets = v.split(',') as TargetKind[]),
    'batch-us': (o, v) => (o.batchUs = Number(v)),
    'cpu-prof': (o, v) => (o.cpuProfDir = resolve(v)),
    rounds: (o, v) => (o.rounds = Number(v)),
    'node-args': (o, v) => (o.nodeArgs = v.split(' ').filter((x) => x.length > 0)),
    'log-dir': (o, v) => (o.logDir = resolve(v)),
  });
  if (o.rates.some((r) => !Number.isFinite(r) || r < 100 || r > 500_000)) throw new Error('--rates: 100..500000 packets/s');
  if (!(o.seconds > 0 && o.seconds <= 60)) throw new Error('--seconds: 0..60');
  if (!(o.warmupSeconds >= 0 && o.warmupSeconds <= 30)) throw new Error('--warmup: 0..30');
  if (o.targets.some((t) => t !== 'proxy' && t !== 'proxy-off' && t !== 'raw')) throw new Error('--targets: proxy,proxy-off,raw');
  if (!['auto', 'c', 'node'].includes(o.sender)) throw new Error('--sender: auto, c or node');
  if (!(Number.isInteger(o.rounds) && o.rounds >= 1 && o.rounds <= 10)) throw new Error('--rounds: 1..10');
  return o;
}

// ---------------------------------------------------------------------------------------------------------------
// Load generator

interface SenderCommand {
  readonly kind: 'c' | 'node';
  readonly argv: readonly string[];
  readonly cleanup: () => void;
}

function prepareSender(choice: Options['sender']): SenderCommand {
  if (choice !== 'node') {
    if (hasGcc()) {
      try {
        const c = compileCTools(['udp-blast']);
        return { kind: 'c', argv: [c.paths['udp-blast']], cleanup: c.cleanup };
      } catch (error) {
        if (choice === 'c') throw error;
        process.stderr.write(`${error instanceof Error ? error.message : String(error)}\nfalling back to the node sender\n`);
      }
    } else if (choice === 'c') {
      throw new Error('--sender c: gcc not found');
    }
  }
  return { kind: 'node', argv: [process.execPath, resolve('dist/bench/node-blast.js')], cleanup: () => undefined };
}

// ---------------------------------------------------------------------------------------------------------------
// Targets

interface Target {
  readonly kind: TargetKind;
  readonly pid: number;
  readonly port: number;
  /** Datagrams the target received from the caller so far (its own counter). */
  relayed(): Promise<number>;
  stop(): Promise<void>;
}

async function startTarget(kind: TargetKind, originPort: number, opts: Options, prefix: string[]): Promise<Target> {
  if (kind === 'proxy' || kind === 'proxy-off') {
    const env: Record<string, string> = {};
    env.SRT_RECV_BUFFER_BYTES = String(opts.rcvbuf);
    env.SRT_TELEMETRY = kind === 'proxy' ? 'true' : 'false';
    const nodeArgs = [...opts.nodeArgs, ...(opts.cpuProfDir !== undefined ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`] : [])];
    const logFile = opts.logDir !== undefined ? join(opts.logDir, `proxy-${Date.now()}.log`) : undefined;
    const proxy = await startProxy(`127.0.0.1:${originPort}`, { prefix, env, nodeArgs, ...(logFile !== undefined ? { logFile } : {}) });
    return {
      kind,
      pid: proxy.pid,
      port: proxy.srtPort,
      async relayed() {
        const sessions = await proxy.sessions();
        return sessions.reduce((n, s) => n + s.packetsFromCaller, 0);
      },
      stop: () => proxy.stop(10_000),
    };
  }
  const nodeArgs = [...opts.nodeArgs, ...(opts.cpuProfDir !== undefined ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`] : [])];
  // Same node flags as the deployed proxy, so only the relay code differs.
  const argv = [...prefix, process.execPath, ...PROXY_NODE_FLAGS, ...nodeArgs, resolve('dist/bench/raw-forwarder.js'), '--listen', '127.0.0.1:0', '--origin', `127.0.0.1:${originPort}`];
  if (opts.rcvbuf > 0) argv.push('--rcvbuf', String(opts.rcvbuf));
  const logFile = opts.logDir !== undefined ? join(opts.logDir, `raw-${Date.now()}.log`) : undefined;
  const child = new ManagedProcess('raw-forwarder', argv[0]!, argv.slice(1), { stdin: 'pipe', stdout: 'lines', logFile });
  const line = await child.nextLine(/^listening \d+/, 10_000);
  return {
    kind,
    pid: child.pid,
    port: Number(line.split(' ')[1]),
    async relayed() {
      child.write('stats');
      const stats = JSON.parse((await child.nextLine(/^stats /, 5000)).slice(6)) as { fromCaller: number };
      return stats.fromCaller;
    },
    stop: async () => void (await child.stop('SIGTERM', 5000)),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// One measurement window

interface Window {
  readonly target: TargetKind;
  readonly rate: number;
  readonly sent: number;
  readonly senderFailed: number;
  readonly sendSeconds: number;
  readonly received: number;
  readonly relayedByTarget: number;
  readonly dropsAtTarget: number;
  readonly dropsAtOrigin: number;
  readonly cpuStat: number;
  readonly cpuSched: number;
  readonly wallSeconds: number;
  readonly senderCpu: number;
  readonly benchCpu: number;
  /** CPU 0 (the target's, when pinned): time in hard+soft interrupt context and stolen by the hypervisor, seconds. */
  readonly cpu0Irq: number;
  readonly cpu0Steal: number;
  /** Task CPU time of every other process on the machine during the window (something else running?), seconds. */
  readonly othersCpu: number;
}

const usPerPacket = (w: Window): number => (w.cpuStat * 1e6) / w.received;
const lossPercent = (w: Window): number => (100 * (w.sent - w.received)) / w.sent;
const achievedPps = (w: Window): number => w.received / w.sendSeconds;

async function waitQuiet(origin: ScriptedOrigin): Promise<void> {
  // The window ends when nothing has reached the origin for 100 ms (at most 3 s of draining).
  let last = -1;
  let still = 0;
  for (let i = 0; i < 60 && still < 2; i++) {
    still = origin.dataPackets === last ? still + 1 : 0;
    last = origin.dataPackets;
    await sleep(50);
  }
}

async function measure(
  target: Target,
  origin: ScriptedOrigin,
  sender: ManagedProcess,
  rate: number,
  seconds: number,
  batchUs: number,
  pinned: boolean,
): Promise<Window> {
  const batch = Math.max(1, Math.min(64, Math.round((rate * batchUs) / 1e6)));
  const relayedBefore = await target.relayed();
  await sleep(200); // the stats request's own work settles before the window opens
  const drops0 = udpDropsByPort();
  const received0 = origin.dataPackets;
  const t0: CpuSample = cpuSample(target.pid);
  const s0 = cpuSample(sender.pid);
  const b0 = cpuSample(process.pid);
  const k0 = cpuLineSample(0);
  const a0 = cpuLineSample('all');
  sender.write(`blast ${rate} ${Math.round(seconds * 1000)} ${batch}`);
  const done = await sender.nextLine(/^done /, seconds * 1000 + 15_000);
  await waitQuiet(origin);
  const t1 = cpuSample(target.pid);
  const s1 = cpuSample(sender.pid);
  const b1 = cpuSample(process.pid);
  const k1 = cpuLineSample(0);
  const a1 = cpuLineSample('all');
  const received = origin.dataPackets - received0;
  const drops1 = udpDropsByPort();
  const relayedAfter = await target.relayed();
  const field = (name: string): number => Number(new RegExp(`${name}=(\\d+)`).exec(done)?.[1] ?? Number.NaN);
  const cpu = cpuDelta(t0, t1);
  const senderCpu = cpuDelta(s0, s1).stat;
  const benchCpu = cpuDelta(b0, b1).stat;
  return {
    target: target.kind,
    rate,
    sent: field('sent'),
    senderFailed: field('failed'),
    sendSeconds: field('ns') / 1e9,
    received,
    relayedByTarget: relayedAfter - relayedBefore,
    dropsAtTarget: (drops1.get(target.port) ?? 0) - (drops0.get(target.port) ?? 0),
    dropsAtOrigin: (drops1.get(origin.port) ?? 0) - (drops0.get(origin.port) ?? 0),
    cpuStat: cpu.stat,
    cpuSched: cpu.sched,
    wallSeconds: cpu.wallMs / 1000,
    senderCpu,
    benchCpu,
    cpu0Irq: pinned ? k1.irq + k1.softirq - (k0.irq + k0.softirq) : Number.NaN,
    cpu0Steal: pinned ? k1.steal - k0.steal : Number.NaN,
    othersCpu: Math.max(0, a1.task - a0.task - (cpu.stat + senderCpu + benchCpu)),
  };
}

const WINDOW_HEADER =
  'target rnd   rate |    sent  relayed received  got/s | kernel drops tgt/orig | CPU s  %core us/pkt (sched) | CPU0 irq steal | sender origin+bench others';

/** One line per measured window: counts, where datagrams were dropped, CPU of the target and of the load side. */
function windowRow(w: Window, round: number): string {
  const pct = (cpu: number): string => `${((100 * cpu) / w.wallSeconds).toFixed(0)}%`;
  return (
    `${pad(w.target, 6, true)} ${pad(round, 3)} ${pad(w.rate, 6)} | ${pad(w.sent, 7)} ${pad(w.relayedByTarget, 8)} ${pad(w.received, 8)} ` +
    `${pad(achievedPps(w).toFixed(0), 6)} | ${pad(`${w.dropsAtTarget} / ${w.dropsAtOrigin}`, 21)} | ${pad(w.cpuStat.toFixed(2), 5)} ` +
    `${pad(pct(w.cpuStat), 6)} ${pad(usPerPacket(w).toFixed(2), 6)} ${pad(`(${((w.cpuSched * 1e6) / w.received).toFixed(2)})`, 7)} | ` +
    `${pad(Number.isFinite(w.cpu0Irq) ? pct(w.cpu0Irq) : '-', 8)} ${pad(Number.isFinite(w.cpu0Steal) ? pct(w.cpu0Steal) : '-', 5)} | ` +
    `${pad(pct(w.senderCpu), 6)} ${pad(pct(w.benchCpu), 12)} ${pad(pct(w.othersCpu), 6)}` +
    (w.senderFailed > 0 ? `  (${w.senderFailed} send errors)` : '')
  );
}

// ---------------------------------------------------------------------------------------------------------------

async function runTarget(
  kind: TargetKind,
  round: number,
  opts: Options,
  senderCmd: SenderCommand,
  pin: ReturnType<typeof pinning>,
): Promise<{ windows: Window[]; idle: number }> {
  const origin = await ScriptedOrigin.create({ record: false, keepaliveMs: 1000, receiveBufferBytes: 4 * 1024 * 1024 });
  let target: Target | undefined;
  let sender: ManagedProcess | undefined;
  try {
    target = await startTarget(kind, origin.port, opts, pin.prefix(0));
    const callerId = randomSocketId();
    const induction = callerInduction(callerId);
    const conclusion = callerConclusion(callerId, 0, '#!::r=live/bench,m=publish');
    const argv = [...pin.prefix(1), ...senderCmd.argv, '127.0.0.1', String(target.port), induction.toString('hex'), conclusion.toString('hex')];
    sender = new ManagedProcess(`sender (${senderCmd.kind})`, argv[0]!, argv.slice(1), { stdin: 'pipe', stdout: 'lines' });
    const connected = await sender.nextLine(/^(connected|failed)/, 5000);
    const peer = Number(/peer=(\d+)/.exec(connected)?.[1]);
    if (!connected.startsWith('connected') || peer !== origin.socketId) {
      throw new Error(`handshake through ${kind} failed: ${connected} (origin socket id ${origin.socketId}); ${sender.stderr}`);
    }
    if (opts.warmupSeconds > 0) {
      // JIT and socket buffers warm up at the first rate; not measured.
      const warmRate = opts.rates[0]!;
      sender.write(`blast ${warmRate} ${Math.round(opts.warmupSeconds * 1000)} ${Math.max(1, Math.round((warmRate * opts.batchUs) / 1e6))}`);
      await sender.nextLine(/^done /, opts.warmupSeconds * 1000 + 15_000);
      await waitQuiet(origin);
    }
    // Idle cost: what the target burns with a connected session and no traffic (timers, keepalives).
    await sleep(200);
    const i0 = cpuSample(target.pid);
    await sleep(opts.idleSeconds * 1000);
    const idleDelta = cpuDelta(i0, cpuSample(target.pid));
    const idle = idleDelta.stat / (idleDelta.wallMs / 1000);
    const windows: Window[] = [];
    for (const rate of opts.rates) {
      const w = await measure(target, origin, sender, rate, opts.seconds, opts.batchUs, pin.enabled);
      console.log(windowRow(w, round));
      windows.push(w);
    }
    sender.write('quit');
    await sender.nextLine(/^bye/, 5000).catch(() => undefined);
    return { windows, idle };
  } finally {
    await sender?.stop('SIGTERM', 2000);
    await target?.stop();
    await origin.close();
  }
}

function rmemDefault(): number {
  try {
    return Number(readFileSync('/proc/sys/net/core/rmem_default', 'utf8').trim());
  } catch {
    return Number.NaN;
  }
}

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const pin = pinning(opts.pin);
  if (pin.enabled && !pinProcess(process.pid, 1)) throw new Error('taskset could not pin the bench process to CPU 1');
  const senderCmd = prepareSender(opts.sender);
  try {
    console.log('relay-cpu: SRT data relay CPU cost, proxy vs raw node:dgram forwarder');
    console.log(
      `  node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model.trim() ?? '?'}), CLK_TCK ${clkTck()}; ` +
        `${pin.enabled ? 'target alone on CPU 0, load generator + origin + bench on CPU 1' : pin.note}`,
    );
    console.log(
      `  1332-byte datagrams, ${opts.seconds} s per rate after a ${opts.warmupSeconds} s warm-up; ${opts.rounds} round(s), targets alternating ` +
        `(ABBA); sender: ${senderCmd.kind === 'c' ? 'udp-blast.c (gcc -O2, paced sendmmsg)' : 'node-blast (node:dgram)'}; ` +
        `receive buffers: ${opts.rcvbuf > 0 ? `${opts.rcvbuf} bytes` : 'kernel default'} requested for both targets (origin 4 MiB); node flags ${PROXY_NODE_FLAGS.join(' ')} for both`,
    );
    if (senderCmd.kind === 'node') {
      console.log('');
      console.log('  !!! WARNING: the load generator is node:dgram (no gcc, or --sender node). At high rates it needs most !!!');
      console.log('  !!! of a core and sends in 1 ms bursts: the figures are not comparable with runs using udp-blast.c.   !!!');
    }
    const windows = new Map<TargetKind, Window[][]>(opts.targets.map((t) => [t, opts.rates.map(() => [])]));
    const idle = new Map<TargetKind, number[]>(opts.targets.map((t) => [t, []]));
    console.log('');
    console.log(WINDOW_HEADER);
    for (let round = 0; round < opts.rounds; round++) {
      const order = round % 2 === 0 ? opts.targets : [...opts.targets].reverse();
      for (const kind of order) {
        const r = await runTarget(kind, round + 1, opts, senderCmd, pin);
        r.windows.forEach((w, i) => windows.get(kind)![i]!.push(w));
        idle.get(kind)!.push(r.idle);
      }
    }
    console.log(
      `idle CPU with one connected session and no traffic: ` +
        [...idle].map(([kind, xs]) => `${kind} ${xs.map((x) => `${(x * 100).toFixed(2)}%`).join(', ')}`).join('; '),
    );
    console.log(
      `(target = proxy: node dist/src/main.js, raw: node dist/bench/raw-forwarder.js; relayed = the target's own count; us/pkt = ` +
        `target CPU / packets received at the origin, in brackets from schedstat; CPU0 irq = interrupt time on the target's CPU, not ` +
        `charged to it; % are of one core over the window; others = every other process on the machine)`,
    );
    const med = (kind: TargetKind, i: number, f: (w: Window) => number): number | undefined => {
      const ws = windows.get(kind)?.[i];
      return ws === undefined || ws.length === 0 ? undefined : median(ws.map(f));
    };
    const fmt = (x: number | undefined, digits: number, suffix = ''): string => (x === undefined ? '-' : `${x.toFixed(digits)}${suffix}`);
    console.log('');
    console.log(`medians over ${opts.rounds} round(s):`);
    console.log(' rate pps | proxy us/pkt | proxy pkt/s | proxy loss | raw us/pkt | raw pkt/s | raw loss | ratio');
    console.log('----------+--------------+-------------+------------+------------+-----------+----------+------');
    const perRound: string[] = [];
    for (let i = 0; i < opts.rates.length; i++) {
      const pUs = med('proxy', i, usPerPacket);
      const rUs = med('raw', i, usPerPacket);
      console.log(
        `${pad(opts.rates[i]!, 9)} | ${pad(fmt(pUs, 2), 12)} | ${pad(fmt(med('proxy', i, achievedPps), 0), 11)} | ` +
          `${pad(fmt(med('proxy', i, lossPercent), 2, '%'), 10)} | ${pad(fmt(rUs, 2), 10)} | ${pad(fmt(med('raw', i, achievedPps), 0), 9)} | ` +
          `${pad(fmt(med('raw', i, lossPercent), 2, '%'), 8)} | ${pad(pUs !== undefined && rUs !== undefined ? (pUs / rUs).toFixed(2) : '-', 5)}`,
      );
      const p = windows.get('proxy')?.[i];
      const r = windows.get('raw')?.[i];
      if (p && r && p.length > 1) {
        perRound.push(`${opts.rates[i]}: ${p.map((w, k) => (usPerPacket(w) / usPerPacket(r[k]!)).toFixed(2)).join(', ')}`);
      }
    }
    console.log('');
    if (perRound.length > 0) console.log(`ratio per round (proxy/raw us/pkt) at ${perRound.join('; ')}`);
    if (windows.has('proxy') && windows.has('proxy-off')) {
      console.log('');
      console.log('telemetry cost (SRT_TELEMETRY on vs off), medians:');
      console.log(' rate pps | on us/pkt | off us/pkt | on/off | on loss | off loss | on/off per round');
      for (let i = 0; i < opts.rates.length; i++) {
        const on = med('proxy', i, usPerPacket);
        const off = med('proxy-off', i, usPerPacket);
        const rounds = windows.get('proxy')![i]!.map((w, k) => (usPerPacket(w) / usPerPacket(windows.get('proxy-off')![i]![k]!)).toFixed(3)).join(', ');
        console.log(
          `${pad(opts.rates[i]!, 9)} | ${pad(fmt(on, 2), 9)} | ${pad(fmt(off, 2), 10)} | ${pad(on !== undefined && off !== undefined ? (on / off).toFixed(3) : '-', 6)} | ` +
            `${pad(fmt(med('proxy', i, lossPercent), 2, '%'), 7)} | ${pad(fmt(med('proxy-off', i, lossPercent), 2, '%'), 8)} | ${rounds}`,
        );
      }
    }
    const all = [...windows.values()].flat(2);
    const busy = all.filter((w) => w.othersCpu / w.wallSeconds > 0.1);
    if (busy.length > 0) {
      const worst = Math.max(...busy.map((w) => (100 * w.othersCpu) / w.wallSeconds));
      console.log(
        `!!! other processes used more than 10% of a core in ${busy.length} of ${all.length} window(s) (up to ${worst.toFixed(0)}%): ` +
          `the machine was not quiet, the figures are disturbed; run again on an idle machine !!!`,
      );
    }
    const lossy = all.filter((w) => lossPercent(w) > 0.5);
    if (lossy.length > 0 && opts.rcvbuf === 0) {
      const where = lossy.reduce((n, w) => n + w.dropsAtTarget, 0) >= lossy.reduce((n, w) => n + (w.sent - w.received), 0) * 0.9;
      console.log(
        `loss above 0.5% in ${lossy.length} window(s)${where ? ", dropped by the kernel at the target's receive socket" : ''}: the default buffer ` +
          `(${rmemDefault()} bytes, ~${Math.floor(rmemDefault() / 2304)} datagrams) overflows whenever the event loop stalls for ~1-2 ms ` +
          `(e.g. a scavenge); compare with a larger --rcvbuf.`,
      );
    }
    console.log('us/pkt = target CPU (utime+stime of all threads, /proc/<pid>/stat) / packets received at the origin;');
    console.log('loss = 1 - received/sent. Target: proxy us/pkt within 1.5x of the raw forwarder.');
  } finally {
    senderCmd.cleanup();
  }
}

runMain('relay-cpu', main);
