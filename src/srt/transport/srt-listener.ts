import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AppConfig, SrtConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.tokens.js';
import { formatHostPort } from '../../config/listen-address.js';
import { applySocketBuffers } from './socket-buffers.js';
import { literalLookup } from './literal-lookup.js';
import { HandshakeEngine } from '../session/handshake-engine.js';
import { SessionManager } from '../session/session-manager.js';
import { Lookup, SessionTable } from '../session/session-table.js';
import type { ProxyCounters } from '../session/proxy-counters.js';

/**
 * The public UDP socket. The per-packet path is plain code: read the destination socket id, find the session by
 * number, hand the datagram over. No Nest dispatch, no Promise, no logging, no allocation beyond dgram's own.
 */
@Injectable()
export class SrtListener {
  private socket: Socket | undefined;
  private readonly config: SrtConfig;
  private readonly table: SessionTable;
  private readonly counters: ProxyCounters;
  private readonly logger = new Logger('SrtListener');
  private bound = false;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly sessions: SessionManager,
    private readonly handshakes: HandshakeEngine,
  ) {
    this.config = config.srt;
    this.table = sessions.table;
    this.counters = sessions.counters;
  }

  get isBound(): boolean {
    return this.bound;
  }

  /** The bound address, once listening (the configured port may be 0 in tests). */
  address(): { address: string; port: number } | undefined {
    return this.bound ? this.socket!.address() : undefined;
  }

  start(): Promise<void> {
    const { host, port } = this.config.listen;
    // `::` accepts IPv4 too (dual stack) unless the host says otherwise.
    const socket = createSocket({
      type: isIPv6(host) ? 'udp6' : 'udp4',
      ipv6Only: false,
      lookup: literalLookup,
      // SRT workers share the port; the kernel hashes each caller's 4-tuple to one of them.
      reusePort: this.config.reusePort,
    });
    this.socket = socket;
    socket.on('message', this.onMessage);
    return new Promise((resolve, reject) => {
      const onBindError = (error: Error): void => reject(error);
      socket.once('error', onBindError);
      socket.bind(port, host, () => {
        socket.off('error', onBindError);
        socket.on('error', (error) => this.onSocketError(error));
        const problem = applySocketBuffers(socket, this.config);
        if (problem !== undefined) this.logger.warn(problem);
        this.reportBufferSizes(socket);
        this.bound = true;
        this.sessions.attach(socket);
        const bound = socket.address();
        this.logger.log(`SRT listening on udp ${formatHostPort({ host: bound.address, port: bound.port })}`);
        resolve();
      });
    });
  }

  /** Ends every session (SHUTDOWN to both sides), then closes the socket. */
  stop(): Promise<void> {
    const socket = this.socket;
    if (socket === undefined) return Promise.resolve();
    this.sessions.closeAll();
    this.socket = undefined;
    this.bound = false;
    // Give the queued SHUTDOWNs one turn of the loop to leave.
    return new Promise((resolve) => setImmediate(() => socket.close(() => resolve())));
  }

  /**
   * Linux silently caps SO_RCVBUF at net.core.rmem_max (and reports double the usable size); a too-small buffer
   * shows up later as loss under bursts, so say it once at start-up where an operator looks.
   */
  private reportBufferSizes(socket: Socket): void {
    const receive = socket.getRecvBufferSize();
    const send = socket.getSendBufferSize();
    const wanted = this.config.receiveBufferBytes;
    // Linux reports twice the size it was given (the other half is bookkeeping).
    if (wanted > 0 && receive / 2 < wanted) {
      this.logger.warn(
        `SO_RCVBUF is ${receive / 2} usable bytes, below SRT_RECV_BUFFER_BYTES=${wanted}: raise net.core.rmem_max to avoid loss under bursts`,
      );
    } else {
      this.logger.log(`UDP buffers: receive ${receive} bytes, send ${send} bytes`);
    }
  }

  private readonly onMessage = (msg: Buffer, rinfo: RemoteInfo): void => {
    if (msg.length < 16) {
      this.counters.malformed++;
      return;
    }
    const dst = msg.readUInt32BE(12);
    if (dst === 0) {
      // Source port 0 is legal on the wire but cannot be answered (send() throws): drop it here.
      if (rinfo.port === 0) this.counters.malformed++;
      else this.handshakes.onHandshake(msg, rinfo.address, rinfo.port);
      return;
    }
    const result = this.table.find(dst, rinfo.address, rinfo.port);
    if (result === Lookup.Found) {
      this.table.found!.fromCaller(msg);
    } else if (result === Lookup.ForeignAddress) {
      this.counters.foreignAddress++;
      const target = this.table.found;
      if (target !== undefined) target.drops++;
    } else {
      this.counters.unknownSession++;
    }
  };

  private onSocketError(error: Error): void {
    // Receive-side errors (ICMP reports) must not stop the listener; sends without a callback never land here.
    this.counters.socketErrors++;
    this.logger.debug?.(`SRT socket error: ${error.message}`);
  }
}
