import type { Socket } from 'node:dgram';
import { ControlType, controlTypeOf } from '../protocol/packet-header.js';
import { emptyReceiverCounters, type DataPathCounters, type DataPathEvents, type LinkCounters, type LinkId } from './data-path.js';
import { countReceiverReport } from './receiver-reports.js';
import type { RelayEntry } from './relay-index.js';
import { ORIGIN_SOCKET_SEND_QUEUE_LIMIT, PUBLIC_SOCKET_SEND_QUEUE_LIMIT } from './send-queue-limits.js';

export const enum LinkState {
  /** The origin socket is binding and connecting; a handshake datagram sent now waits for it. */
  Connecting,
  /** Connected; the origin's datagrams go to the session logic (its handshake answers). */
  Handshake,
  Relaying,
  /** Stopped relaying by itself (SHUTDOWN, ICMP); waits for closeLink(). */
  Ended,
  Closed,
}

/** What a link reads of the data path around it. */
export interface JsLinkHost {
  readonly publicSocket: Socket;
  readonly counters: DataPathCounters;
  readonly events: DataPathEvents;
  /** Coarse ms clock (see JsDataPath): the per-packet path records activity with a field read. */
  readonly now: number;
}

/**
 * One session's link on node:dgram: its own socket connected to the origin (libsrt drops packets from any other
 * source port and binds its cookie to it), the relay both ways once started, and the link's counters. The relay
 * methods run per packet: no allocation, closure, Promise or logging; the few closures here are made once per link.
 */
export class JsLink implements RelayEntry<JsLink> {
  state = LinkState.Connecting;
  originSocketId = 0;
  nextWithSameOriginSocketId: JsLink | undefined;
  telemetry = false;

  packetsFromCaller = 0;
  bytesFromCaller = 0;
  packetsFromOrigin = 0;
  bytesFromOrigin = 0;
  retransmittedFromCaller = 0;
  retransmittedFromOrigin = 0;
  drops = 0;
  sendQueueDrops = 0;
  sendErrors = 0;
  lastFromCaller = 0;
  lastFromOrigin = 0;
  readonly byCaller = emptyReceiverCounters();
  readonly byOrigin = emptyReceiverCounters();
  /** Coarse ms of each side's last full ACK, 0 before the first. */
  callerFullAckAt = 0;
  originFullAckAt = 0;
  /** A handshake datagram sent while connecting, sent once connected (the session resends on its own beat). */
  pending: Uint8Array | undefined;
  /** Inside openLink(): an error now is told on the next turn, once the session knows its link (see onError). */
  opening = false;

  /** One callback per link, shared by every relay send. */
  readonly onSent = (error: Error | null): void => {
    if (error !== null) this.sendErrors++;
  };

  constructor(
    readonly id: LinkId,
    readonly socket: Socket,
    readonly callerAddress: string,
    readonly callerPort: number,
    private readonly host: JsLinkHost,
  ) {}

  /** Hot path: a datagram from this link's caller, addressed to its origin socket id. */
  fromCaller(msg: Buffer): void {
    if (this.state !== LinkState.Relaying) return;
    this.packetsFromCaller++;
    this.bytesFromCaller += msg.length;
    this.lastFromCaller = this.host.now;
    const socket = this.socket;
    // dgram queues in user space what the kernel does not take at once: bound it, drop and count the rest.
    if (socket.getSendQueueCount() < ORIGIN_SOCKET_SEND_QUEUE_LIMIT) socket.send(msg, this.onSent);
    else this.sendQueueDrops++;
    if ((msg[0]! & 0x80) !== 0) {
      const type = controlTypeOf(msg);
      if (type === ControlType.SHUTDOWN) this.end('caller-shutdown');
      else if (this.telemetry && countReceiverReport(type, msg, this.byCaller)) this.callerFullAckAt = this.host.now;
    } else if ((msg[4]! & 0x04) !== 0 && this.telemetry) {
      this.retransmittedFromCaller++;
    }
  }

