import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { BALANCER, type Balancer } from '../../balancer/balancer.js';
import type { AppConfig, SrtConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.tokens.js';
import type { Origin } from '../../origins/origin.js';
import { ProxyRejection } from '../protocol/rejection-codes.js';
import type { StreamId } from '../protocol/stream-id.js';
import { CoarseClock } from './coarse-clock.js';
import { ProxyCounters } from './proxy-counters.js';
import { Session } from './session.js';
import type { SessionHost } from './session-host.js';
import { SessionTable } from './session-table.js';
import { LinkTotals } from './link-totals.js';
import { streamLinks, type StreamLinkFigures } from './stream-links.js';
import type { ModeOriginCount, ProxySnapshot } from './proxy-snapshot.js';
import { ORIGIN_REPORTS, type OriginReports } from '../../origins/origin-reports.js';
import { applySocketBuffers } from '../transport/socket-buffers.js';
import { RejectionLog } from '../../logging/rejection-log.js';
import { SourceGuard } from '../abuse/source-guard.js';
import { AdmissionGate } from '../../admission/admission-gate.js';
import { SessionEvents } from '../../events/session-events.js';
import { admissionRequestOf, sessionEventOf } from './session-admission.js';

const SWEEP_INTERVAL_MS = 500;

/**
 * Owns every session: creates them from accepted CONCLUSIONs, asks the balancer for their origin, sweeps idle ones
 * and frees them. Nest wires it at start-up; nothing here runs per relayed packet except through Session.
 */
@Injectable()
export class SessionManager implements SessionHost {
  readonly counters = new ProxyCounters();
  readonly clock = new CoarseClock();
  readonly table = new SessionTable();
  readonly config: SrtConfig;
  readonly rejections = { originDown: ProxyRejection.DOWN, overload: ProxyRejection.OVERLOAD };
  private socket: Socket | undefined;
  private sweeper: NodeJS.Timeout | undefined;
  private draining = false;
  private originSockets = 0;
  private readonly logger = new Logger('Session');
  private readonly handshakeObservers: ((seconds: number) => void)[] = [];
  private readonly rttObservers: ((session: Session, seconds: number) => void)[] = [];
  private readonly linkTotals = new LinkTotals();

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(BALANCER) private readonly balancer: Balancer,
    @Inject(ORIGIN_REPORTS) private readonly origins: OriginReports,
    private readonly rejectionLog: RejectionLog,
    private readonly guard: SourceGuard,
    private readonly admission: AdmissionGate,
    private readonly events: SessionEvents,
  ) {
    this.config = config.srt;
  }

  get publicSocket(): Socket {
    if (this.socket === undefined) throw new Error('SRT listener is not bound');
    return this.socket;
  }

  /** Called by the transport once the public socket is bound. */
  attach(socket: Socket): void {
    this.socket = socket;
    this.sweeper = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  get isDraining(): boolean {
    return this.draining;
  }

  /** New callers are refused (2402) from now on; live sessions go on. */
  drain(): void {
    this.draining = true;
  }

  /** Whether a new session would exceed MAX_SESSIONS (0 = no limit). */
  get full(): boolean {
    return this.config.maxSessions > 0 && this.table.size >= this.config.maxSessions;
  }

  /** Opens a session for an accepted CONCLUSION and starts routing it. */
  open(address: string, port: number, callerSocketId: number, streamId: StreamId, conclusion: Buffer): Session {
    const session = new Session(this, address, port, callerSocketId, streamId, conclusion);
    this.table.add(session);
    this.guard.sessionOpened(address);
    this.counters.sessionsOpened++;
    // Admission before the balancer: a refused caller never gets an origin assigned, let alone contacted. Its time
    // counts inside the session's handshake deadline, which started with the CONCLUSION.
    this.admission
      .decide(admissionRequestOf(session))
      .then((verdict) => {
        if (!verdict.allowed) {
          // A rule or webhook refusal stands for seconds: redials get it from the negative cache. A failed webhook
          // (ADMISSION_ON_ERROR=deny) may answer on the next dial, so that one is not remembered.
          if (verdict.reason !== 'admission-unavailable') {
            this.guard.rememberRejection(session.callerAddress, session.conclusion, ProxyRejection.FORBIDDEN, verdict.reason);
          }
          session.reject(ProxyRejection.FORBIDDEN, verdict.reason);
          return;
        }
        if (session.state === 'closed') return;
        // A throw here (balancer bug) lands in the catch below like a rejected promise.
        return this.balancer.acquire(streamId.key).then((origin) => this.route(session, origin));
      })
      .catch((error: unknown) => {
        // Nothing may escape into an unhandled rejection: that would take the whole process down.
        this.logger.error(`routing ${streamId.key} failed: ${error instanceof Error ? error.message : String(error)}`);
        session.reject(ProxyRejection.DOWN, 'no-origin');
      });
    return session;
  }

  /** Sessions per stream key and per mode (connected or handshaking), for the API; walks the table once. */
  sessionsByStream(): Map<string, Record<string, number>> {
    const out = new Map<string, Record<string, number>>();
    for (const session of this.table.values()) {
      if (session.state === 'closed') continue;
      let modes = out.get(session.streamId.key);
      if (modes === undefined) out.set(session.streamId.key, (modes = {}));
      modes[session.streamId.mode] = (modes[session.streamId.mode] ?? 0) + 1;
    }
    return out;
  }

  /** Sessions per origin id, for the API. */
  sessionsByOrigin(): Map<string, number> {
    const out = new Map<string, number>();
    for (const session of this.table.values()) {
      if (session.origin !== undefined && session.state !== 'closed') out.set(session.origin.id, (out.get(session.origin.id) ?? 0) + 1);
    }
    return out;
  }

  /**
   * Ends one session by its id (the API's DELETE): a connected one gets SHUTDOWN on both sides, one still in its
   * handshake a 2403. False when there is no such session.
   */
  end(id: string): boolean {
    for (const session of this.table.values()) {
      if (session.id !== id || session.state === 'closed') continue;
      if (session.state === 'connected') session.close('ended-by-admin', true);
      else session.reject(ProxyRejection.FORBIDDEN, 'ended-by-admin');
      return true;
    }
    return false;
  }

  createOriginSocket(origin: Origin): Socket {
    const socket = createSocket({ type: isIPv6(origin.host) ? 'udp6' : 'udp4' });
    this.originSockets++;
    socket.once('close', () => this.originSockets--);
    return socket;
  }

  /** Origin sockets not yet closed; must return to 0 when no session is left (leak check). */
  get openOriginSockets(): number {
    return this.originSockets;
  }

  tuneSocket(socket: Socket): void {
    const size = this.config.originSocketBufferBytes;
    const problem = applySocketBuffers(socket, { receiveBufferBytes: size, sendBufferBytes: size });
    if (problem !== undefined) this.logger.warn(problem);
  }

  /** `observer` hears, once per accepted handshake, how long it took from the caller's CONCLUSION (seconds). */
  observeHandshakes(observer: (seconds: number) => void): void {
    this.handshakeObservers.push(observer);
  }

  /**
   * `observer` hears each connected session's RTT (seconds, the data receiver's smoothed figure) once per sweep in
   * which that receiver sent a full ACK.
   */
  observeRtt(observer: (session: Session, seconds: number) => void): void {
    this.rttObservers.push(observer);
  }

  /** Live link figures by stream key and mode, at most `max` streams (per-stream metrics, the streams view). */
  streamLinks(max: number): { streams: StreamLinkFigures[]; omitted: number } {
    return streamLinks(this.table.values(), max);
  }

  /** Every count the proxy keeps, read at once (metrics scrape); walks the live sessions, never the packets. */
  snapshot(): ProxySnapshot {
    const c = this.counters;
    const live = new Map<string, { mode: ModeOriginCount['mode']; origin: string; count: number }>();
    let packetsFromCaller = c.closedPacketsFromCaller;
    let bytesFromCaller = c.closedBytesFromCaller;
    let packetsFromOrigin = c.closedPacketsFromOrigin;
    let bytesFromOrigin = c.closedBytesFromOrigin;
    let sessionDrops = c.closedSessionDrops;
    let sendQueueDrops = c.closedSendQueueDrops;
    let sendErrors = c.closedRelaySendErrors;
    for (const s of this.table.values()) {
      packetsFromCaller += s.packetsFromCaller;
      bytesFromCaller += s.bytesFromCaller;
      packetsFromOrigin += s.packetsFromOrigin;
      bytesFromOrigin += s.bytesFromOrigin;
      sessionDrops += s.drops;
      sendQueueDrops += s.sendQueueDrops;
      sendErrors += s.sendErrors;
      if (s.state !== 'connected' || s.origin === undefined) continue;
      const key = `${s.streamId.mode}|${s.origin.id}`;
      const entry = live.get(key);
      if (entry === undefined) live.set(key, { mode: s.streamId.mode, origin: s.origin.id, count: 1 });
      else entry.count++;
    }
    const connectedTotal: ModeOriginCount[] = [];
    for (const [mode, byOrigin] of c.connectedByModeOrigin) {
      for (const [origin, count] of byOrigin) connectedTotal.push({ mode, origin, count });
    }
    return {
      sessions: {
        live: [...live.values()],
        connected: this.table.connectedCount,
        handshaking: this.table.handshakingCount,
        opened: c.sessionsOpened,
        closed: c.sessionsClosed,
        connectedTotal,
        endedTotal: new Map(c.endedByReason),
      },
      handshakes: {
        inductions: c.inductions,
        conclusions: c.conclusions,
        repeatedConclusions: c.repeatedConclusions,
        accepted: c.accepted,
        rejected: new Map(c.rejected),
      },
      traffic: { packetsFromCaller, bytesFromCaller, packetsFromOrigin, bytesFromOrigin, sessionDrops, sendQueueDrops, sendErrors },
      drops: {
        malformed: c.malformed,
        unknownSession: c.unknownSession,
        foreignAddress: c.foreignAddress,
        badCookie: c.badCookie,
        unsupported: c.unsupported,
        originStray: c.originStray,
        rateLimited: c.rateLimited,
      },
      sources: { ...this.guard.sizes, sourceCapped: c.sourceCapped, cachedRejectionsSent: c.cachedRejections },
      errors: { send: c.sendErrors, origin: c.originErrors, socket: c.socketErrors },
      originSockets: this.originSockets,
      draining: this.draining,
      links: this.linkTotals.collect(this.table.values()),
      admission: this.admission.counts(),
      events: this.events.counts(),
    };
  }

  onConnected(session: Session): void {
    this.table.index(session);
    this.counters.accepted++;
    this.counters.countConnected(session.streamId.mode, session.origin!.id);
    const handshakeMs = session.connectedAt - session.startedAt;
    for (const observe of this.handshakeObservers) observe(handshakeMs / 1000);
    this.logger.log({ msg: 'session started', ...identify(session), handshakeMs });
    if (this.events.enabled) this.events.publish(sessionEventOf(session, 'start'));
  }

  onClosed(session: Session, wasConnected: boolean): void {
    this.table.remove(session, wasConnected);
    this.guard.sessionClosed(session.callerAddress);
    const c = this.counters;
    c.sessionsClosed++;
    c.closedPacketsFromCaller += session.packetsFromCaller;
    c.closedBytesFromCaller += session.bytesFromCaller;
    c.closedPacketsFromOrigin += session.packetsFromOrigin;
    c.closedBytesFromOrigin += session.bytesFromOrigin;
    c.closedSessionDrops += session.drops;
    c.closedSendQueueDrops += session.sendQueueDrops;
    c.closedRelaySendErrors += session.sendErrors;
    if (wasConnected) this.linkTotals.addEnded(session);
    if (wasConnected) c.countEnded(session.closeReason!);
    if (wasConnected && this.events.enabled) this.events.publish(sessionEventOf(session, 'end'));
    if (session.origin !== undefined) this.balancer.release(session.streamId.key, session.origin, wasConnected);
    if (!wasConnected) {
      // Sampled per caller address and code: a caller retrying a refused handshake must not flood the log.
      this.rejectionLog.record(session.callerAddress, session.rejectCode ?? 0, { ...identify(session), reason: session.closeReason });
      return;
    }
    this.logger.log({
      msg: 'session ended',
      ...identify(session),
      reason: session.closeReason,
      durationMs: Date.now() - session.connectedAt,
      bytesFromCaller: session.bytesFromCaller,
      bytesFromOrigin: session.bytesFromOrigin,
      packetsFromCaller: session.packetsFromCaller,
      packetsFromOrigin: session.packetsFromOrigin,
      drops: session.drops,
      sendQueueDrops: session.sendQueueDrops,
      sendErrors: session.sendErrors,
      ...endTelemetry(session),
    });
  }

  onOriginFailed(origin: Origin): void {
    this.origins.reportFailure(origin);
  }

  onOriginSucceeded(origin: Origin): void {
    this.origins.reportSuccess(origin);
  }

  /**
   * Ends every session on shutdown: connected ones get SHUTDOWN on both sides, callers still in their handshake a
   * 2402 so they retry elsewhere at once instead of waiting out their 3 s.
   */
  closeAll(): void {
    for (const session of [...this.table.values()]) {
      if (session.state === 'connected') session.close('proxy-shutdown', true);
      else session.reject(ProxyRejection.OVERLOAD, 'proxy-shutdown');
    }
    if (this.sweeper !== undefined) clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  private route(session: Session, origin: Origin | undefined): void {
    if (session.state === 'closed') {
      if (origin !== undefined) this.balancer.release(session.streamId.key, origin, false);
      return;
    }
    if (origin === undefined) {
      this.guard.rememberRejection(session.callerAddress, session.conclusion, ProxyRejection.DOWN, 'no-origin');
      session.reject(ProxyRejection.DOWN, 'no-origin');
      return;
    }
    session.connect(origin);
  }

  private sweep(): void {
    const now = this.clock.tick();
    const idle = this.config.sessionIdleTimeoutMs;
    for (const session of this.table.values()) {
      if (session.state !== 'connected') continue;
      if (session.telemetry !== undefined) this.sampleTelemetry(session, now);
      const callerIdle = now - session.lastFromCaller > idle;
      const originIdle = now - session.lastFromOrigin > idle;
      if (callerIdle && originIdle) session.close('idle', true);
      else if (callerIdle) session.close('caller-idle', true);
      else if (originIdle) session.close('origin-idle', true);
    }
  }

  private sampleTelemetry(session: Session, now: number): void {
    const t = session.telemetry!;
    t.sample(now, session.bytesFromCaller, session.bytesFromOrigin);
    const receiver = t.receiver;
    if (receiver === undefined || receiver.fullAcks === receiver.sampledFullAcks) return;
    receiver.sampledFullAcks = receiver.fullAcks;
    const seconds = receiver.ack.rttUs / 1e6;
    for (const observe of this.rttObservers) observe(session, seconds);
  }
}

/** Link figures for the session-end log line (none when telemetry is off). */
function endTelemetry(session: Session): Record<string, unknown> {
  const t = session.telemetry;
  if (t === undefined) return {};
  const receiver = t.receiver;
  return {
    rttMs: receiver === undefined ? null : receiver.ack.rttUs / 1000,
    lossReported: t.byOrigin.lossReported + t.byCaller.lossReported,
    retransmitted: session.retransmittedFromCaller + session.retransmittedFromOrigin,
  };
}

/** The fields every session log line starts with. */
function identify(session: Session): Record<string, unknown> {
  return {
    session: session.id,
    stream: session.streamId.key,
    mode: session.streamId.mode,
    caller: `${session.callerAddress}:${session.callerPort}`,
    origin: session.origin?.id,
  };
}
