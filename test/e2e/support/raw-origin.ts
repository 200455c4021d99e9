import type dgram from 'node:dgram';
import { TrackedSends, bindUdp, closeUdp } from '../../support/net.js';
import {
  HandshakeType,
  buildConclusionResponse,
  buildInductionResponse,
  decodeHandshake,
  destinationOf,
  isHandshake,
  randomSocketId,
  streamIdOf,
} from './srt-packets.js';

export interface OriginDatagram {
  readonly packet: Buffer;
  readonly from: string;
  readonly at: number;
}

/**
 * A scripted SRT listener on node:dgram: answers INDUCTION with its cookie, CONCLUSION (with the right cookie) with
 * its own socket id, and records every datagram. Lets tests see exactly what the proxy forwards to an origin.
 */
export class RawOrigin {
  readonly socketId: number;
  readonly cookie = randomSocketId();
  readonly datagrams: OriginDatagram[] = [];
  readonly streamIds: string[] = [];
  badCookies = 0;
  /** Delay before every handshake answer (a slow origin); 0 answers at once. */
  responseDelayMs = 0;
  /** Address (ip:port) the proxy's session socket used for the accepted CONCLUSION. */
  sessionPeer: { address: string; port: number } | undefined;
  callerSocketId: number | undefined;
  private readonly epoch = performance.now();
  private closed = false;
  /** Every send is tracked: close() waits for it (a dgram closed right after send() drops the datagram). */
  private readonly sends: TrackedSends;

  private constructor(
    readonly socket: dgram.Socket,
    readonly host: string,
    socketId: number,
  ) {
    this.socketId = socketId;
    this.sends = new TrackedSends(socket);
    socket.on('message', (packet, from) => this.onMessage(packet, from));
    socket.on('error', () => undefined);
  }

  /** `socketId` fixes the listener socket id (e.g. two origins that picked the same one). */
  static async create(host: string = '127.0.0.1', socketId: number = randomSocketId()): Promise<RawOrigin> {
    return new RawOrigin(await bindUdp(host), host, socketId);
  }

  get port(): number {
    return this.socket.address().port;
  }

  private now(): number {
    return Math.floor((performance.now() - this.epoch) * 1000) >>> 0;
  }

  private onMessage(packet: Buffer, from: dgram.RemoteInfo): void {
    this.datagrams.push({ packet, from: `${from.address}:${from.port}`, at: performance.now() });
    if (!isHandshake(packet) || destinationOf(packet) !== 0) return;
    const hs = decodeHandshake(packet);
    if (!hs) return;
    const reply = (packet: Buffer): void => {
      const send = (): void => {
        if (!this.closed) this.sends.send(packet, from.port, from.address);
      };
      if (this.responseDelayMs > 0) setTimeout(send, this.responseDelayMs);
      else send();
    };
    if (hs.type === HandshakeType.INDUCTION) {
      reply(buildInductionResponse(hs, this.cookie, from.address, this.now()));
    } else if (hs.type === HandshakeType.CONCLUSION) {
      if (hs.cookie !== this.cookie) {
        this.badCookies += 1; // libsrt ignores such a conclusion silently; so do we
        return;
      }
      const sid = streamIdOf(hs);
      if (sid !== undefined) this.streamIds.push(sid);
      this.sessionPeer = { address: from.address, port: from.port };
      this.callerSocketId = hs.socketId;
      reply(buildConclusionResponse(hs, this.socketId, from.address, this.now()));
    }
  }

  /** Datagrams addressed to our listener socket id (everything after the handshake). */
  /** Distinct source addresses that sent handshakes (one per proxy session socket). */
  handshakeSources(): string[] {
    return [...new Set(this.datagrams.filter((d) => isHandshake(d.packet)).map((d) => d.from))];
  }

  sessionPackets(): OriginDatagram[] {
    return this.datagrams.filter((d) => d.packet.length >= 16 && destinationOf(d.packet) === this.socketId);
  }

  /** Sends a packet to the proxy's session socket, as the origin would (dst = caller's socket id). */
  sendToSession(packet: Buffer): void {
    if (!this.sessionPeer) throw new Error('RawOrigin: no session yet');
    this.sends.send(packet, this.sessionPeer.port, this.sessionPeer.address);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.sends.flush();
    await closeUdp(this.socket);
  }
}

/** An origin that is up (port bound, so no ICMP unreachable) but never answers. Counts what it gets. */
export class SilentOrigin {
  received = 0;
  private closed = false;

  private constructor(readonly socket: dgram.Socket) {
    socket.on('message', () => {
      this.received += 1;
    });
    socket.on('error', () => undefined);
  }

  static async create(host: string = '127.0.0.1'): Promise<SilentOrigin> {
    return new SilentOrigin(await bindUdp(host));
  }

  get port(): number {
    return this.socket.address().port;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await closeUdp(this.socket);
  }
}
