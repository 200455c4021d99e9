import { Controller, Get, Inject } from '@nestjs/common';
import { BALANCER, type Balancer } from '../balancer/balancer.js';
import { OriginRegistry } from '../origins/origin-registry.js';
import { SessionManager } from '../srt/session/session-manager.js';

/** Read-only views for operators and tests. */
@Controller('api/v1')
export class AdminController {
  constructor(
    private readonly sessions: SessionManager,
    private readonly origins: OriginRegistry,
    @Inject(BALANCER) private readonly balancer: Balancer,
  ) {}

  /** Every origin with its source, health (probe, failures, heartbeat), and what this replica sends to it. */
  @Get('origins')
  listOrigins() {
    const sessions = this.sessions.sessionsByOrigin();
    const streams = new Map<string, number>();
    for (const a of this.balancer.assignments()) streams.set(a.origin.id, (streams.get(a.origin.id) ?? 0) + 1);
    const origins = this.origins.views().map((o) => ({ ...o, streams: streams.get(o.id) ?? 0, sessions: sessions.get(o.id) ?? 0 }));
    return { origins };
  }

  /** The streams this replica carries (or holds in their grace period), with their origin and sessions by mode. */
  @Get('streams')
  listStreams() {
    const now = Date.now();
    const byStream = this.sessions.sessionsByStream();
    const streams = this.balancer.assignments().map((a) => ({
      streamKey: a.streamKey,
      origin: a.origin.id,
      sessions: byStream.get(a.streamKey) ?? {},
      ageMs: now - a.since,
      since: new Date(a.since).toISOString(),
      fallback: a.fallback,
    }));
    return { streams };
  }

  /** Kept for tooling written against the Go proxy. */
  @Get('versions')
  versions() {
    return { signature: 'SRSProxy', version: '1.5.0', implementation: 'srt-proxy' };
  }

  @Get('sessions')
  list() {
    const sessions = [...this.sessions.table.values()].map((s) => ({
      id: s.id,
      caller: `${s.callerAddress}:${s.callerPort}`,
      callerSocketId: s.callerSocketId,
      originSocketId: s.originSocketId,
      origin: s.origin?.id ?? null,
      streamKey: s.streamId.key,
      mode: s.streamId.mode,
      state: s.state,
      startedAt: new Date(s.startedAt).toISOString(),
      packetsFromCaller: s.packetsFromCaller,
      bytesFromCaller: s.bytesFromCaller,
      packetsFromOrigin: s.packetsFromOrigin,
      bytesFromOrigin: s.bytesFromOrigin,
      drops: s.drops,
    }));
    return { sessions };
  }

  @Get('stats')
  stats() {
    const c = this.sessions.counters;
    const table = this.sessions.table;
    return {
      sessions: { active: table.connectedCount, handshaking: table.handshakingCount, opened: c.sessionsOpened, closed: c.sessionsClosed },
      handshakes: {
        inductions: c.inductions,
        conclusions: c.conclusions,
        repeatedConclusions: c.repeatedConclusions,
        accepted: c.accepted,
        rejected: Object.fromEntries([...c.rejected].map(([code, n]) => [String(code), n])),
      },
      drops: {
        malformed: c.malformed,
        unknownSession: c.unknownSession,
        foreignAddress: c.foreignAddress,
        badCookie: c.badCookie,
        unsupported: c.unsupported,
        originStray: c.originStray,
      },
      errors: { send: c.sendErrors, origin: c.originErrors, socket: c.socketErrors },
      originSockets: this.sessions.openOriginSockets,
      draining: this.sessions.isDraining,
      balancer: this.balancer.stats(),
      origins: { known: this.origins.all().length, available: this.origins.available().length },
      degraded: degradedReasons(this.balancer, this.origins),
    };
  }
}

/** What is wrong but does not stop this replica from carrying media (so readiness stays up). */
export function degradedReasons(balancer: Balancer, origins: OriginRegistry): string[] {
  const reasons: string[] = [];
  const provider = balancer.stats().provider;
  if (!provider.reachable) reasons.push(`provider ${provider.provider} unreachable`);
  if (origins.available().length === 0) reasons.push('no origin available');
  return reasons;
}
