import type { Origin } from '../../origins/origin.js';
import { buildOriginInduction, buildRejection, buildShutdown } from '../protocol/handshake-builders.js';
import { patchHandshakeCookie } from '../protocol/handshake-patch.js';
import { encodePeerAddress, PEER_ADDRESS_SIZE } from '../protocol/peer-address.js';
import {
  handshakeCookieOf,
  handshakeSocketIdOf,
  handshakeTypeOf,
  HANDSHAKE_PACKET_SIZE,
} from '../protocol/handshake.js';
import { HandshakeType, isRejectionType } from '../protocol/handshake-type.js';
import type { StreamId } from '../protocol/stream-id.js';
import type { SessionLineIdentity } from '../../logging/session-log.js';
import type { LinkCounters, LinkEnd, LinkId } from '../transport/data-path.js';
import type { CloseReason } from './close-reason.js';
import type { HandshakeTimed } from './handshake-timers.js';
import type { SessionHost } from './session-host.js';
import { SessionTelemetry } from './session-telemetry.js';

export type SessionState = 'routing' | 'origin-induction' | 'origin-conclusion' | 'connected' | 'closed';

let nextSessionNumber = 1;

/**
 * One relayed SRT connection: the caller's handshake replayed to its origin over a link of the session's own (the
 * data path's socket connected to the origin), then the data path relays every datagram unchanged both ways. The
 * link stays the same for the whole session because libsrt drops packets from any other source port and binds its
 * cookie to it. The session sees handshakes and ends, never relayed packets; its relay figures are the link's
 * counters as last read (sweep, scrape, close).
 */
export class Session implements HandshakeTimed {
  readonly id: string;
  readonly startedAt: number;
  state: SessionState = 'routing';
  origin: Origin | undefined;
  originSocketId = 0;
  /** The session's link in the data path; 0 before routing opened one. */
  link: LinkId = 0;

  packetsFromCaller = 0;
  bytesFromCaller = 0;
  packetsFromOrigin = 0;
  bytesFromOrigin = 0;
  /** Data packets relayed with the retransmitted flag, by sender (counted with telemetry on). */
  retransmittedFromCaller = 0;
  retransmittedFromOrigin = 0;
  /** ACK and NAK figures; undefined when SRT_TELEMETRY is off. */
  readonly telemetry: SessionTelemetry | undefined;
  /** Datagrams not relayed: from a foreign address with this session's socket id, or stray origin packets. */
  drops = 0;
  /** Relay datagrams dropped because the kernel was not taking them (the bounded send queue was full). */
  sendQueueDrops = 0;
  /** Relay sends the kernel refused. */
  sendErrors = 0;
  /** ms since each side last sent a datagram (since the session connected when none came yet). */
  callerIdleMs = 0;
  originIdleMs = 0;
  connectedAt = 0;
  closeReason: CloseReason | undefined;
  /** The rejection the caller got, when it got one. */
  rejectCode: number | undefined;
  /** Its identity as its log lines write it, made when it connected (SessionLog.identity); '' before. */
  logIdentity = '' as SessionLineIdentity;

  /** The caller's CONCLUSION, patched into the origin's CONCLUSION once the origin's INDUCTION came. */
  private readonly callerConclusion: Buffer;
  private readonly callerCookie: number;
  private originConclusion: Buffer | undefined;
  /** The origin's CONCLUSION answer, resent when the caller repeats its CONCLUSION. */
  private response: Buffer | undefined;
  /** Stray datagrams of the origin during the handshake (the link's own drops come on top). */
  private handshakeDrops = 0;
  /** Date.now() past which the origin handshake has failed, and past which the last handshake datagram is resent. */
  private readonly deadlineAt: number;
  private retryAt = Number.POSITIVE_INFINITY;

  constructor(
    private readonly host: SessionHost,
    readonly callerAddress: string,
    readonly callerPort: number,
    readonly callerSocketId: number,
    readonly streamId: StreamId,
    callerConclusion: Buffer,
  ) {
    this.id = `s${nextSessionNumber++}`;
    this.startedAt = Date.now();
    // A private copy: the origin's CONCLUSION is built from it later, after the caller's buffer has moved on.
    this.callerConclusion = Buffer.from(callerConclusion);
    this.callerCookie = handshakeCookieOf(callerConclusion);
    this.telemetry = host.config.telemetry ? new SessionTelemetry() : undefined;
    this.deadlineAt = this.startedAt + host.config.originHandshakeTimeoutMs;
    host.handshakeTimers.watch(this);
  }

