import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.tokens.js';
import { buildInductionResponse, buildRejection } from '../protocol/handshake-builders.js';
import { conclusionStreamIdOf } from '../protocol/conclusion-stream-id.js';
import {
  handshakeCookieOf,
  handshakeSocketIdOf,
  handshakeTypeOf,
  handshakeVersionOf,
  HANDSHAKE_PACKET_SIZE,
} from '../protocol/handshake.js';
import { HandshakeType } from '../protocol/handshake-type.js';
import { ControlType, controlTypeOf, isControlPacket } from '../protocol/packet-header.js';
import { ProxyRejection, rejectionToWire, SRT_REJ } from '../protocol/rejection-codes.js';
import { parseStreamId } from '../protocol/stream-id.js';
import { SynCookie } from '../protocol/syn-cookie.js';
import { RejectionLog } from '../../logging/rejection-log.js';
import { SourceGuard } from '../abuse/source-guard.js';
import { DATA_PATH, type DataPath } from '../transport/data-path.js';
import { COOKIE_SECRET, cookieSecretOf } from './cookie-secret.js';
import { ProxyCounters } from './proxy-counters.js';
import { SessionManager } from './session-manager.js';

/**
 * Answers what callers send with destination socket id 0: INDUCTION statelessly with a keyed cookie, CONCLUSION by
 * checking the cookie and stream id and opening (or finding) the session.
 */
@Injectable()
export class HandshakeEngine {
  private readonly cookie: SynCookie;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly sessions: SessionManager,
    private readonly counters: ProxyCounters,
    @Inject(DATA_PATH) private readonly dataPath: DataPath,
    private readonly rejections: RejectionLog,
    private readonly guard: SourceGuard,
    // Shared with the data path, which may answer INDUCTIONs itself (DataPathListenOptions.cookieSecret); built
    // without DI (benches), the config's.
    @Inject(COOKIE_SECRET) secret: Buffer = cookieSecretOf(config),
  ) {
    this.cookie = new SynCookie(secret);
  }

  /**
   * A datagram with destination socket id 0 from a caller. Never throws. `cookieVerified`: the data path checked
   * this CONCLUSION's cookie with the same secret already (DataPathEvents.onHandshake).
   */
  onHandshake(msg: Buffer, address: string, port: number, cookieVerified = false): void {
    const counters = this.counters;
    if (msg.length < HANDSHAKE_PACKET_SIZE || !isControlPacket(msg) || controlTypeOf(msg) !== ControlType.HANDSHAKE) {
      counters.malformed++;
      return;
    }
    const type = handshakeTypeOf(msg);
    if (type === HandshakeType.INDUCTION) {
      counters.inductions++;
      this.send(buildInductionResponse(msg, this.cookie.issue(address, port)), address, port);
      return;
    }
    if (type !== HandshakeType.CONCLUSION) {
      // WAVEAHAND is rendezvous: nothing to route on.
      counters.unsupported++;
      return;
    }
    if (!cookieVerified && !this.cookie.verify(address, port, handshakeCookieOf(msg))) {
      // As libsrt does: a wrong cookie gets no answer, so spoofed sources learn nothing.
      counters.badCookie++;
      return;
    }
    const callerSocketId = handshakeSocketIdOf(msg);
    if (this.sessions.answerRepeatedConclusion(address, port, callerSocketId)) {
      counters.repeatedConclusions++;
      return;
    }
    counters.conclusions++;
    if (handshakeVersionOf(msg) !== 5) {
      counters.unsupported++;
      this.reject(msg, rejectionToWire(SRT_REJ.VERSION), address, port, { reason: 'hsv4-caller' });
      return;
    }
    // Per-source limits (docs/ABUSE.md): a redial of a refusal is answered from cache, a source over its budget
    // is dropped unanswered (its caller resends in 250 ms), both before any parsing or logging.
    const cached = this.guard.cachedRejection(address, msg);
    if (cached !== undefined) {
      counters.cachedRejections++;
      counters.countRejection(cached);
      this.send(buildRejection(msg, cached), address, port);
      return;
    }
    if (!this.guard.admitsHandshake(address)) {
      counters.rateLimited++;
      return;
    }
    const decoded = conclusionStreamIdOf(msg);
    if (!decoded.ok) {
      counters.malformed++;
      this.reject(msg, ProxyRejection.BAD_REQUEST, address, port, { reason: 'malformed-handshake' });
      return;
    }
    const text = decoded.value;
    const streamId = text === undefined ? undefined : parseStreamId(text);
    if (streamId === undefined || !streamId.ok) {
      // The code only: a stream id can carry secrets (e.g. `secret=` params), so its text is never logged.
      const error = streamId === undefined ? 'MISSING' : streamId.error.code;
      this.reject(msg, ProxyRejection.BAD_REQUEST, address, port, { reason: 'bad-stream-id', error });
      this.guard.rememberRejection(address, msg, ProxyRejection.BAD_REQUEST, 'bad-stream-id');
      return;
    }
    if (this.sessions.isDraining || this.sessions.full) {
      const reason = this.sessions.isDraining ? 'draining' : 'max-sessions';
      this.reject(msg, ProxyRejection.OVERLOAD, address, port, { reason, stream: streamId.value.key, mode: streamId.value.mode });
      return;
    }
    if (!this.guard.admitsSession(address)) {
      counters.sourceCapped++;
      this.reject(msg, ProxyRejection.OVERLOAD, address, port, { reason: 'max-sessions-per-source', stream: streamId.value.key, mode: streamId.value.mode });
      return;
    }
    this.sessions.open(address, port, callerSocketId, streamId.value, msg);
  }

  private reject(msg: Buffer, wireCode: number, address: string, port: number, why: Record<string, unknown>): void {
    this.counters.countRejection(wireCode);
    this.rejections.record(address, wireCode, { caller: `${address}:${port}`, ...why });
    this.send(buildRejection(msg, wireCode), address, port);
  }

  /** The data path counts a send that failed; the handshake path has nothing else to do about it. */
  private send(msg: Buffer, address: string, port: number): void {
    this.dataPath.sendToCaller(msg, address, port);
  }
}
