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
    this.stream.write(`${this.head('session started', line)},"handshakeMs":${encode(line.handshakeMs)}}\n`);
  }

  ended(line: SessionEndLine): void {
    if (!this.enabled) return;
    // Field by field in a fixed order (a reconnect wave writes thousands of these a second): a new field of
    // SessionEndLine needs its line here.
    let text = this.head('session ended', line);
    if (line.reason !== undefined) text += `,"reason":${encode(line.reason)}`;
    text +=
      `,"durationMs":${encode(line.durationMs)},"bytesFromCaller":${encode(line.bytesFromCaller)}` +
      `,"bytesFromOrigin":${encode(line.bytesFromOrigin)},"packetsFromCaller":${encode(line.packetsFromCaller)}` +
      `,"packetsFromOrigin":${encode(line.packetsFromOrigin)},"drops":${encode(line.drops)}` +
      `,"sendQueueDrops":${encode(line.sendQueueDrops)},"sendErrors":${encode(line.sendErrors)}`;
    if (line.rttMs !== undefined) text += `,"rttMs":${encode(line.rttMs)}`;
    if (line.lossReported !== undefined) text += `,"lossReported":${encode(line.lossReported)}`;
    if (line.retransmitted !== undefined) text += `,"retransmitted":${encode(line.retransmitted)}`;
    this.stream.write(`${text}}\n`);
  }

  /** Everything up to the line's own fields; an absent origin is no field (as JSON.stringify and pino do). */
  private head(msg: string, id: SessionIdentity): string {
    let text =
      `{"level":"info","time":"${this.isoNow()}",${this.fixed},"msg":"${msg}","session":${encode(id.session)}` +
      `,"stream":${encode(scrubSecrets(id.stream))},"mode":${encode(id.mode)},"caller":${encode(id.caller)}`;
    if (id.origin !== undefined) text += `,"origin":${encode(id.origin)}`;
    return text;
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

/** A field value as JSON: strings quoted and escaped, numbers as numbers (NaN and infinities as null, as JSON has them). */
function encode(value: unknown): string {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  return value === null ? 'null' : JSON.stringify(String(value));
}
