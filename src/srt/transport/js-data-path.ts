import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { Logger } from '@nestjs/common';
import type {
  DataPath,
  DataPathBinding,
  DataPathCounters,
  DataPathEvents,
  DataPathListenOptions,
  LinkCounters,
  LinkId,
} from './data-path.js';
import { JsLink, LinkState, type JsLinkHost } from './js-link.js';
import { literalLookup } from './literal-lookup.js';
import { Lookup, RelayIndex } from './relay-index.js';
import { applySocketBuffers } from './socket-buffers.js';

/** How often the coarse clock ticks: the precision of idle times, ample for idle timeouts of seconds. */
const CLOCK_TICK_MS = 100;

/**
 * The TypeScript data path on node:dgram: one recvmsg and one sendmsg per datagram (about 20 us of CPU per relayed
 * packet), the fallback when the native addon is not there. The per-packet path is plain code: read the destination
 * socket id, find the link by number, send. No allocation beyond dgram's own, no closure, Promise or logging.
 */
export class JsDataPath implements DataPath, JsLinkHost {
  readonly kind = 'js' as const;
  readonly counters: DataPathCounters = {
    malformed: 0,
    unknownSession: 0,
    foreignAddress: 0,
    sendErrors: 0,
    socketErrors: 0,
    originErrors: 0,
    handshakesShed: 0,
  };
  /** Coarse ms clock read by the per-packet path instead of Date.now(). */
  now = Date.now();
  private socket: Socket | undefined;
  private handlers: DataPathEvents | undefined;
  private readonly links: (JsLink | undefined)[] = [undefined];
  private readonly freeIds: LinkId[] = [];
  private readonly index = new RelayIndex<JsLink>();
  private sockets = 0;
  private originBufferBytes = 0;
  private clock: NodeJS.Timeout | undefined;
  private onAllClosed: (() => void) | undefined;
  private readonly logger = new Logger('DataPath');

  get publicSocket(): Socket {
    if (this.socket === undefined) throw new Error('the data path is not listening');
    return this.socket;
  }

  get events(): DataPathEvents {
    if (this.handlers === undefined) throw new Error('the data path is not listening');
    return this.handlers;
  }

  get openLinks(): number {
    return this.sockets;
  }

  listen(options: DataPathListenOptions, events: DataPathEvents): Promise<DataPathBinding> {
    if (options.socketFd !== undefined) {
      // node:dgram would close the socket with the data path, taking it out of the SO_REUSEPORT group it must stay in.
      return Promise.reject(new Error(`the js data path cannot adopt a shared listen socket (fd ${options.socketFd}): that needs the native data path`));
    }
    this.handlers = events;
    this.originBufferBytes = options.originBufferBytes;
    // `::` accepts IPv4 too (dual stack) unless the host says otherwise.
    const socket = createSocket({
      type: isIPv6(options.host) ? 'udp6' : 'udp4',
      ipv6Only: false,
      lookup: literalLookup,
      ...(options.reusePort ? { reusePort: true } : {}),
    });
    return new Promise((resolve, reject) => {
      const onBindError = (error: Error): void => {
        socket.close();
        reject(error);
      };
      socket.once('error', onBindError);
      socket.bind(options.port, options.host, () => {
        socket.off('error', onBindError);
        // Receive-side errors (ICMP reports) must not stop the listener; sends without a callback land here too.
        socket.on('error', () => this.counters.socketErrors++);
        socket.on('message', this.onMessage);
        const problem = applySocketBuffers(socket, options);
        if (problem !== undefined) this.logger.warn(problem);
        this.socket = socket;
        this.clock = setInterval(() => (this.now = Date.now()), CLOCK_TICK_MS);
        this.clock.unref();
        const bound = socket.address();
        resolve({
          address: bound.address,
          port: bound.port,
          receiveBufferBytes: socket.getRecvBufferSize(),
          sendBufferBytes: socket.getSendBufferSize(),
        });
      });
    });
  }

  sendToCaller(msg: Uint8Array, address: string, port: number): boolean {
    try {
      this.publicSocket.send(msg, port, address);
      return true;
    } catch {
      this.counters.sendErrors++;
      return false;
    }
  }