  /** Hot path once relaying: every datagram of the origin socket. */
  readonly fromOrigin = (msg: Buffer): void => {
    if (this.state === LinkState.Relaying) {
      if (msg.length < 16) {
        this.drops++;
        return;
      }
      this.packetsFromOrigin++;
      this.bytesFromOrigin += msg.length;
      this.lastFromOrigin = this.host.now;
      const pub = this.host.publicSocket;
      if (pub.getSendQueueCount() < PUBLIC_SOCKET_SEND_QUEUE_LIMIT) pub.send(msg, this.callerPort, this.callerAddress, this.onSent);
      else this.sendQueueDrops++;
      if ((msg[0]! & 0x80) !== 0) {
        const type = controlTypeOf(msg);
        if (type === ControlType.SHUTDOWN) this.end('origin-shutdown');
        else if (this.telemetry && countReceiverReport(type, msg, this.byOrigin)) this.originFullAckAt = this.host.now;
      } else if ((msg[4]! & 0x04) !== 0 && this.telemetry) {
        this.retransmittedFromOrigin++;
      }
      return;
    }
    if (this.state === LinkState.Handshake) this.host.events.onOriginHandshake(this.id, msg);
    // Ended or closed: a late datagram has nowhere to go.
  };

  readonly onError = (error: NodeJS.ErrnoException): void => {
    // dgram emits a bind failure (EMFILE...) synchronously inside connect() when the address is a literal
    // (literalLookup). Told on the next turn, as the DataPath contract says: now, no session knows this link yet and
    // the error was lost (measured: 2503 after the origin handshake timeout, the origin blamed, instead of 2402).
    // And the socket is closed now (it holds no fd), before connect() queues itself behind a bind that will never
    // succeed: a close() behind that queue never runs, and the data path's close() waited for it forever.
    if (this.opening) {
      this.socket.close();
      setImmediate(this.onError, error);
      return;
    }
    this.host.counters.originErrors++;
    if (this.state === LinkState.Closed || this.state === LinkState.Ended) return;
    const code = error.code ?? 'EIO';
    if (this.state === LinkState.Relaying) {
      // ICMP unreachable on a connected socket: the origin is not there; say so now, not after the idle timeout.
      if (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') this.end('origin-unreachable');
      return;
    }
    this.host.events.onLinkError(this.id, code);
  };

  /** Handshake-path send to the origin. */
  send(msg: Uint8Array): boolean {
    if (this.state === LinkState.Connecting) {
      this.pending = msg;
      return true;
    }
    if (this.state === LinkState.Closed) return false;
    try {
      this.socket.send(msg);
      return true;
    } catch {
      this.host.counters.sendErrors++;
      return false;
    }
  }

  startRelay(originSocketId: number, telemetry: boolean, now: number): void {
    this.originSocketId = originSocketId;
    this.telemetry = telemetry;
    this.lastFromCaller = this.lastFromOrigin = now;
    this.pending = undefined;
    this.state = LinkState.Relaying;
  }

  read(out: LinkCounters, now: number): void {
    out.packetsFromCaller = this.packetsFromCaller;
    out.bytesFromCaller = this.bytesFromCaller;
    out.packetsFromOrigin = this.packetsFromOrigin;
    out.bytesFromOrigin = this.bytesFromOrigin;
    out.retransmittedFromCaller = this.retransmittedFromCaller;
    out.retransmittedFromOrigin = this.retransmittedFromOrigin;
    const relayed = this.state === LinkState.Relaying || this.state === LinkState.Ended;
    out.callerIdleMs = relayed ? Math.max(0, now - this.lastFromCaller) : 0;
    out.originIdleMs = relayed ? Math.max(0, now - this.lastFromOrigin) : 0;
    out.drops = this.drops;
    out.sendQueueDrops = this.sendQueueDrops;
    out.sendErrors = this.sendErrors;
    Object.assign(out.byCaller, this.byCaller);
    Object.assign(out.byOrigin, this.byOrigin);
    out.byCaller.fullAckAgeMs = this.callerFullAckAt === 0 ? -1 : Math.max(0, now - this.callerFullAckAt);
    out.byOrigin.fullAckAgeMs = this.originFullAckAt === 0 ? -1 : Math.max(0, now - this.originFullAckAt);
  }

  private end(why: 'caller-shutdown' | 'origin-shutdown' | 'origin-unreachable'): void {
    this.state = LinkState.Ended;
    this.host.events.onLinkEnded(this.id, why);
  }
}
