import type {
  DataPath,
  DataPathBinding,
  DataPathCounters,
  DataPathEvents,
  DataPathListenOptions,
  LinkCounters,
  LinkId,
  ReceiverCounters,
} from '../data-path.js';
import { getSystemErrorName } from 'node:util';
import {
  COUNTER_SLOTS,
  HANDSHAKE_FIELDS,
  HandshakeEntry,
  LINK_ENDS,
  LINK_EVENT_FIELDS,
  LINK_FIELDS,
  LinkEventKind,
  LINK_SLOTS,
  RECEIVER_FIELDS,
  type NativeAddon,
  type NativeHandle,
} from './native-addon.js';

/** DataPathCounters read from the addon at access time (scrape rate), through one reused array. */
class NativeCounters implements DataPathCounters {
  private readonly slots = new Float64Array(COUNTER_SLOTS);
  /** Exceptions of the DataPathEvents handlers, caught in NativeDataPath's batch loops (the addon counts the rest). */
  handlerErrors = 0;
  constructor(private readonly read: (out: Float64Array) => void) {}
  private at(i: number): number {
    this.read(this.slots);
    return this.slots[i]!;
  }
  get malformed(): number {
    return this.at(0);
  }
  get unknownSession(): number {
    return this.at(1);
  }
  get foreignAddress(): number {
    return this.at(2);
  }
  get sendErrors(): number {
    return this.at(3);
  }
  get socketErrors(): number {
    return this.at(4);
  }
  get originErrors(): number {
    return this.at(5);
  }
  get handshakesShed(): number {
    return this.at(6);
  }
  /** Datagrams larger than a receive slot (also in malformed or a link's drops). Native only. */
  get truncated(): number {
    return this.at(7);
  }
  /** Exceptions thrown by DataPathEvents handlers, caught by the addon. Native only. */
  get callbackErrors(): number {
    return this.at(8) + this.handlerErrors;
  }
  get openLinks(): number {
    return this.at(9);
  }
  get inductions(): number {
    return this.at(10);
  }
  get badCookie(): number {
    return this.at(11);
  }
}

function readReceiver(s: Float64Array, at: number, out: ReceiverCounters): void {
  out.fullAcks = s[at]!;
  out.lightAcks = s[at + 1]!;
  out.naks = s[at + 2]!;
  out.lossReported = s[at + 3]!;
  out.fullAckAgeMs = s[at + 4]!;
  out.rttUs = s[at + 5]!;
  out.rttVarUs = s[at + 6]!;
  out.availableBufferPackets = s[at + 7]!;
  out.packetRate = s[at + 8]!;
  out.linkCapacityPackets = s[at + 9]!;
  out.byteRate = s[at + 10]!;
  out.lastAckedSequence = s[at + 11]!;
}

/**
 * The DataPath of the native addon (native/src): C owns the public socket, the origin sockets and every relayed
 * datagram; this wrapper only forwards handshake-rate calls and reads counters at sweep rate.
 */
export class NativeDataPath implements DataPath {
  readonly kind = 'native' as const;
  private handle: NativeHandle | undefined;
  /** The last figures, kept after close(). */
  private readonly lastCounters = new Float64Array(COUNTER_SLOTS);
  private readonly linkSlots = new Float64Array(LINK_SLOTS);
  private handshakeBytes: Buffer = Buffer.alloc(0);
  private handshakeEntries: Int32Array = new Int32Array(0);
  private handshakeAddresses: string[] = [];
  private linkEvents: Int32Array = new Int32Array(0);
  /** Inside onLinkEvents: the links its handlers closed, whose later events in the call are stale (ids are not
   * reused before the call returns). */
  private inLinkEvents = false;
  private readonly closedInLinkEvents = new Set<LinkId>();
  /** errno -> name (ECONNREFUSED...), as libuv names it, filled as errors come (a handful of distinct ones). */
  private readonly errnoNames = new Map<number, string>();
  readonly counters: NativeCounters = new NativeCounters((out) => {
    if (this.handle !== undefined) this.addon.readCounters(this.handle, this.lastCounters);
    out.set(this.lastCounters);
  });

  constructor(private readonly addon: NativeAddon) {}

  get openLinks(): number {
    return this.counters.openLinks;
  }

