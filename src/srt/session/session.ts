import type { Socket } from 'node:dgram';
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
import { ControlType, controlTypeOf } from '../protocol/packet-header.js';
import type { StreamId } from '../protocol/stream-id.js';
import type { CloseReason } from './close-reason.js';
import type { SessionHost } from './session-host.js';
import { ORIGIN_SOCKET_SEND_QUEUE_LIMIT, PUBLIC_SOCKET_SEND_QUEUE_LIMIT } from '../transport/send-queue-limits.js';
import { SessionTelemetry } from './session-telemetry.js';

export type SessionState = 'routing' | 'origin-induction' | 'origin-conclusion' | 'connected' | 'closed';

let nextSessionNumber = 1;

/**
 * One relayed SRT connection: the caller's handshake replayed to its origin on a socket of the session's own, then
 * every datagram relayed unchanged both ways. The socket stays the same for the whole session because libsrt
 * drops packets from any other source port and binds its cookie to it.
 */
export class Session {
  readonly id: string;
  readonly startedAt: number;
  state: SessionState = 'routing';
  origin: Origin | undefined;
  originSocketId = 0;

  packetsFromCaller = 0;
  bytesFromCaller = 0;
  packetsFromOrigin = 0;
  bytesFromOrigin = 0;
  /** Data packets relayed with the retransmitted flag, by sender. */
  retransmittedFromCaller = 0;
  retransmittedFromOrigin = 0;
  /** ACK and NAK figures; undefined when SRT_TELEMETRY is off. */
  readonly telemetry: SessionTelemetry | undefined;
  /** Datagrams not relayed: from a foreign address with this session's socket id, or stray origin packets. */
  drops = 0;
  /** Relay datagrams dropped because the socket's send queue was at its bound (the kernel was not taking them). */
  sendQueueDrops = 0;
  /** Relay sends the kernel refused (reported through the send callback). */
  sendErrors = 0;
  lastFromCaller: number;
  lastFromOrigin: number;
  connectedAt = 0;
  closeReason: CloseReason | undefined;
  /** The rejection the caller got, when it got one. */
  rejectCode: number | undefined;

  /** Chains sessions whose origins picked the same socket id (see SessionTable). */
  nextWithSameOriginSocketId: Session | undefined;

