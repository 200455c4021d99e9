import { Logger } from '@nestjs/common';
import { randomFillSync } from 'node:crypto';
import dgram from 'node:dgram';
import { isIP } from 'node:net';
import { buildProbeInduction } from '../srt/protocol/handshake-builders.js';
import { HANDSHAKE_PACKET_SIZE, handshakeTypeOf } from '../srt/protocol/handshake.js';
import { HandshakeType, isRejectionType } from '../srt/protocol/handshake-type.js';
import { ControlType, controlTypeOf, destinationSocketIdOf, isControlPacket } from '../srt/protocol/packet-header.js';
import { ProbeVerdicts, type ProbeVerdict } from './probe-verdicts.js';

export type { ProbeVerdict } from './probe-verdicts.js';

export interface ProbeTarget {
  readonly id: string;
  /** An IP literal (Origin.host always is): the answer is matched against this exact source address. */
  readonly host: string;
  readonly port: number;
}

export interface OriginProberOptions {
  /** Time between rounds; 0 = the probe is off (start() binds nothing, no verdicts). */
  intervalMs: number;
  /** How long a round waits for answers; must be below intervalMs. */
  timeoutMs: number;
  missesToDown: number;
  /** Local addresses to bind (tests use loopback); default the wildcard of each family. */
  bind?: { readonly v4?: string; readonly v6?: string };
}

/** What the probe saw; for stats views and tests. */
export interface ProbeCounters {
  rounds: number;
  sent: number;
  answered: number;
  /** Datagrams that are not an SRT handshake at all. */
  garbage: number;
  /** Handshakes from an unexpected address, for an unknown or expired probe, or of an unexpected type. */
  stray: number;
  sendErrors: number;
  /** Errors reported by a probe socket itself (not tied to one send). */
  socketErrors: number;
}

interface TargetState {
  readonly id: string;
  readonly host: string;
  readonly port: number;
  readonly family: 4 | 6;
  /** Socket id of the probe in flight this round; 0 when none. */
  socketId: number;
}

/** Random socket ids drawn in batches: one randomFillSync per 256 probes, not one allocation per probe. */
const ID_BATCH = 256;

/**
 * The active probe: every `intervalMs` an SRT INDUCTION to each origin's SRT port from one UDP socket per family.
 * An INDUCTION response (or an SRT rejection: a listener that refuses is alive) from the target's address,
 * addressed to the probe's random socket id, within `timeoutMs` is an answer; anything else on the socket is
 * counted and ignored. Verdicts (`up` on the first answer, `down` after `missesToDown` misses in a row) go to
 * `onVerdict` on change. One timer per round, not per probe; nothing per probe beyond its 64-byte datagram.
 * Never throws into its timers or socket handlers.
 */
export class OriginProber {
  private readonly logger = new Logger('OriginProber');
  private readonly verdicts: ProbeVerdicts;
  private targets = new Map<string, TargetState>();
  /** Probes in flight, by the socket id the answer is addressed to. */
  private readonly inFlight = new Map<number, TargetState>();
  private socket4: dgram.Socket | undefined;
  private socket6: dgram.Socket | undefined;
  private roundTimer: NodeJS.Timeout | undefined;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private readonly ids = new Uint32Array(ID_BATCH);
  private nextId = ID_BATCH;
  private running = false;
  readonly counters: ProbeCounters = { rounds: 0, sent: 0, answered: 0, garbage: 0, stray: 0, sendErrors: 0, socketErrors: 0 };

  constructor(
    private readonly options: OriginProberOptions,
    private readonly onVerdict: (originId: string, verdict: ProbeVerdict) => void,
  ) {
    const { intervalMs, timeoutMs, missesToDown } = options;
    if (!Number.isSafeInteger(intervalMs) || intervalMs < 0) throw new RangeError(`intervalMs must be >= 0, got ${intervalMs}`);
    if (intervalMs > 0 && (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1 || timeoutMs >= intervalMs)) {
      throw new RangeError(`timeoutMs must be from 1 to intervalMs - 1 (${intervalMs - 1}), got ${timeoutMs}`);
    }
    this.verdicts = new ProbeVerdicts(missesToDown);
  }

  /** Replaces the set of origins to probe. Kept origins keep their state; new ones are probed from the next round. */
  setTargets(targets: readonly ProbeTarget[]): void {
    const next = new Map<string, TargetState>();
    for (const target of targets) {
      const host = unmapped(target.host);
      const family = isIP(host);
      if (family === 0) throw new TypeError(`probe target ${target.id}: host ${JSON.stringify(target.host)} is not an IP literal`);
      if (!Number.isInteger(target.port) || target.port < 1 || target.port > 65535) {
        throw new RangeError(`probe target ${target.id}: port ${target.port} is out of range`);
      }
      const current = this.targets.get(target.id);
      if (current !== undefined && current.host === host && current.port === target.port) {
        next.set(target.id, current);
      } else {
        next.set(target.id, { id: target.id, host, port: target.port, family: family === 6 ? 6 : 4, socketId: 0 });
      }
    }
    for (const [id, state] of this.targets) {
      if (next.get(id) === state) continue;
      // Gone or moved: its probe in flight no longer counts, and its history is not the new address's.
      if (state.socketId !== 0) this.inFlight.delete(state.socketId);
      state.socketId = 0;
      this.verdicts.forget(id);
    }
    this.targets = next;
  }

