import type { LinkEnd, LinkId } from '../data-path.js';

/** Opaque handle of one native data path (an external; the addon frees its memory when it has closed). */
export type NativeHandle = { readonly __nativeDataPath: unique symbol };

export interface NativeEvents {
  /**
   * The loop turn's handshake-path datagrams, callers' and origins', all at once (one JS call per turn, not one
   * per datagram): entry i is HANDSHAKE_FIELDS numbers of `handshakeEntries` (kind, caller port or link id, offset
   * and length in `handshakeBytes`), a caller's address `handshakeAddresses[i]`. Lent for the call only: the addon
   * stages the next turn's datagrams in the same memory.
   */
  onHandshakes(count: number): void;
  /**
   * The pass's link ends and errors, in the order they happened (after the same turn's handshakes): entry i is
   * LINK_EVENT_FIELDS numbers of `linkEvents` (kind, link id, code: a LINK_ENDS index or an errno). Events of links
   * closed before the call are left out; link ids freed during the call are not reused before it returns. Lent for
   * the call only.
   */
  onLinkEvents(count: number): void;
}

/** Fields readLink writes, in this order (native/src/dp_napi.c js_read_link). */
export const LINK_FIELDS = 11;
export const RECEIVER_FIELDS = 12;
export const LINK_SLOTS = LINK_FIELDS + 2 * RECEIVER_FIELDS;
/**
 * Fields readCounters writes (js_read_counters): the DataPathCounters, then truncated, callback errors, links, and
 * the INDUCTIONs answered and the bad-cookie CONCLUSIONs dropped in C.
 */
export const COUNTER_SLOTS = 12;

/** An entry of `handshakeEntries` (native/src/dp.h DP_JS_*): kind, caller port or link id, offset, length. */
export const HANDSHAKE_FIELDS = 4;
export const HandshakeEntry = { CALLER: 0, ORIGIN: 1, SKIP: 2, CALLER_VERIFIED: 3 } as const;

/** An entry of `linkEvents` (native/src/dp.h DP_EVENT_*): kind, link id, code. */
export const LINK_EVENT_FIELDS = 3;
export const LinkEventKind = { ENDED: 0, ERROR: 1 } as const;
/** An ended event's code indexes this (dp.h DP_END_*); an error's code is its errno. */
export const LINK_ENDS: readonly LinkEnd[] = ['caller-shutdown', 'origin-shutdown', 'origin-unreachable'];

/** build/Release/srt_datapath.node as the binding exports it (native/src/dp_napi.c). */
export interface NativeAddon {
  listen(
    host: string,
    port: number,
    receiveBufferBytes: number,
    sendBufferBytes: number,
    originBufferBytes: number,
    reusePort: boolean,
    events: NativeEvents,
    cookieSecret?: Uint8Array,
    /** A socket of openListenSocket to adopt instead of binding host:port; close() leaves it open. */
    fd?: number,
  ): {
    handle: NativeHandle;
    address: string;
    port: number;
    receiveBufferBytes: number;
    sendBufferBytes: number;
    /** Where onHandshakes' datagrams are (see NativeEvents.onHandshakes). */
    handshakeBytes: Buffer;
    handshakeEntries: Int32Array;
    handshakeAddresses: string[];
    /** Where onLinkEvents' events are (see NativeEvents.onLinkEvents). */
    linkEvents: Int32Array;
  };
  sendToCaller(handle: NativeHandle, msg: Uint8Array, address: string, port: number): boolean;
  openLink(handle: NativeHandle, originHost: string, originPort: number, callerAddress: string, callerPort: number): LinkId;
  sendToOrigin(handle: NativeHandle, link: LinkId, msg: Uint8Array): boolean;
  startRelay(handle: NativeHandle, link: LinkId, originSocketId: number, telemetry: boolean): void;
  closeLink(handle: NativeHandle, link: LinkId): void;
  readLink(handle: NativeHandle, link: LinkId, out: Float64Array): boolean;
  readCounters(handle: NativeHandle, out: Float64Array): boolean;
  close(handle: NativeHandle): void;
  /** What native/src/srt_packet.h reads from `bytes` (layout: native/src/dp_napi.c js_classify); for tests. */
  classify(bytes: Uint8Array, out: Float64Array): void;
  /** Data paths of this thread whose native memory is not yet freed. */
  liveDataPaths(): number;
  /** SHA-256 of native/src/sha256.c; for tests. */
  sha256(bytes: Uint8Array): Buffer;
  /**
   * What the data path answers to `request` from address:port in the cookie's minute `bucket` under `secret`, or
   * null when it hands the datagram to JS instead (not an INDUCTION); for tests.
   */
  inductionAnswer(secret: Uint8Array, request: Uint8Array, address: string, port: number, bucket: number): Buffer | null;
  /** The SYN cookie's minute bucket by the addon's clock; for tests. */
  cookieBucket(): number;
  /**
   * A UDP socket bound with SO_REUSEPORT (and the buffer sizes, 0 = kernel default) that a data path of any thread
   * of this process adopts with listen's `fd`; the caller owns it until closeListenSocket. Throws the bind error.
   */
  openListenSocket(host: string, port: number, receiveBufferBytes: number, sendBufferBytes: number): { fd: number; address: string; port: number };
  /**
   * Closes a socket of openListenSocket. Throws EBADF for an fd it did not open (it never closes another's number)
   * and EBUSY while a data path has it adopted.
   */
  closeListenSocket(fd: number): void;
}
