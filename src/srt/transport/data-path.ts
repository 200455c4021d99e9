/**
 * The packet mover between callers and origins (DESIGN.md section 2). It owns the public UDP socket and, per
 * session, one UDP socket connected to that session's origin (a "link"). Once a link relays, its datagrams go
 * caller <-> origin without the session logic seeing them; the session logic hears only what the data path does not
 * own: handshakes, the origin's handshake answers, and the ends it detects (SHUTDOWN, ICMP unreachable).
 *
 * Two implementations: TypeScript on node:dgram (`js`, the fallback) and the native addon with recvmmsg/sendmmsg on
 * libuv polls (`native`). Every method here runs at handshake or sweep rate, never per relayed packet; none throws
 * for a network failure (failures are counted or reported through the events).
 */

/** DI token of the DataPath. */
export const DATA_PATH = Symbol('DATA_PATH');

export type DataPathKind = 'native' | 'js';

/** A link's number: small, reused after close. 0 is never a link. */
export type LinkId = number;

export interface DataPathListenOptions {
  readonly host: string;
  readonly port: number;
  /** SO_RCVBUF / SO_SNDBUF of the public socket; 0 keeps the kernel default. */
  readonly receiveBufferBytes: number;
  readonly sendBufferBytes: number;
  /** SO_RCVBUF and SO_SNDBUF of each origin socket; 0 keeps the kernel default. */
  readonly originBufferBytes: number;
  /** SO_REUSEPORT on the public socket, so that several workers share one port (flows stay on one worker). */
  readonly reusePort: boolean;
  /**
   * The handshake engine's SYN cookie secret. Given it, a data path may answer INDUCTIONs itself, byte for byte as
   * the engine would (src/srt/protocol/syn-cookie.ts, buildInductionResponse), without handing them over; it then
   * counts them in `counters.inductions`. The native path does; the TypeScript path ignores it.
   */
  readonly cookieSecret?: Uint8Array;
  /**
   * A public socket the SRT worker pool opened in the main thread (src/workers/listen-sockets.ts), to adopt instead
   * of binding `host` and `port` (the buffer sizes and reusePort were applied when it was opened). close() leaves it
   * open: it stays in the SO_REUSEPORT group for the worker that takes over. Native path only: the TypeScript path
   * rejects it (node:dgram would close it).
   */
  readonly socketFd?: number;
}

/** What the public socket ended up with (for the start-up log and the buffer warning). */
export interface DataPathBinding {
  readonly address: string;
  readonly port: number;
  /** As the kernel reports them (Linux: twice the usable size). */
  readonly receiveBufferBytes: number;
  readonly sendBufferBytes: number;
}

/** Why the data path stopped relaying a link by itself. */
export type LinkEnd =
  /** The caller sent SHUTDOWN; it was relayed to the origin. */
  | 'caller-shutdown'
  /** The origin sent SHUTDOWN; it was relayed to the caller. */
  | 'origin-shutdown'
  /** The origin socket got ECONNREFUSED / EHOSTUNREACH / ENETUNREACH (ICMP) while relaying. */
  | 'origin-unreachable';

/**
 * What the data path hands to the session logic. Buffers are valid only during the call (the data path reuses its
 * receive memory): copy what must outlive it.
 */
export interface DataPathEvents {
  /**
   * A datagram from a caller with destination socket id 0 (handshake or garbage, not yet classified further).
   * `cookieVerified`: a CONCLUSION whose SYN cookie the data path already verified with the engine's secret
   * (DataPathListenOptions.cookieSecret; it drops and counts those that fail, in `counters.badCookie`).
   */
  onHandshake(msg: Buffer, address: string, port: number, cookieVerified?: boolean): void;
  /** A datagram from the origin on a link that does not relay yet (the origin's handshake answers). */
  onOriginHandshake(link: LinkId, msg: Buffer): void;
  /**
   * The link's origin socket failed before it relayed: bind/connect failure or ICMP error, as an errno name
   * (`ECONNREFUSED`, `EHOSTUNREACH`, `EMFILE`, `EADDRNOTAVAIL`...). The link stays open until closeLink().
   */
  onLinkError(link: LinkId, code: string): void;
  /**
   * A relaying link ended by itself. From now on it relays nothing (datagrams for it are dropped); the session
   * logic closes it with closeLink(), after sending any SHUTDOWN it wants to.
   */
  onLinkEnded(link: LinkId, why: LinkEnd): void;
}

/** What an ACK or NAK sender reported, counted by the data path (telemetry, SRT_TELEMETRY). */
export interface ReceiverCounters {
  fullAcks: number;
  lightAcks: number;
  naks: number;
  /** Sequence numbers listed in NAKs (a periodic NAK repeats them, and they count again). */
  lossReported: number;
  /** ms since the last full ACK; -1 before the first. */
  fullAckAgeMs: number;
  /** Figures of the last small or full ACK (see protocol/ack.ts readAck), 0 before the first. */
  rttUs: number;
  rttVarUs: number;
  availableBufferPackets: number;
  packetRate: number;
  linkCapacityPackets: number;
  byteRate: number;
  lastAckedSequence: number;
}