  /**
   * The caller's CONCLUSION as it arrived, until the origin's INDUCTION (from then on it carries the origin's cookie);
   * read-only use: the negative cache keys refusals on it while the session is routed.
   */
  get conclusion(): Uint8Array {
    return this.callerConclusion;
  }

  /** Starts the origin handshake on a fresh link to `origin`. */
  connect(origin: Origin): void {
    if (this.state !== 'routing') return;
    this.origin = origin;
    this.state = 'origin-induction';
    this.link = this.host.openLink(this, origin);
    this.sendInduction();
  }

  /** A CONCLUSION the caller repeated: answer from the session, never start a second origin handshake. */
  onCallerConclusionRepeated(): void {
    if (this.response !== undefined) this.sendToCaller(this.response);
  }

  /** Takes the link's counters as the data path last reported them (sweep, scrape and close time). */
  absorb(c: LinkCounters): void {
    this.packetsFromCaller = c.packetsFromCaller;
    this.bytesFromCaller = c.bytesFromCaller;
    this.packetsFromOrigin = c.packetsFromOrigin;
    this.bytesFromOrigin = c.bytesFromOrigin;
    this.retransmittedFromCaller = c.retransmittedFromCaller;
    this.retransmittedFromOrigin = c.retransmittedFromOrigin;
    this.callerIdleMs = c.callerIdleMs;
    this.originIdleMs = c.originIdleMs;
    this.drops = this.handshakeDrops + c.drops;
    this.sendQueueDrops = c.sendQueueDrops;
    this.sendErrors = c.sendErrors;
    this.telemetry?.absorb(c);
  }

  /** Rejects the caller with a proxy rejection code and frees the session. */
  reject(wireCode: number, reason: CloseReason): void {
    if (this.state === 'closed') return;
    this.host.counters.countRejection(wireCode);
    this.rejectCode = wireCode;
    const rejection = buildRejection(this.callerConclusion, wireCode);
    patchHandshakeCookie(rejection, this.callerCookie);
    this.sendToCaller(rejection);
    this.close(reason, false);
  }

  /**
   * Frees everything the session holds. With `notify`, both sides that may still be alive get a SHUTDOWN so they
   * free at once instead of waiting for their own idle timeout.
   */
  close(reason: CloseReason, notify: boolean): void {
    if (this.state === 'closed') return;
    const wasConnected = this.state === 'connected';
    this.state = 'closed';
    this.closeReason = reason;
    if (notify && wasConnected) {
      const ts = 0;
      if (reason !== 'caller-idle') this.sendToCaller(buildShutdown(this.callerSocketId, ts));
      if (reason !== 'origin-idle') this.host.dataPath.sendToOrigin(this.link, buildShutdown(this.originSocketId, ts));
    }
    this.clearTimers();
    // The host reads the link's final counters before it goes.
    this.host.onClosed(this, wasConnected);
    if (this.link !== 0) this.host.dataPath.closeLink(this.link);
  }

  /** A datagram from the origin on the link before it relays: the origin's handshake answers. */
  onOriginHandshake(msg: Buffer): void {
    if (this.state === 'closed' || this.state === 'connected') return;
    if (msg.length < HANDSHAKE_PACKET_SIZE || msg[0] !== 0x80 || msg[1] !== 0x00) {
      this.host.counters.originStray++;
      this.handshakeDrops++;
      this.drops++;
      return;
    }
    const type = handshakeTypeOf(msg);
    if (isRejectionType(type)) {
      // The origin's own verdict (e.g. 1010 bad passphrase) reaches the caller unchanged.
      this.host.counters.countRejection(type);
      this.rejectCode = type;
      this.sendToCaller(msg);
      this.close('origin-rejected', false);
      return;
    }
    if (this.state === 'origin-induction' && type === HandshakeType.INDUCTION) {
      // The private copy becomes the origin's CONCLUSION (no second copy): only its cookie differs, and whatever
      // is built from the caller's CONCLUSION from now on (a rejection) gets the caller's cookie back.
      patchHandshakeCookie(this.callerConclusion, handshakeCookieOf(msg));
      this.originConclusion = this.callerConclusion;
      this.state = 'origin-conclusion';
      this.sendConclusion();
      return;
    }
    // The origin answering an INDUCTION this session resent (its first answer was late, not lost): a duplicate,
    // neither stray nor a lost datagram, so it is not one of the session's drops.
    if (this.state === 'origin-conclusion' && type === HandshakeType.INDUCTION) return;
    if (this.state === 'origin-conclusion' && type === HandshakeType.CONCLUSION) {
      this.originSocketId = handshakeSocketIdOf(msg);
      // The data path lends its receive memory only for this call; the answer is kept for repeated CONCLUSIONs.
      const answer = Buffer.from(msg);
      // Answer as a libsrt listener would: the caller's own cookie echoed and the caller's address as the peer
      // address (the origin wrote the proxy's, which callers have no business seeing).
      patchHandshakeCookie(answer, this.callerCookie);
      if (!encodePeerAddress(handshakePeerAddressOf(this.callerAddress), answer, PEER_ADDRESS_OFFSET)) {
        // Never let the origin's address through: an all-zero field is what libsrt sends when it has none.
        answer.fill(0, PEER_ADDRESS_OFFSET, PEER_ADDRESS_OFFSET + PEER_ADDRESS_SIZE);
      }
      this.response = answer;
      this.state = 'connected';
      this.connectedAt = Date.now();
      this.clearTimers();
      this.host.dataPath.startRelay(this.link, this.originSocketId, this.telemetry !== undefined);
      this.host.onConnected(this);
      this.host.onOriginSucceeded(this.origin!);
      this.sendToCaller(answer);
      return;
    }
    this.host.counters.originStray++;
    this.handshakeDrops++;
    this.drops++;
  }

