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

/**
 * A session's identity fields as its lines write them (`,"session":"s1",...`, the stream key scrubbed, strings
 * escaped), made once per session by SessionLog.identity and written into both of its lines.
 */
export type SessionLineIdentity = string & { readonly __sessionLineIdentity: never };

export interface SessionEndLine {
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
 *
 * What two lines of a session share (its identity) is formatted once, and what every line of a millisecond shares
 * (everything up to the identity) once per millisecond; a line is those and its numbers, concatenated (V8 makes a
 * rope of them, flattened once as the destination encodes it: cheaper than joining an array of pieces).
 */
export class SessionLog {
  private headsAt = -1;
  private startedHead = '';
  private endedHead = '';

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

  /** The identity fields of a session's lines, for started() and ended(); an absent origin is no field (as JSON.stringify and pino do). */
  identity(id: SessionIdentity): SessionLineIdentity {
    if (!this.enabled) return '' as SessionLineIdentity;
    let text = ',"session":' + jsonString(id.session) + ',"stream":' + jsonString(scrubSecrets(id.stream)) + ',"mode":' + jsonString(id.mode);
    text += ',"caller":' + jsonString(id.caller);
    if (id.origin !== undefined) text += ',"origin":' + jsonString(id.origin);
    return text as SessionLineIdentity;
  }

  /** `at`: the line's time (Date.now() of the event, which the caller has read already). */
  started(identity: SessionLineIdentity, handshakeMs: number, at = Date.now()): void {
    if (!this.enabled) return;
    this.refreshHeads(at);
    this.stream.write(this.startedHead + identity + ',"handshakeMs":' + numberText(handshakeMs) + '}\n');
  }

  ended(identity: SessionLineIdentity, line: SessionEndLine, at = Date.now()): void {
    if (!this.enabled) return;
    // Field by field in a fixed order: a new field of SessionEndLine needs its line here.
    this.refreshHeads(at);
    let text = this.endedHead + identity;
    if (line.reason !== undefined) text += ',"reason":' + jsonString(line.reason);
    text += ',"durationMs":' + numberText(line.durationMs);
    text += ',"bytesFromCaller":' + numberText(line.bytesFromCaller);
    text += ',"bytesFromOrigin":' + numberText(line.bytesFromOrigin);
    text += ',"packetsFromCaller":' + numberText(line.packetsFromCaller);
    text += ',"packetsFromOrigin":' + numberText(line.packetsFromOrigin);
    text += ',"drops":' + numberText(line.drops);
    text += ',"sendQueueDrops":' + numberText(line.sendQueueDrops);
    text += ',"sendErrors":' + numberText(line.sendErrors);
    if (line.rttMs !== undefined) text += ',"rttMs":' + numberText(line.rttMs);
    if (line.lossReported !== undefined) text += ',"lossReported":' + numberText(line.lossReported);
    if (line.retransmitted !== undefined) text += ',"retransmitted":' + numberText(line.retransmitted);
    this.stream.write(text + '}\n');
  }

  /** Everything up to a line's identity, with the ISO time of `now`: formatted once per millisecond (lines come in bursts). */
  private refreshHeads(now: number): void {
    if (now === this.headsAt) return;
    this.headsAt = now;
    const head = '{"level":"info","time":"' + new Date(now).toISOString() + '",' + this.fixed + ',"msg":"';
    this.startedHead = head + 'session started"';
    this.endedHead = head + 'session ended"';
  }
}

/** `value` as a JSON string: quoted as it is when nothing in it needs escaping. */
function jsonString(value: string): string {
  return NEEDS_ESCAPE.test(value) ? JSON.stringify(value) : '"' + value + '"';
}

/** NaN and infinities as null (as JSON has them); null as null. */
function numberText(value: number | null): string {
  return value !== null && Number.isFinite(value) ? String(value) : 'null';
}

/**
 * What JSON.stringify would escape in a string: quote, backslash, control characters and (as a lone surrogate would
 * be) any surrogate; a string without them is its own JSON text between quotes.
 */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;