  listen(options: DataPathListenOptions, events: DataPathEvents): Promise<DataPathBinding> {
    if (this.handle !== undefined) return Promise.reject(new Error('the native data path is already listening'));
    try {
      const bound = this.addon.listen(
        options.host,
        options.port,
        options.receiveBufferBytes,
        options.sendBufferBytes,
        options.originBufferBytes,
        options.reusePort,
        {
          onHandshakes: (count) => this.deliver(events, count),
          onLinkEvents: (count) => this.deliverLinkEvents(events, count),
        },
        options.cookieSecret,
        options.socketFd,
      );
      if (!(bound.linkEvents instanceof Int32Array)) {
        // An addon built before link events were batched would never tell its link ends.
        this.addon.close(bound.handle);
        throw new Error('native data path: the addon is out of date (no linkEvents); rebuild it with npm ci');
      }
      this.handle = bound.handle;
      this.handshakeBytes = bound.handshakeBytes;
      this.handshakeEntries = bound.handshakeEntries;
      this.handshakeAddresses = bound.handshakeAddresses;
      this.linkEvents = bound.linkEvents;
      return Promise.resolve({
        address: bound.address,
        port: bound.port,
        receiveBufferBytes: bound.receiveBufferBytes,
        sendBufferBytes: bound.sendBufferBytes,
      });
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  /**
   * The turn's handshake-path datagrams, one event each, as views into the addon's staging Buffer (lent for the
   * event only, as DataPathEvents says). A throwing handler costs its datagram, not the rest of the turn's.
   */
  private deliver(events: DataPathEvents, count: number): void {
    const entries = this.handshakeEntries;
    const bytes = this.handshakeBytes;
    const addresses = this.handshakeAddresses;
    for (let i = 0, e = 0; i < count; i++, e += HANDSHAKE_FIELDS) {
      const kind = entries[e]!;
      if (kind === HandshakeEntry.SKIP) continue;
      const offset = entries[e + 2]!;
      const msg = bytes.subarray(offset, offset + entries[e + 3]!);
      try {
        if (kind === HandshakeEntry.ORIGIN) events.onOriginHandshake(entries[e + 1]!, msg);
        else events.onHandshake(msg, addresses[i]!, entries[e + 1]!, kind === HandshakeEntry.CALLER_VERIFIED);
      } catch {
        this.counters.handlerErrors++;
      }
    }
  }

  /**
   * The pass's link ends and errors, in order, as DataPathEvents calls. A link a handler closes during the call gets
   * no further event in it (as the addon's generation check does for links closed before); a throwing handler costs
   * its event only.
   */
  private deliverLinkEvents(events: DataPathEvents, count: number): void {
    const entries = this.linkEvents;
    const closed = this.closedInLinkEvents;
    this.inLinkEvents = true;
    try {
      for (let i = 0, e = 0; i < count && this.handle !== undefined; i++, e += LINK_EVENT_FIELDS) {
        const link = entries[e + 1]!;
        if (closed.size > 0 && closed.has(link)) continue;
        try {
          if (entries[e] === LinkEventKind.ENDED) events.onLinkEnded(link, LINK_ENDS[entries[e + 2]!]!);
          else events.onLinkError(link, this.errnoName(entries[e + 2]!));
        } catch {
          this.counters.handlerErrors++;
        }
      }
    } finally {
      this.inLinkEvents = false;
      closed.clear();
    }
  }

  private errnoName(errno: number): string {
    let name = this.errnoNames.get(errno);
    if (name === undefined) {
      name = getSystemErrorName(-errno);
      this.errnoNames.set(errno, name);
    }
    return name;
  }

  sendToCaller(msg: Uint8Array, address: string, port: number): boolean {
    return this.handle !== undefined && this.addon.sendToCaller(this.handle, msg, address, port);
  }

  openLink(originHost: string, originPort: number, callerAddress: string, callerPort: number): LinkId {
    if (this.handle === undefined) throw new Error('the native data path is not listening');
    return this.addon.openLink(this.handle, originHost, originPort, callerAddress, callerPort);
  }

  sendToOrigin(link: LinkId, msg: Uint8Array): boolean {
    return this.handle !== undefined && this.addon.sendToOrigin(this.handle, link, msg);
  }

  startRelay(link: LinkId, originSocketId: number, telemetry: boolean): void {
    if (this.handle !== undefined) this.addon.startRelay(this.handle, link, originSocketId, telemetry);
  }

  closeLink(link: LinkId): void {
    if (this.handle === undefined) return;
    this.addon.closeLink(this.handle, link);
    if (this.inLinkEvents) this.closedInLinkEvents.add(link);
  }

  readLink(link: LinkId, out: LinkCounters): boolean {
    const s = this.linkSlots;
    if (this.handle === undefined || !this.addon.readLink(this.handle, link, s)) return false;
    out.packetsFromCaller = s[0]!;
    out.bytesFromCaller = s[1]!;
    out.packetsFromOrigin = s[2]!;
    out.bytesFromOrigin = s[3]!;
    out.retransmittedFromCaller = s[4]!;
    out.retransmittedFromOrigin = s[5]!;
    out.callerIdleMs = s[6]!;
    out.originIdleMs = s[7]!;
    out.drops = s[8]!;
    out.sendQueueDrops = s[9]!;
    out.sendErrors = s[10]!;
    readReceiver(s, LINK_FIELDS, out.byCaller);
    readReceiver(s, LINK_FIELDS + RECEIVER_FIELDS, out.byOrigin);
    return true;
  }

  async close(): Promise<void> {
    const handle = this.handle;
    if (handle === undefined) return;
    this.addon.readCounters(handle, this.lastCounters);
    this.handle = undefined;
    this.addon.close(handle);
    this.lastCounters[9] = 0;
    // The sockets are closed already; one turn lets libuv run the handles' close callbacks.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
