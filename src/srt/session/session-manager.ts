import { Inject, Injectable, Logger } from '@nestjs/common';
import { ACQUIRE_PENDING, BALANCER, type Balancer } from '../../balancer/balancer.js';
import type { AppConfig, SrtConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.tokens.js';
import type { Origin } from '../../origins/origin.js';
import { ProxyRejection } from '../protocol/rejection-codes.js';
import type { StreamId } from '../protocol/stream-id.js';
import { CoarseClock } from './coarse-clock.js';
import { HandshakeTimers } from './handshake-timers.js';
import { ProxyCounters } from './proxy-counters.js';
import { Session } from './session.js';
import type { SessionHost } from './session-host.js';
import { SessionTable } from './session-table.js';
import { LinkTotals } from './link-totals.js';
import { streamLinks, type StreamLinkFigures } from './stream-links.js';
import type { ModeOriginCount, ProxySnapshot } from './proxy-snapshot.js';
import { ORIGIN_REPORTS, type OriginReports } from '../../origins/origin-reports.js';
import type { SessionView } from './session-view.js';
import { DATA_PATH, emptyLinkCounters, type DataPath, type LinkEnd, type LinkId } from '../transport/data-path.js';
import { RejectionLog } from '../../logging/rejection-log.js';
import { SessionLog, type SessionIdentity } from '../../logging/session-log.js';
import { SourceGuard } from '../abuse/source-guard.js';
import { AdmissionGate, type AdmissionVerdict } from '../../admission/admission-gate.js';
import { SessionEvents } from '../../events/session-events.js';
import { admissionRequestOf, sessionEventOf } from './session-admission.js';

const SWEEP_INTERVAL_MS = 500;

/**
 * Owns every session: creates them from accepted CONCLUSIONs, asks the balancer for their origin, routes the data
 * path's link events to them, sweeps idle ones and frees them. Nest wires it at start-up; nothing here runs per
 * relayed packet (the data path relays; sessions read its counters at sweep, scrape and close time).
 */
@Injectable()
export class SessionManager {
  private readonly clock = new CoarseClock();
  private readonly table = new SessionTable();
  private readonly config: SrtConfig;
  /** Sessions by their link, for the data path's events. */
  private readonly byLink = new Map<LinkId, Session>();
  /** The one object every readLink() writes into (no allocation per read). */
  private readonly scratch = emptyLinkCounters();
  /** What sessions see of this manager (kept apart so that the manager's own surface stays small). */
  private readonly host: SessionHost;
  private sweeper: NodeJS.Timeout | undefined;
  private draining = false;
  private readonly logger = new Logger('Session');
  private readonly handshakeObservers: ((seconds: number) => void)[] = [];
  private readonly rttObservers: ((session: Session, seconds: number) => void)[] = [];
  private readonly linkTotals = new LinkTotals();

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(DATA_PATH) private readonly dataPath: DataPath,
    private readonly counters: ProxyCounters,
    @Inject(BALANCER) private readonly balancer: Balancer,
    @Inject(ORIGIN_REPORTS) private readonly origins: OriginReports,
    private readonly rejectionLog: RejectionLog,
    private readonly guard: SourceGuard,
    private readonly admission: AdmissionGate,
    private readonly events: SessionEvents,
    private readonly sessionLog: SessionLog,
  ) {
    this.config = config.srt;
    this.host = {
      dataPath,
      counters: this.counters,
      handshakeTimers: new HandshakeTimers(),
      config: this.config,
      rejections: { originDown: ProxyRejection.DOWN, overload: ProxyRejection.OVERLOAD },
      openLink: (session, origin) => this.openLink(session, origin),
      onConnected: (session) => this.onConnected(session),
      onClosed: (session, wasConnected) => this.onClosed(session, wasConnected),
      onOriginFailed: (origin) => this.origins.reportFailure(origin),
      onOriginSucceeded: (origin) => this.origins.reportSuccess(origin),
    };
  }

  /** Starts the idle sweep; called by the listener once the data path listens. */
  start(): void {
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

  /** Live sessions, connected or in their handshake. */
  get sessionCount(): number {
    return this.table.size;
  }

  /** Whether a new session would exceed MAX_SESSIONS (0 = no limit). */
  get full(): boolean {
    return this.config.maxSessions > 0 && this.table.size >= this.config.maxSessions;
  }

  /**
   * A CONCLUSION from a caller (address, port, socket id) whose session is under way: answered from that session,
   * never a second origin handshake. False when there is no such session.
   */
  answerRepeatedConclusion(address: string, port: number, callerSocketId: number): boolean {
    const existing = this.table.get(address, port, callerSocketId);
    if (existing === undefined) return false;
    existing.onCallerConclusionRepeated();
    return true;
  }

  /** The data path's events about links (the listener routes them here). */
  onOriginHandshake(link: LinkId, msg: Buffer): void {
    this.byLink.get(link)?.onOriginHandshake(msg);
  }

  onLinkError(link: LinkId, code: string): void {
    this.byLink.get(link)?.onLinkError(code);
  }

  onLinkEnded(link: LinkId, why: LinkEnd): void {
    this.byLink.get(link)?.onLinkEnded(why);
  }

  /** Opens a session for an accepted CONCLUSION and starts routing it. */
  open(address: string, port: number, callerSocketId: number, streamId: StreamId, conclusion: Buffer): Session {
    const session = new Session(this.host, address, port, callerSocketId, streamId, conclusion);
    this.table.add(session);
    this.guard.sessionOpened(address);
    this.counters.sessionsOpened++;
    // Admission before the balancer: a refused caller never gets an origin assigned, let alone contacted. Its time
    // counts inside the session's handshake deadline, which started with the CONCLUSION. Static rules and a balancer
    // whose state is in this process answer at once: the session then reaches its origin before this returns, with
    // no promise or closure on the way (a reconnect wave is thousands of these a second).
    const verdict = this.admission.decideNow(streamId.mode === 'publish' ? 'publish' : 'play', address);
    if (verdict === undefined) this.admitLater(session);
    else if (this.admitted(session, verdict)) this.acquire(session);
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

  /** The live sessions as the admin API lists them, with their link counters read now. */
  sessionViews(): SessionView[] {
    this.refreshAll();
    return [...this.table.values()];
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
    this.refreshAll();
    return streamLinks(this.table.values(), max);
  }

  /** Every count the proxy keeps, read at once (metrics scrape); walks the live sessions, never the packets. */
  snapshot(): ProxySnapshot {
    this.refreshAll();
    const c = this.counters;
    const dp = this.dataPath.counters;
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
        // The native data path answers INDUCTIONs itself (DataPathListenOptions.cookieSecret).
        inductions: c.inductions + (dp.inductions ?? 0),
        conclusions: c.conclusions,
        repeatedConclusions: c.repeatedConclusions,
        accepted: c.accepted,
        rejected: new Map(c.rejected),
      },
      traffic: { packetsFromCaller, bytesFromCaller, packetsFromOrigin, bytesFromOrigin, sessionDrops, sendQueueDrops, sendErrors },
      drops: {
        malformed: c.malformed + dp.malformed,
        unknownSession: dp.unknownSession,
        foreignAddress: dp.foreignAddress,
        badCookie: c.badCookie + (dp.badCookie ?? 0),
        unsupported: c.unsupported,
        originStray: c.originStray,
        rateLimited: c.rateLimited,
        handshakesShed: dp.handshakesShed,
      },
      sources: { ...this.guard.sizes, sourceCapped: c.sourceCapped, cachedRejectionsSent: c.cachedRejections },
      errors: { send: dp.sendErrors, origin: dp.originErrors, socket: dp.socketErrors },
      originSockets: this.dataPath.openLinks,
      dataPath: this.dataPath.kind,
      draining: this.draining,
      links: this.linkTotals.collect(this.table.values()),
      admission: this.admission.counts(),
      events: this.events.counts(),
    };
  }

  private openLink(session: Session, origin: Origin): LinkId {
    const link = this.dataPath.openLink(origin.host, origin.port, session.callerAddress, session.callerPort);
    this.byLink.set(link, session);
    return link;
  }

  /** Reads a session's link counters into the session (a no-op before its link opened). */
  private refresh(session: Session): void {
    if (session.link !== 0 && this.dataPath.readLink(session.link, this.scratch)) session.absorb(this.scratch);
  }

  private refreshAll(): void {
    for (const session of this.table.values()) this.refresh(session);
  }

  private onConnected(session: Session): void {
    this.table.markConnected();
    this.counters.accepted++;
    this.counters.countConnected(session.streamId.mode, session.origin!.id);
    const handshakeMs = session.connectedAt - session.startedAt;
    for (const observe of this.handshakeObservers) observe(handshakeMs / 1000);
    // Its identity fields, formatted once for both of its lines (the origin is known from now on and never changes).
    session.logIdentity = this.sessionLog.identity(identify(session));
    // Stamped with the time it connected (this same turn): no second clock read.
    this.sessionLog.started(session.logIdentity, handshakeMs, session.connectedAt);
    if (this.events.enabled) this.events.publish(sessionEventOf(session, 'start'));
  }

  private onClosed(session: Session, wasConnected: boolean): void {
    // The link's final figures, read before the session closes it.
    this.refresh(session);
    if (session.link !== 0) this.byLink.delete(session.link);
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
    const t = session.telemetry;
    // '' only if it ended on its way to connected (before onConnected ran).
    const identity = session.logIdentity === '' ? this.sessionLog.identity(identify(session)) : session.logIdentity;
    const now = Date.now();
    this.sessionLog.ended(identity, {
      reason: session.closeReason,
      durationMs: now - session.connectedAt,
      bytesFromCaller: session.bytesFromCaller,
      bytesFromOrigin: session.bytesFromOrigin,
      packetsFromCaller: session.packetsFromCaller,
      packetsFromOrigin: session.packetsFromOrigin,
      drops: session.drops,
      sendQueueDrops: session.sendQueueDrops,
      sendErrors: session.sendErrors,
      // Link figures only when telemetry is on (absent fields are left out of the line).
      rttMs: t === undefined ? undefined : t.receiver === undefined ? null : t.receiver.rttUs / 1000,
      lossReported: t === undefined ? undefined : t.byOrigin.lossReported + t.byCaller.lossReported,
      retransmitted: t === undefined ? undefined : session.retransmittedFromCaller + session.retransmittedFromOrigin,
    }, now);
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

  /** The admission webhook decides (I/O): the same steps as the synchronous path, after its answer. */
  private admitLater(session: Session): void {
    this.admission
      .decide(admissionRequestOf(session))
      .then((verdict) => {
        if (this.admitted(session, verdict)) this.acquire(session);
      })
      .catch((error: unknown) => this.routingFailed(session, error));
  }

  /** Applies an admission verdict; true when the session goes on to the balancer. */
  private admitted(session: Session, verdict: AdmissionVerdict): boolean {
    if (!verdict.allowed) {
      // A rule or webhook refusal stands for seconds: redials get it from the negative cache. A failed webhook
      // (ADMISSION_ON_ERROR=deny) may answer on the next dial, so that one is not remembered.
      if (verdict.reason !== 'admission-unavailable') {
        this.guard.rememberRejection(session.callerAddress, session.conclusion, ProxyRejection.FORBIDDEN, verdict.reason);
      }
      session.reject(ProxyRejection.FORBIDDEN, verdict.reason);
      return false;
    }
    return session.state !== 'closed';
  }

  /** Asks the balancer for the session's origin and routes it there; never throws. */
  private acquire(session: Session): void {
    const key = session.streamId.key;
    try {
      const origin = this.balancer.acquireNow(key);
      if (origin !== ACQUIRE_PENDING) {
        this.route(session, origin);
        return;
      }
    } catch (error) {
      this.routingFailed(session, error);
      return;
    }
    this.balancer
      .acquire(key)
      .then((origin) => this.route(session, origin))
      .catch((error: unknown) => this.routingFailed(session, error));
  }

  /** A throw on the way to the origin (a balancer bug): the caller is refused, nothing escapes (that would end the process). */
  private routingFailed(session: Session, error: unknown): void {
    this.logger.error(`routing ${session.streamId.key} failed: ${error instanceof Error ? error.message : String(error)}`);
    session.reject(ProxyRejection.DOWN, 'no-origin');
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
      this.refresh(session);
      if (session.telemetry !== undefined) this.sampleTelemetry(session, now);
      const callerIdle = session.callerIdleMs > idle;
      const originIdle = session.originIdleMs > idle;
      if (callerIdle && originIdle) session.close('idle', true);
      else if (callerIdle) session.close('caller-idle', true);
      else if (originIdle) session.close('origin-idle', true);
    }
  }

  private sampleTelemetry(session: Session, now: number): void {
    const t = session.telemetry!;
    t.sample(now, session.bytesFromCaller, session.bytesFromOrigin);
    const rttUs = t.takeRttSample();
    if (rttUs === undefined) return;
    const seconds = rttUs / 1e6;
    for (const observe of this.rttObservers) observe(session, seconds);
  }
}

/** The fields every session log line starts with. */
function identify(session: Session): SessionIdentity {
  return {
    session: session.id,
    stream: session.streamId.key,
    mode: session.streamId.mode,
    caller: callerOf(session),
    origin: session.origin?.id,
  };
}

function callerOf(session: Session): string {
  return `${session.callerAddress}:${session.callerPort}`;
}