  private socket: Socket | undefined;
  private readonly callerConclusion: Buffer;
  private readonly callerCookie: number;
  private originConclusion: Buffer | undefined;
  /** The origin's CONCLUSION answer, resent when the caller repeats its CONCLUSION. */
  private response: Buffer | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private deadlineTimer: NodeJS.Timeout | undefined;
  /** One callback per session, shared by every relay send: no closure per packet. */
  private readonly onRelaySent = (error: Error | null): void => {
    if (error !== null) this.sendErrors++;
  };

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
    this.lastFromCaller = host.clock.now;
    this.lastFromOrigin = host.clock.now;
    // A private copy: the origin's CONCLUSION is built from it later, after the caller's buffer has moved on.
    this.callerConclusion = Buffer.from(callerConclusion);
    this.callerCookie = handshakeCookieOf(callerConclusion);
    this.telemetry = host.config.telemetry ? new SessionTelemetry() : undefined;
    this.deadlineTimer = setTimeout(() => this.onDeadline(), host.config.originHandshakeTimeoutMs);
  }

  /** The caller's CONCLUSION as it arrived (read-only use: the negative cache keys refusals on it). */
  get conclusion(): Uint8Array {
    return this.callerConclusion;
  }

  get handshakeKey(): string {
    return handshakeKeyOf(this.callerAddress, this.callerPort, this.callerSocketId);
  }

  /** Starts the origin handshake on a fresh socket connected to `origin`. */
  connect(origin: Origin): void {
    if (this.state !== 'routing') return;
    this.origin = origin;
    this.state = 'origin-induction';
    const socket = this.host.createOriginSocket(origin);
    this.socket = socket;
    socket.on('message', (msg) => this.onOriginMessage(msg));
    socket.on('error', (error: NodeJS.ErrnoException) => this.onOriginError(error));
    // connect() reports bind/connect failures (EACCES, ENETUNREACH, EMFILE...) here, not as an 'error' event.
    socket.connect(origin.port, origin.host, (error?: Error) => {
      if (this.state === 'closed') return;
      if (error !== undefined) {
        this.onOriginError(error as NodeJS.ErrnoException);
        return;
      }
      this.host.tuneSocket(socket);
      this.sendInduction();
    });
  }

  /** A CONCLUSION the caller repeated: answer from the session, never start a second origin handshake. */
  onCallerConclusionRepeated(): void {
    if (this.response !== undefined) this.sendToCaller(this.response);
  }

  /** Hot path: a datagram from the caller addressed to this session's origin socket id. */
  fromCaller(msg: Buffer): void {
    this.packetsFromCaller++;
    this.bytesFromCaller += msg.length;
    this.lastFromCaller = this.host.clock.now;
    const socket = this.socket!;
    // dgram queues in user space what the kernel does not take at once: bound it, drop and count the rest.
    if (socket.getSendQueueCount() < ORIGIN_SOCKET_SEND_QUEUE_LIMIT) socket.send(msg, this.onRelaySent);
    else this.sendQueueDrops++;
    if ((msg[0]! & 0x80) !== 0) this.onCallerControl(msg);
    else if ((msg[4]! & 0x04) !== 0 && this.telemetry !== undefined) this.retransmittedFromCaller++;
  }

  /** Control packets are a few per 10 ms per session: they may be parsed. */
  private onCallerControl(msg: Buffer): void {
    const type = controlTypeOf(msg);
    if (type === ControlType.SHUTDOWN) this.close('caller-shutdown', false);
    else this.telemetry?.byCaller.read(type, msg, Date.now());
  }

  private onOriginControl(msg: Buffer): void {
    const type = controlTypeOf(msg);
    if (type === ControlType.SHUTDOWN) this.close('origin-shutdown', false);
    else this.telemetry?.byOrigin.read(type, msg, Date.now());
  }

  /** Rejects the caller with a proxy rejection code and frees the session. */
  reject(wireCode: number, reason: CloseReason): void {
    if (this.state === 'closed') return;
    this.host.counters.countRejection(wireCode);
    this.rejectCode = wireCode;
    this.sendToCaller(buildRejection(this.callerConclusion, wireCode));
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
      if (reason !== 'origin-idle') this.socket?.send(buildShutdown(this.originSocketId, ts));
    }
    this.clearTimers();
    const socket = this.socket;
    this.socket = undefined;
    if (socket !== undefined) {
      // Let a queued SHUTDOWN leave before the socket goes.
      setImmediate(() => closeQuietly(socket));
    }
    this.host.onClosed(this, wasConnected);
  }

  private onOriginMessage(msg: Buffer): void {
    if (this.state === 'connected') {
      this.packetsFromOrigin++;
      this.bytesFromOrigin += msg.length;
      this.lastFromOrigin = this.host.clock.now;
      const publicSocket = this.host.publicSocket;
      if (publicSocket.getSendQueueCount() < PUBLIC_SOCKET_SEND_QUEUE_LIMIT) {
        publicSocket.send(msg, this.callerPort, this.callerAddress, this.onRelaySent);
      } else {
        this.sendQueueDrops++;
      }
      if ((msg[0]! & 0x80) !== 0) this.onOriginControl(msg);
      else if ((msg[4]! & 0x04) !== 0 && this.telemetry !== undefined) this.retransmittedFromOrigin++;
      return;
    }
    // Between close() and the socket's actual close a late datagram may still arrive: nothing to do with it.
    if (this.state !== 'closed') this.onOriginHandshake(msg);
  }

  private onOriginHandshake(msg: Buffer): void {
    if (msg.length < HANDSHAKE_PACKET_SIZE || msg[0] !== 0x80 || msg[1] !== 0x00) {
      this.host.counters.originStray++;
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
      const conclusion = Buffer.from(this.callerConclusion);
      patchHandshakeCookie(conclusion, handshakeCookieOf(msg));
      this.originConclusion = conclusion;
      this.state = 'origin-conclusion';
      this.sendConclusion();
      return;
    }
    if (this.state === 'origin-conclusion' && type === HandshakeType.CONCLUSION) {
      this.originSocketId = handshakeSocketIdOf(msg);
      // Answer as a libsrt listener would: the caller's own cookie echoed and the caller's address as the peer
      // address (the origin wrote the proxy's, which callers have no business seeing).
      patchHandshakeCookie(msg, this.callerCookie);
      if (!encodePeerAddress(handshakePeerAddressOf(this.callerAddress), msg, PEER_ADDRESS_OFFSET)) {
        // Never let the origin's address through: an all-zero field is what libsrt sends when it has none.
        msg.fill(0, PEER_ADDRESS_OFFSET, PEER_ADDRESS_OFFSET + PEER_ADDRESS_SIZE);
      }
      this.response = msg;
      this.state = 'connected';
      this.connectedAt = Date.now();
      this.lastFromCaller = this.lastFromOrigin = this.host.clock.tick();
      this.clearTimers();
      this.host.onConnected(this);
      this.host.onOriginSucceeded(this.origin!);
      this.sendToCaller(msg);
      return;
    }
    this.host.counters.originStray++;
    this.drops++;
  }

  private onOriginError(error: NodeJS.ErrnoException): void {
    if (this.state === 'closed') return;
    this.host.counters.originErrors++;
    // ICMP unreachable on a connected socket: the origin is not there; say so now, not after 3 s.
    const unreachable = error.code === 'ECONNREFUSED' || error.code === 'EHOSTUNREACH' || error.code === 'ENETUNREACH';
    if (this.state === 'connected') {
      if (unreachable) this.close('origin-unreachable', true);
      return;
    }
    if (LOCAL_RESOURCE_ERRORS.has(error.code ?? '')) {
      // Our side ran out (fds, ephemeral ports, buffers): the origin is fine, this proxy is full.
      this.reject(this.host.rejections.overload, 'proxy-exhausted');
      return;
    }
    this.host.onOriginFailed(this.origin!);
    this.reject(this.host.rejections.originDown, 'origin-unreachable');
  }

  private sendInduction(): void {
    this.socket?.send(buildOriginInduction(this.callerConclusion));
    this.armRetry(() => this.sendInduction());
  }

  private sendConclusion(): void {
    if (this.originConclusion !== undefined) this.socket?.send(this.originConclusion);
    this.armRetry(() => this.sendConclusion());
  }

  private armRetry(resend: () => void): void {
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.state === 'origin-induction' || this.state === 'origin-conclusion') resend();
    }, this.host.config.originRetryIntervalMs);
  }

  private onDeadline(): void {
    this.deadlineTimer = undefined;
    if (this.state === 'connected' || this.state === 'closed') return;
    // Still routing means the balancer was slow, not the origin.
    if (this.origin !== undefined) this.host.onOriginFailed(this.origin);
    this.reject(this.host.rejections.originDown, 'origin-timeout');
  }

  /** Handshake-path send to the caller; a failure is counted, never thrown into a timer or socket callback. */
  private sendToCaller(msg: Buffer): void {
    try {
      this.host.publicSocket.send(msg, this.callerPort, this.callerAddress);
    } catch {
      this.host.counters.sendErrors++;
    }
  }

  private clearTimers(): void {
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    if (this.deadlineTimer !== undefined) clearTimeout(this.deadlineTimer);
    this.retryTimer = this.deadlineTimer = undefined;
  }
}

const PEER_ADDRESS_OFFSET = 48;

const LOCAL_RESOURCE_ERRORS: ReadonlySet<string> = new Set(['EMFILE', 'ENFILE', 'EADDRINUSE', 'EADDRNOTAVAIL', 'ENOBUFS', 'ENOMEM']);

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

export function handshakeKeyOf(address: string, port: number, socketId: number): string {
  return `${address}|${port}|${socketId}`;
}

function closeQuietly(socket: Socket): void {
  try {
    socket.close();
  } catch {
    // Already closed: nothing to free.
  }
}
