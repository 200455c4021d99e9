import { Controller, Get, Inject } from '@nestjs/common';
import { BALANCER, type Balancer } from '../balancer/balancer.js';
import { OriginRegistry } from '../origins/origin-registry.js';
import { SessionManager } from '../srt/session/session-manager.js';
import { sessionTelemetryView, streamTelemetryView } from './telemetry-view.js';

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
    const links = new Map<string, Record<string, ReturnType<typeof streamTelemetryView>>>();
    for (const f of this.sessions.streamLinks(Number.MAX_SAFE_INTEGER).streams) {
      let modes = links.get(f.streamKey);
      if (modes === undefined) links.set(f.streamKey, (modes = {}));
      modes[f.mode] = streamTelemetryView(f);
    }
    const streams = this.balancer.assignments().map((a) => ({
      streamKey: a.streamKey,
      origin: a.origin.id,
      sessions: byStream.get(a.streamKey) ?? {},
      ageMs: now - a.since,
      since: new Date(a.since).toISOString(),
      fallback: a.fallback,
      telemetry: links.get(a.streamKey) ?? {},
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
    const sessions = this.sessions.sessionViews().map((s) => ({
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
      sendQueueDrops: s.sendQueueDrops,
      sendErrors: s.sendErrors,
      telemetry: sessionTelemetryView(s),
    }));
    return { sessions };
  }

  @Get('stats')
  stats() {
    const snapshot = this.sessions.snapshot();
    const { sessions, handshakes } = snapshot;
    return {
      sessions: { active: sessions.connected, handshaking: sessions.handshaking, opened: sessions.opened, closed: sessions.closed },
      handshakes: {
        inductions: handshakes.inductions,
        conclusions: handshakes.conclusions,
        repeatedConclusions: handshakes.repeatedConclusions,
        accepted: handshakes.accepted,
        rejected: Object.fromEntries([...handshakes.rejected].map(([code, n]) => [String(code), n])),
      },
      drops: snapshot.drops,
      sources: snapshot.sources,
      errors: snapshot.errors,
      originSockets: snapshot.originSockets,
      dataPath: snapshot.dataPath,
      draining: snapshot.draining,
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