  async start(): Promise<void> {
    if (this.running || this.options.intervalMs === 0) return;
    this.running = true;
    this.socket4 = await this.bind('udp4', this.options.bind?.v4 ?? '0.0.0.0');
    this.socket6 = await this.bind('udp6', this.options.bind?.v6 ?? '::');
    this.roundTimer = setInterval(() => this.round(), this.options.intervalMs);
    this.roundTimer.unref();
    // The first round at once: an origin's state is known one timeout after start, not one interval.
    this.round();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearInterval(this.roundTimer);
    clearTimeout(this.deadlineTimer);
    this.roundTimer = undefined;
    this.deadlineTimer = undefined;
    this.inFlight.clear();
    for (const state of this.targets.values()) state.socketId = 0;
    await Promise.all([close(this.socket4), close(this.socket6)]);
    this.socket4 = undefined;
    this.socket6 = undefined;
  }

  verdictOf(originId: string): ProbeVerdict | undefined {
    return this.verdicts.verdictOf(originId);
  }

  /** The local UDP ports probes leave from (for tests and diagnostics). */
  localPorts(): { v4: number | undefined; v6: number | undefined } {
    return { v4: this.socket4?.address().port, v6: this.socket6?.address().port };
  }

  private async bind(type: 'udp4' | 'udp6', address: string): Promise<dgram.Socket | undefined> {
    const socket = dgram.createSocket({ type, ipv6Only: type === 'udp6' });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(0, address, () => {
          socket.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      // No IPv6 on this host (or no IPv4): probes of that family count as misses, the rest work.
      this.logger.warn(`cannot bind the ${type} probe socket on ${address}: ${(error as Error).message}; ${type} origins will be reported down`);
      socket.close();
      return undefined;
    }
    socket.on('message', this.onMessage);
    socket.on('error', (error) => {
      this.counters.socketErrors += 1;
      this.logger.warn(`probe socket ${type}: ${error.message}`);
    });
    return socket;
  }

  private round(): void {
    try {
      // A deadline left over (timer delayed by a blocked loop) settles its round before the next one starts.
      if (this.deadlineTimer !== undefined) this.settleRound();
      this.counters.rounds += 1;
      for (const state of this.targets.values()) this.send(state);
      this.deadlineTimer = setTimeout(() => this.settleRound(), this.options.timeoutMs);
      this.deadlineTimer.unref();
    } catch (error) {
      this.logger.error(`probe round failed: ${(error as Error).message}`);
    }
  }

  private send(state: TargetState): void {
    const socketId = this.freshSocketId();
    state.socketId = socketId;
    this.inFlight.set(socketId, state);
    const socket = state.family === 6 ? this.socket6 : this.socket4;
    if (socket === undefined) {
      this.counters.sendErrors += 1;
      return; // stays in flight unanswered: a miss at the deadline
    }
    this.counters.sent += 1;
    try {
      // The id doubles as the sequence number: random, and the listener ignores it in an INDUCTION anyway.
      socket.send(buildProbeInduction(socketId, socketId), state.port, state.host, this.onSent);
    } catch {
      this.counters.sendErrors += 1;
    }
  }

  private readonly onSent = (error: Error | null): void => {
    // A failed send leaves the probe unanswered, so it is a miss at the deadline.
    if (error !== null) this.counters.sendErrors += 1;
  };

  private settleRound(): void {
    clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
    for (const state of this.inFlight.values()) {
      state.socketId = 0;
      this.report(state.id, this.verdicts.missed(state.id));
    }
    this.inFlight.clear();
  }

  private readonly onMessage = (packet: Buffer, from: dgram.RemoteInfo): void => {
    if (packet.length < HANDSHAKE_PACKET_SIZE || !isControlPacket(packet) || controlTypeOf(packet) !== ControlType.HANDSHAKE) {
      this.counters.garbage += 1;
      return;
    }
    const socketId = destinationSocketIdOf(packet);
    const state = this.inFlight.get(socketId);
    const type = handshakeTypeOf(packet);
    if (
      state === undefined ||
      from.address !== state.host ||
      from.port !== state.port ||
      (type !== HandshakeType.INDUCTION && !isRejectionType(type))
    ) {
      this.counters.stray += 1;
      return;
    }
    this.inFlight.delete(socketId);
    state.socketId = 0;
    this.counters.answered += 1;
    this.report(state.id, this.verdicts.answered(state.id));
  };

  private report(originId: string, verdict: ProbeVerdict | undefined): void {
    if (verdict === undefined) return;
    try {
      this.onVerdict(originId, verdict);
    } catch (error) {
      this.logger.error(`verdict handler failed for ${originId} (${verdict}): ${(error as Error).message}`);
    }
  }

  /** A random non-zero 31-bit socket id not used by a probe in flight (libsrt ids are positive 32-bit ints). */
  private freshSocketId(): number {
    for (;;) {
      if (this.nextId === ID_BATCH) {
        randomFillSync(this.ids);
        this.nextId = 0;
      }
      const id = this.ids[this.nextId++]! & 0x7fffffff;
      if (id !== 0 && !this.inFlight.has(id)) return id;
    }
  }
}

/** `::ffff:10.0.0.1` is sent to (and answers from) 10.0.0.1 on the IPv4 socket. */
function unmapped(host: string): string {
  const prefix = '::ffff:';
  if (host.length > prefix.length && host.slice(0, prefix.length).toLowerCase() === prefix) {
    const v4 = host.slice(prefix.length);
    if (isIP(v4) === 4) return v4;
  }
  return host;
}

function close(socket: dgram.Socket | undefined): Promise<void> {
  if (socket === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    try {
      socket.close(() => resolve());
    } catch {
      resolve();
    }
  });
}