  /** The link failed before it relayed (bind/connect failure, ICMP): refuse the caller now, not after 3 s. */
  onLinkError(code: string): void {
    if (this.state === 'closed' || this.state === 'connected') return;
    if (LOCAL_RESOURCE_ERRORS.has(code)) {
      // Our side ran out (fds, ephemeral ports, buffers): the origin is fine, this proxy is full.
      this.reject(this.host.rejections.overload, 'proxy-exhausted');
      return;
    }
    this.host.onOriginFailed(this.origin!);
    this.reject(this.host.rejections.originDown, 'origin-unreachable');
  }

  /** The data path stopped relaying the link by itself (a SHUTDOWN it relayed, or ICMP). */
  onLinkEnded(why: LinkEnd): void {
    if (this.state !== 'connected') return;
    // A SHUTDOWN already reached the other side; an unreachable origin leaves the caller to be told.
    this.close(why, why === 'origin-unreachable');
  }

  /** The shared handshake ticker: give up past the deadline, resend on silence. */
  onHandshakeTick(now: number): void {
    if (now >= this.deadlineAt) this.onDeadline();
    else if (now < this.retryAt) return;
    else if (this.state === 'origin-induction') this.sendInduction();
    else if (this.state === 'origin-conclusion') this.sendConclusion();
  }

  private sendInduction(): void {
    this.host.dataPath.sendToOrigin(this.link, buildOriginInduction(this.callerConclusion));
    this.retryAt = Date.now() + this.host.config.originRetryIntervalMs;
  }

  private sendConclusion(): void {
    if (this.originConclusion !== undefined) this.host.dataPath.sendToOrigin(this.link, this.originConclusion);
    this.retryAt = Date.now() + this.host.config.originRetryIntervalMs;
  }

  private onDeadline(): void {
    if (this.state === 'connected' || this.state === 'closed') return;
    // Still routing means the balancer was slow, not the origin.
    if (this.origin !== undefined) this.host.onOriginFailed(this.origin);
    this.reject(this.host.rejections.originDown, 'origin-timeout');
  }

  /** Handshake-path send to the caller; the data path counts a failure, never throws. */
  private sendToCaller(msg: Uint8Array): void {
    this.host.dataPath.sendToCaller(msg, this.callerAddress, this.callerPort);
  }

  private clearTimers(): void {
    this.retryAt = Number.POSITIVE_INFINITY;
    this.host.handshakeTimers.unwatch(this);
  }
}

const PEER_ADDRESS_OFFSET = 48;

/** This host's limits, not the origin's fault. ENOSPC: the native path's epoll_ctl past the user's epoll watch limit. */
const LOCAL_RESOURCE_ERRORS: ReadonlySet<string> = new Set(['EMFILE', 'ENFILE', 'EADDRINUSE', 'EADDRNOTAVAIL', 'ENOBUFS', 'ENOMEM', 'ENOSPC']);

/**
 * The caller's address as the handshake's Peer IP field takes it: a dual-stack socket reports IPv4 callers as
 * ::ffff:a.b.c.d (the field wants IPv4), and a link-local caller as fe80::1%eth0 (the zone is local to this host and
 * has no place on the wire).
 */
export function handshakePeerAddressOf(address: string): string {
  const zone = address.indexOf('%');
  const bare = zone < 0 ? address : address.slice(0, zone);
  return bare.startsWith('::ffff:') && bare.includes('.') ? bare.slice(7) : bare;
}
