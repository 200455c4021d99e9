import { Controller, Get } from '@nestjs/common';
import { OriginRegistry } from '../origins/origin-registry.js';
import { SessionManager } from '../srt/session/session-manager.js';
import { sessionTelemetryView } from './telemetry-view.js';

/** Read-only views for operators and tests. */
@Controller('api/v1')
export class AdminController {
  constructor(
    private readonly sessions: SessionManager,
    private readonly origins: OriginRegistry,
  ) {}

  @Get('origins')
  listOrigins() {
    const cooling = new Set(this.origins.cooling());
    const origins = this.origins.all().map((o) => ({ id: o.id, source: o.source, state: cooling.has(o.id) ? 'cooling-down' : 'up' }));
    return { origins };
  }

  /** Kept for tooling written against the Go proxy. */
  @Get('versions')
  versions() {
    return { signature: 'SRSProxy', version: '1.5.0', implementation: 'srt-proxy' };
  }

  @Get('sessions')
  list() {
    const now = Date.now();
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
      telemetry: sessionTelemetryView(s, now),
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
    };
  }
}
