// bench/handshake-js-cost: the TypeScript side of a proxied handshake, alone: HandshakeEngine and SessionManager
// (with the memory provider, no admission webhook, session lines into /dev/null through the real log destination)
// over a data path that does no I/O. What the data path costs (syscalls, the addon) is not in these figures; what
// a handshake costs in JavaScript is, GC included.
//
//   node dist/bench/handshake-js-cost.js [--n 20000] [--rounds 5] [--in-flight 64] [--verified]
//
// `--verified`: what the JavaScript pays behind the native data path, which answers INDUCTIONs itself and hands over
// CONCLUSIONs whose cookie it verified (DataPathEvents.onHandshake's `cookieVerified`): no INDUCTION, no cookie
// hashing, and the callers' CONCLUSIONs built before the rounds, so that only the proxy's code is measured.
//
// Per handshake: the caller's INDUCTION, its CONCLUSION, the origin's INDUCTION and CONCLUSION answers, then the
// caller's SHUTDOWN (the link reports 'caller-shutdown'), `--in-flight` sessions open at a time. Prints CPU us per
// handshake (user+system of this process over the round; and of the main thread alone, without the GC's helper
// threads and the log writer thread) and the GC share, per round and the median.

import { openSync } from 'node:fs';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { AdmissionGate } from '../src/admission/admission-gate.js';
import { StickyBalancer } from '../src/balancer/sticky-balancer.js';
import { MemoryProvider } from '../src/balancer/providers/memory.provider.js';
import { RoundRobinStrategy } from '../src/balancer/strategies/round-robin.strategy.js';
import { loadConfig } from '../src/config/load-config.js';
import { SessionEvents } from '../src/events/session-events.js';
import { LogDestination } from '../src/logging/log-destination.js';
import { RejectionLog } from '../src/logging/rejection-log.js';
import { SessionLog } from '../src/logging/session-log.js';
import { OriginRegistry } from '../src/origins/origin-registry.js';
import { SourceGuard } from '../src/srt/abuse/source-guard.js';
import { HandshakeEngine } from '../src/srt/session/handshake-engine.js';
import { ProxyCounters } from '../src/srt/session/proxy-counters.js';
import { SessionManager } from '../src/srt/session/session-manager.js';
import type { DataPath, DataPathCounters, LinkCounters, LinkId } from '../src/srt/transport/data-path.js';
import {
  buildConclusionResponse,
  buildInductionResponse,
  callerConclusion,
  callerInduction,
  decodeHandshake,
  handshakeCookieOf,
} from '../test/support/srt-packets.js';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '5' },
    'in-flight': { type: 'string', default: '64' },
    verified: { type: 'boolean', default: false },
  },
});
const N = Number(values.n);
const ROUNDS = Number(values.rounds);
const IN_FLIGHT = Number(values['in-flight']);
const VERIFIED = values.verified;
const ORIGIN = '127.0.0.1:9000';

/** A data path that moves nothing: it keeps the last datagram sent to a caller and per link to the origin. */
class NoIoDataPath implements DataPath {
  readonly kind = 'js' as const;
  readonly counters: DataPathCounters = { malformed: 0, unknownSession: 0, foreignAddress: 0, sendErrors: 0, socketErrors: 0, originErrors: 0, handshakesShed: 0 };
  lastToCaller: Uint8Array | undefined;
  private nextLink = 1;
  private open = 0;
  listen(): never {
    throw new Error('not used');
  }
  sendToCaller(msg: Uint8Array): boolean {
    this.lastToCaller = msg;
    return true;
  }
  /** Links opened since the round last took them. */
  readonly opened: LinkId[] = [];
  openLink(): LinkId {
    this.open++;
    this.opened.push(this.nextLink);
    return this.nextLink++;
  }
  sendToOrigin(): boolean {
    return true;
  }
  startRelay(): void {}
  closeLink(): void {
    this.open--;
  }
  readLink(_link: LinkId, out: LinkCounters): boolean {
    out.packetsFromCaller = 10;
    out.bytesFromCaller = 13_320;
    return true;
  }
  get openLinks(): number {
    return this.open;
  }
  async close(): Promise<void> {}
}