  openLink(originHost: string, originPort: number, callerAddress: string, callerPort: number): LinkId {
    const id = this.freeIds.pop() ?? this.links.length;
    const socket = createSocket({ type: isIPv6(originHost) ? 'udp6' : 'udp4', lookup: literalLookup });
    const link = new JsLink(id, socket, callerAddress, callerPort, this);
    this.links[id] = link;
    this.sockets++;
    socket.once('close', this.onSocketClosed);
    socket.on('message', link.fromOrigin);
    socket.on('error', link.onError);
    link.opening = true;
    try {
      // connect() reports bind/connect failures (EACCES, ENETUNREACH, EMFILE...) here, not as an 'error' event.
      socket.connect(originPort, originHost, (error?: Error) => {
        if (link.state !== LinkState.Connecting) return;
        if (error !== undefined) {
          link.onError(error as NodeJS.ErrnoException);
          return;
        }
        link.state = LinkState.Handshake;
        this.tune(socket);
        const pending = link.pending;
        link.pending = undefined;
        if (pending !== undefined) link.send(pending);
      });
    } catch (error) {
      // A synchronous refusal (bad port...): reported like any connect failure, after openLink() returned.
      setImmediate(() => {
        if (link.state === LinkState.Connecting) link.onError(error as NodeJS.ErrnoException);
      });
    }
    link.opening = false;
    return id;
  }

  sendToOrigin(link: LinkId, msg: Uint8Array): boolean {
    const l = this.links[link];
    return l === undefined ? false : l.send(msg);
  }

  startRelay(link: LinkId, originSocketId: number, telemetry: boolean): void {
    const l = this.links[link];
    if (l === undefined || l.state !== LinkState.Handshake) return;
    l.startRelay(originSocketId, telemetry, (this.now = Date.now()));
    this.index.add(l);
  }

  closeLink(link: LinkId): void {
    const l = this.links[link];
    if (l === undefined) return;
    this.links[link] = undefined;
    this.freeIds.push(link);
    if (l.state === LinkState.Relaying || l.state === LinkState.Ended) this.index.remove(l);
    l.state = LinkState.Closed;
    // Let a queued SHUTDOWN leave before the socket goes.
    setImmediate(closeQuietly, l.socket);
  }

  readLink(link: LinkId, out: LinkCounters): boolean {
    const l = this.links[link];
    if (l === undefined) return false;
    l.read(out, Date.now());
    return true;
  }

  async close(): Promise<void> {
    for (let id = 1; id < this.links.length; id++) this.closeLink(id);
    if (this.clock !== undefined) clearInterval(this.clock);
    this.clock = undefined;
    if (this.sockets > 0) await new Promise<void>((resolve) => (this.onAllClosed = resolve));
    const socket = this.socket;
    this.socket = undefined;
    if (socket !== undefined) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  private readonly onMessage = (msg: Buffer, rinfo: RemoteInfo): void => {
    // Source port 0 is legal on the wire but cannot be answered (send() throws): drop it here.
    if (msg.length < 16 || rinfo.port === 0) {
      this.counters.malformed++;
      return;
    }
    const dst = msg.readUInt32BE(12);
    if (dst === 0) {
      this.handlers!.onHandshake(msg, rinfo.address, rinfo.port);
      return;
    }
    const result = this.index.find(dst, rinfo.address, rinfo.port);
    if (result === Lookup.Found) {
      this.index.found!.fromCaller(msg);
    } else if (result === Lookup.ForeignAddress) {
      this.counters.foreignAddress++;
      const target = this.index.found;
      if (target !== undefined) target.drops++;
    } else {
      this.counters.unknownSession++;
    }
  };

  private readonly onSocketClosed = (): void => {
    this.sockets--;
    if (this.sockets === 0 && this.onAllClosed !== undefined) {
      const resolve = this.onAllClosed;
      this.onAllClosed = undefined;
      resolve();
    }
  };

  private tune(socket: Socket): void {
    const size = this.originBufferBytes;
    const problem = applySocketBuffers(socket, { receiveBufferBytes: size, sendBufferBytes: size });
    if (problem !== undefined) this.logger.warn(problem);
  }
}

function closeQuietly(socket: Socket): void {
  try {
    socket.close();
  } catch {
    // Already closed: nothing to free.
  }
}