/** A link's counters, written into a caller-owned object so that reading thousands of links allocates nothing. */
export interface LinkCounters {
  packetsFromCaller: number;
  bytesFromCaller: number;
  packetsFromOrigin: number;
  bytesFromOrigin: number;
  /** Data packets with the retransmitted flag, by sender (counted only with telemetry on). */
  retransmittedFromCaller: number;
  retransmittedFromOrigin: number;
  /** ms since the last datagram from each side (since startRelay() when none came yet). */
  callerIdleMs: number;
  originIdleMs: number;
  /** Datagrams not relayed: a foreign address using this link's socket id, stray or truncated origin datagrams. */
  drops: number;
  /** Relay datagrams dropped because the kernel did not take them (EAGAIN/ENOBUFS past the bounded queue). */
  sendQueueDrops: number;
  /** Relay sends that failed otherwise. */
  sendErrors: number;
  /** Reports the caller sent (it receives the data when it plays). */
  readonly byCaller: ReceiverCounters;
  /** Reports the origin sent (it receives the data when the caller publishes). */
  readonly byOrigin: ReceiverCounters;
}

/** Process-wide datagram counters of the data path (read at scrape time). */
export interface DataPathCounters {
  /** Shorter than an SRT header, or truncated (MSG_TRUNC), or with source port 0. */
  malformed: number;
  /** Destination socket id of no relaying link. */
  unknownSession: number;
  /** A relaying link's socket id from an address that is not its caller's. */
  foreignAddress: number;
  /** Handshake-path sends to callers or origins that failed. */
  sendErrors: number;
  /** Errors the public socket reported. */
  socketErrors: number;
  /** Errors origin sockets reported (ICMP, bind or connect failures). */
  originErrors: number;
  /** Datagrams for JS (handshakes) dropped because more arrived in one turn than the data path hands over. */
  handshakesShed: number;
  /** INDUCTIONs the data path answered itself (DataPathListenOptions.cookieSecret); absent when it answers none. */
  readonly inductions?: number;
  /** CONCLUSIONs with a wrong SYN cookie the data path dropped itself (same condition); absent when it checks none. */
  readonly badCookie?: number;
}

export interface DataPath {
  readonly kind: DataPathKind;
  /** Binds the public socket and starts delivering `events`. Rejects with the bind error (EADDRINUSE...). */
  listen(options: DataPathListenOptions, events: DataPathEvents): Promise<DataPathBinding>;
  /** Sends a handshake-path datagram to a caller from the public socket. False when it could not be sent. */
  sendToCaller(msg: Uint8Array, address: string, port: number): boolean;
  /**
   * Opens a link for a session: a fresh UDP socket connected to the origin (IPv4 or IPv6 by the origin's address,
   * a literal IP). The caller's address and socket id pin the relay later. Failures arrive as onLinkError.
   */
  openLink(originHost: string, originPort: number, callerAddress: string, callerPort: number): LinkId;
  /** Sends a handshake-path datagram to the link's origin. False when it could not be sent. */
  sendToOrigin(link: LinkId, msg: Uint8Array): boolean;
  /**
   * From now on the link relays by itself: datagrams from the link's caller (address and port) with destination
   * `originSocketId` go to its origin, and everything from its origin goes to the caller. Two links may share an
   * `originSocketId` (two origins may pick the same id): the caller's address and port tell them apart.
   */
  startRelay(link: LinkId, originSocketId: number, telemetry: boolean): void;
  /** Frees the link: its socket closes once what was sent on it has left. Idempotent. */
  closeLink(link: LinkId): void;
  /** Writes the link's counters into `out`. False (and `out` untouched) for a link that is not open. */
  readLink(link: LinkId, out: LinkCounters): boolean;
  /** Process-wide counters; live object, read it at scrape time. */
  readonly counters: Readonly<DataPathCounters>;
  /** Links not yet closed; must come back to 0 when no session is left (leak check). */
  readonly openLinks: number;
  /** Closes every link and the public socket. */
  close(): Promise<void>;
}

export function emptyReceiverCounters(): ReceiverCounters {
  return {
    fullAcks: 0,
    lightAcks: 0,
    naks: 0,
    lossReported: 0,
    fullAckAgeMs: -1,
    rttUs: 0,
    rttVarUs: 0,
    availableBufferPackets: 0,
    packetRate: 0,
    linkCapacityPackets: 0,
    byteRate: 0,
    lastAckedSequence: 0,
  };
}

export function emptyLinkCounters(): LinkCounters {
  return {
    packetsFromCaller: 0,
    bytesFromCaller: 0,
    packetsFromOrigin: 0,
    bytesFromOrigin: 0,
    retransmittedFromCaller: 0,
    retransmittedFromOrigin: 0,
    callerIdleMs: 0,
    originIdleMs: 0,
    drops: 0,
    sendQueueDrops: 0,
    sendErrors: 0,
    byCaller: emptyReceiverCounters(),
    byOrigin: emptyReceiverCounters(),
  };
}