// One caller address for every session, as bench/hs-load.c: no per-source budget (bench/datapath.ts turns it off too).
const config = loadConfig({ ORIGINS: ORIGIN, LOG_LEVEL: 'info', HANDSHAKE_RATE_PER_SOURCE: '0' });
const dataPath = new NoIoDataPath();
const counters = new ProxyCounters();
const provider = new MemoryProvider({ assignmentTtlMs: 10_000, originForgetMs: 600_000, probeDownTtlMs: 3000 });
const registry = new OriginRegistry(config, provider);
const balancer = new StickyBalancer(provider, new RoundRobinStrategy(), registry, { graceMs: 1000, keepAliveMs: 500 });
const destination = new LogDestination(openSync('/dev/null', 'w'));
const sessions = new SessionManager(
  config,
  dataPath,
  counters,
  balancer,
  registry,
  RejectionLog.withSink({ log: () => undefined, warn: () => undefined } as never),
  new SourceGuard(config),
  new AdmissionGate(config, null),
  new SessionEvents(config, null),
  SessionLog.create('info', destination.stream),
);
const engine = new HandshakeEngine(config, sessions, counters, dataPath, RejectionLog.withSink({ log: () => undefined, warn: () => undefined } as never), new SourceGuard(config));

// The origin's answers, made once: the session only reads their type, cookie and socket id.
const originInduction = buildInductionResponse(decodeHandshake(callerInduction(1))!, 0x1234_5678, '127.0.0.1', 0);
const originConclusion = buildConclusionResponse(decodeHandshake(callerConclusion(1, 1, '#!::r=live/x,m=publish'))!, 0x0abc_def0, '127.0.0.1', 0);

let gcMs = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcMs += e.duration;
}).observe({ entryTypes: ['gc'] });

let port = 1024;
let socketId = 1;
const CALLER_ADDRESS = '::ffff:127.0.0.1';
/** --verified: every round's CONCLUSIONs (socket ids 1..N, the cookie unchecked), the same each round. */
const conclusions = VERIFIED ? Array.from({ length: N }, (_, i) => callerConclusion(i + 1, 1, streamIdOf(i + 1))) : [];

function streamIdOf(id: number): string {
  return `#!::r=live/s${id % 500},m=${id % 10 === 0 ? 'publish' : 'request'}`;
}

/** The caller's INDUCTION and CONCLUSION (--verified: its CONCLUSION only, as the native data path hands it over). */
function begin(i: number): void {
  port = port >= 65_000 ? 1024 : port + 1;
  const address = CALLER_ADDRESS;
  if (VERIFIED) {
    engine.onHandshake(conclusions[i]!, address, port, true);
    return;
  }
  const id = socketId++;
  engine.onHandshake(callerInduction(id), address, port);
  const cookie = handshakeCookieOf(Buffer.from(dataPath.lastToCaller!));
  engine.onHandshake(callerConclusion(id, cookie, streamIdOf(id)), address, port);
}

async function round(): Promise<{ us: number; mainUs: number; gcShare: number }> {
  let begun = 0;
  gcMs = 0;
  const cpu0 = process.cpuUsage();
  const main0 = process.threadCpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    begin(i);
    begun++;
    if (begun >= IN_FLIGHT || i === N - 1) {
      // A promise path (webhook, shared provider) routes in microtasks: let them run first.
      await new Promise((resolve) => setImmediate(resolve));
      const links = dataPath.opened.splice(0);
      if (links.length !== begun) throw new Error(`${begun} handshakes, ${links.length} links: ${JSON.stringify(counters)}`);
      begun = 0;
      for (const link of links) {
        sessions.onOriginHandshake(link, originInduction);
        sessions.onOriginHandshake(link, originConclusion);
      }
      for (const link of links) sessions.onLinkEnded(link, 'caller-shutdown');
      // Let the log destination's writes and any timers run, as the event loop would between batches.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  const cpu = process.cpuUsage(cpu0);
  const main = process.threadCpuUsage(main0);
  const wallMs = performance.now() - t0;
  if (sessions.sessionCount !== 0 || dataPath.openLinks !== 0) throw new Error(`sessions left over: ${JSON.stringify(counters)}`);
  return { us: (cpu.user + cpu.system) / N, mainUs: (main.user + main.system) / N, gcShare: gcMs / wallMs };
}

const results: { us: number; mainUs: number; gcShare: number }[] = [];
await round(); // warm-up
for (let r = 0; r < ROUNDS; r++) {
  const result = await round();
  results.push(result);
  console.log(
    `round ${r + 1}: ${result.us.toFixed(1)} us CPU per handshake (main thread ${result.mainUs.toFixed(1)}), GC ${(100 * result.gcShare).toFixed(1)}% of wall time`,
  );
}
const sorted = results.map((r) => r.us).sort((a, b) => a - b);
const mainSorted = results.map((r) => r.mainUs).sort((a, b) => a - b);
console.log(
  `median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)} us CPU per handshake, main thread ${mainSorted[Math.floor(mainSorted.length / 2)]!.toFixed(1)} (${N} handshakes, ${IN_FLIGHT} in flight, ${ROUNDS} rounds${VERIFIED ? ', --verified' : ''}); accepted ${counters.accepted}`,
);
destination.stream.flushSync();
process.exit(0);
