import pino from 'pino';
import type { LogLevel } from '../config/app-config.js';
import { lineFormat } from './pino-options.js';
import { scrubSecrets } from './redaction.js';

/** The fields every session line starts with; all of them are generated or parsed by the proxy itself. */
export interface SessionIdentity {
  readonly session: string;
  /** The stream key (vhost/app/stream), never the raw stream id. */
  readonly stream: string;
  readonly mode: string;
  /** `address:port`. */
  readonly caller: string;
  readonly origin: string | undefined;
}

export interface SessionStartLine extends SessionIdentity {
  readonly handshakeMs: number;
}

export interface SessionEndLine extends SessionIdentity {
  readonly reason: string | undefined;
  readonly durationMs: number;
  readonly bytesFromCaller: number;
  readonly bytesFromOrigin: number;
  readonly packetsFromCaller: number;
  readonly packetsFromOrigin: number;
  readonly drops: number;
  readonly sendQueueDrops: number;
  readonly sendErrors: number;
  /** Link telemetry, when it is on. */
  readonly rttMs?: number | null;
  readonly lossReported?: number;
  readonly retransmitted?: number;
}

/**
 * The 'session started' and 'session ended' lines, one each per session, in the same JSON shape as every other line
 * (context "Session"). A reconnect wave writes thousands of them a second, so they skip the generic logger's
 * per-line work (Nest's Logger, the argument scrub hook, pino's wildcard `redact` paths), which cost more than the
 * rest of a handshake together: secrets stay out by construction instead, as the line types above admit only
 * proxy-made identifiers and counts, and the one parsed text (the stream key) is still scrubbed.
 */
export class SessionLog {
  private constructor(private readonly logger: pino.Logger) {}

  /** Lines at `level` into `stream` (the application's log destination). */
  static create(level: LogLevel, stream: pino.DestinationStream): SessionLog {
    return new SessionLog(pino(lineFormat(level), stream).child({ context: 'Session' }));
  }

  started(line: SessionStartLine): void {
    if (!this.logger.isLevelEnabled('info')) return;
    this.logger.info({ msg: 'session started', ...line, stream: scrubSecrets(line.stream) });
  }

  ended(line: SessionEndLine): void {
    if (!this.logger.isLevelEnabled('info')) return;
    this.logger.info({ msg: 'session ended', ...line, stream: scrubSecrets(line.stream) });
  }
}
