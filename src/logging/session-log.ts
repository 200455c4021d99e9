import type { LogLevel } from '../config/app-config.js';
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
 * (level name, ISO time, service, context "Session", msg). A reconnect wave writes thousands of them a second, so
 * they skip the generic logger's per-line work (Nest's Logger, the argument scrub hook, pino's wildcard `redact`
 * paths and its generic serializer), which cost more than the rest of a handshake together. Secrets stay out by
 * construction instead: the line types above admit only proxy-made identifiers and numbers, and the one parsed text
 * (the stream key) is still scrubbed. The line goes into the application's log destination like any other.
 */
export class SessionLog {
  private isoAt = -1;
  private iso = '';
  /**
   * The pieces of the line being written, joined once into the line: concatenating them one by one made a string per
   * piece (about 2 KB of garbage per session at a few hundred bytes of line), this makes the line and the numbers'
   * text only. Reused; the slots past a line's last piece hold ''.
   */
  private readonly pieces: string[] = [];
  private at = 0;

  private constructor(
    private readonly stream: { write(line: string): unknown },
    private readonly enabled: boolean,
    /** The part of a line that never changes: what pino's `base` (with the bindings) and the Nest context write. */
    private readonly fixed: string,
  ) {}

  /**
   * Lines at info, written when `level` lets info through, into `stream` (the application's log destination);
   * `bindings` as on every other line (an SRT worker's `worker` number).
   */
  static create(level: LogLevel, stream: { write(line: string): unknown }, bindings: Record<string, unknown> = {}): SessionLog {
    let fixed = `"service":"srt-proxy"`;
    for (const [key, value] of Object.entries(bindings)) fixed += `,${JSON.stringify(key)}:${JSON.stringify(value)}`;
    return new SessionLog(stream, level === 'debug' || level === 'info', `${fixed},"context":"Session"`);
  }

  started(line: SessionStartLine): void {
    if (!this.enabled) return;
    this.head('session started', line);
    this.number(',"handshakeMs":', line.handshakeMs);
    this.write();
  }

  ended(line: SessionEndLine): void {
    if (!this.enabled) return;
    // Field by field in a fixed order: a new field of SessionEndLine needs its line here.
    this.head('session ended', line);
    if (line.reason !== undefined) this.string(',"reason":', line.reason);
    this.number(',"durationMs":', line.durationMs);
    this.number(',"bytesFromCaller":', line.bytesFromCaller);
    this.number(',"bytesFromOrigin":', line.bytesFromOrigin);
    this.number(',"packetsFromCaller":', line.packetsFromCaller);
    this.number(',"packetsFromOrigin":', line.packetsFromOrigin);
    this.number(',"drops":', line.drops);
    this.number(',"sendQueueDrops":', line.sendQueueDrops);
    this.number(',"sendErrors":', line.sendErrors);
    if (line.rttMs !== undefined) this.number(',"rttMs":', line.rttMs);
    if (line.lossReported !== undefined) this.number(',"lossReported":', line.lossReported);
    if (line.retransmitted !== undefined) this.number(',"retransmitted":', line.retransmitted);
    this.write();
  }

  /** Everything up to the line's own fields; an absent origin is no field (as JSON.stringify and pino do). */
  private head(msg: string, id: SessionIdentity): void {
    this.at = 0;
    this.piece('{"level":"info","time":"');
    this.piece(this.isoNow());
    this.piece('",');
    this.piece(this.fixed);
    this.piece(',"msg":"');
    this.piece(msg);
    this.piece('"');
    this.string(',"session":', id.session);
    this.string(',"stream":', scrubSecrets(id.stream));
    this.string(',"mode":', id.mode);
    this.string(',"caller":', id.caller);
    if (id.origin !== undefined) this.string(',"origin":', id.origin);
  }

  private piece(text: string): void {
    this.pieces[this.at++] = text;
  }

  /** `key` (with its comma and colon) and `value` as a JSON string: quoted as it is when nothing in it needs escaping. */
  private string(key: string, value: string): void {
    this.piece(key);
    if (NEEDS_ESCAPE.test(value)) {
      this.piece(JSON.stringify(value));
      return;
    }
    this.piece('"');
    this.piece(value);
    this.piece('"');
  }

  /** NaN and infinities as null (as JSON has them); null as null. */
  private number(key: string, value: number | null): void {
    this.piece(key);
    this.piece(value !== null && Number.isFinite(value) ? String(value) : 'null');
  }

  private write(): void {
    this.piece('}\n');
    const pieces = this.pieces;
    for (let i = this.at; i < pieces.length; i++) pieces[i] = '';
    this.stream.write(pieces.join(''));
  }

  /** The ISO time of now, formatted once per millisecond (lines come in bursts). */
  private isoNow(): string {
    const now = Date.now();
    if (now !== this.isoAt) {
      this.isoAt = now;
      this.iso = new Date(now).toISOString();
    }
    return this.iso;
  }
}

/**
 * What JSON.stringify would escape in a string: quote, backslash, control characters and (as a lone surrogate would
 * be) any surrogate; a string without them is its own JSON text between quotes.
 */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;
