// The scripted SRT origins on node:dgram, shared by the e2e tests (test/e2e, which record and inspect every
// datagram) and the benchmarks (bench, which only count at high packet rates).
import type dgram from 'node:dgram';
import { TrackedSends, bindUdp, closeUdp } from './net.js';
import {
  HandshakeType,
  buildConclusionResponse,
  buildInductionResponse,
  buildKeepalive,
  decodeHandshake,
  destinationOf,
  isHandshake,
  isShutdown,
  randomSocketId,
  streamIdOf,
} from './srt-packets.js';

export interface OriginDatagram {
  readonly packet: Buffer;
  readonly from: string;
  readonly at: number;
}

export interface ScriptedOriginOptions {
  readonly host?: string;
  /** Fixes the listener socket id (e.g. two origins that picked the same one); random by default. */
  readonly socketId?: number;
  /** Keep every datagram in `datagrams` (tests, default) or only count them (benchmarks: a bit test and an add). */
  readonly record?: boolean;
  /**
   * Send a KEEPALIVE to every connected peer this often, as a libsrt peer would (0 = never, the default: tests rely
   * on silence for idle timeouts; long benchmark runs need it to keep the relay's idle timer quiet).
   */
  readonly keepaliveMs?: number;
  /** SO_RCVBUF for high-rate runs; 0 keeps the kernel default. */
  readonly receiveBufferBytes?: number;
}

/**
 * A scripted SRT listener standing in for an SRS origin: answers INDUCTION with its cookie (v5, 0x4A17), a
 * CONCLUSION with the right cookie with its own socket id (HSRSP), ignores a wrong cookie as libsrt does, and counts
 * (optionally records) everything else, so tests see exactly what the proxy forwards to an origin.
 */
export class ScriptedOrigin {
  readonly socketId: number;
  readonly cookie = randomSocketId();
  /** Every datagram received, when recording. */
  readonly datagrams: OriginDatagram[] = [];
  readonly streamIds: string[] = [];
  inductions = 0;
  conclusions = 0;
  badCookies = 0;
  /** Data packets (F=0) received. */
  dataPackets = 0;
  /** Control packets other than the handshakes answered. */
  otherPackets = 0;
  /** Delay before every handshake answer (a slow origin); 0 answers at once. */
  responseDelayMs = 0;
  /** Address (ip:port) the proxy's session socket used for the last accepted CONCLUSION. */
  sessionPeer: { address: string; port: number } | undefined;
  callerSocketId: number | undefined;
  private readonly epoch = performance.now();
  private closed = false;
  /** Every send is tracked: close() waits for it (a dgram closed right after send() drops the datagram). */
  private readonly sends: TrackedSends;
  private readonly record: boolean;
  /** Peers that completed the handshake, for keepalives. */
  private readonly peers = new Map<string, { address: string; port: number; socketId: number }>();
  private readonly keepalive: NodeJS.Timeout | undefined;

  private constructor(
    readonly socket: dgram.Socket,
    readonly host: string,
    options: ScriptedOriginOptions,
  ) {
    this.socketId = options.socketId ?? randomSocketId();
    this.record = options.record ?? true;
    this.sends = new TrackedSends(socket);
    socket.on('message', (packet, from) => this.onMessage(packet, from));
    socket.on('error', () => undefined);
    if ((options.keepaliveMs ?? 0) > 0) {
      this.keepalive = setInterval(() => {
        for (const peer of this.peers.values()) this.sends.send(buildKeepalive(peer.socketId, this.now()), peer.port, peer.address);
      }, options.keepaliveMs);
      this.keepalive.unref();
    }
  }

  static async create(options: ScriptedOriginOptions = {}): Promise<ScriptedOrigin> {
    const host = options.host ?? '127.0.0.1';
    const socket = await bindUdp(host);
    if ((options.receiveBufferBytes ?? 0) > 0) socket.setRecvBufferSize(options.receiveBufferBytes!);
    return new ScriptedOrigin(socket, host, options);
  }

  get port(): number {
    return this.socket.address().port;
  }

  private now(): number {
    return Math.floor((performance.now() - this.epoch) * 1000) >>> 0;
  }

  private onMessage(packet: Buffer, from: dgram.RemoteInfo): void {
    if (this.record) this.datagrams.push({ packet, from: `${from.address}:${from.port}`, at: performance.now() });
    if ((packet[0]! & 0x80) === 0) {
      this.dataPackets++;
      return;
    }
    if (!isHandshake(packet) || destinationOf(packet) !== 0) {
      this.otherPackets++;
      if (isShutdown(packet)) {
        for (const [key, peer] of this.peers) if (peer.address === from.address && peer.port === from.port) this.peers.delete(key);
      }
      return;
    }
    const hs = decodeHandshake(packet);
    if (!hs) return;
    const reply = (answer: Buffer): void => {
      const send = (): void => {
        if (!this.closed) this.sends.send(answer, from.port, from.address);
      };
      if (this.responseDelayMs > 0) setTimeout(send, this.responseDelayMs);
      else send();
    };
    if (hs.type === HandshakeType.INDUCTION) {
      this.inductions++;
      reply(buildInductionResponse(hs, this.cookie, from.address, this.now()));
    } else if (hs.type === HandshakeType.CONCLUSION) {
      if (hs.cookie !== this.cookie) {
        this.badCookies += 1; // libsrt ignores such a conclusion silently; so do we
        return;
      }
      this.conclusions++;
      const sid = streamIdOf(hs);
      if (sid !== undefined) this.streamIds.push(sid);
      this.sessionPeer = { address: from.address, port: from.port };
      this.callerSocketId = hs.socketId;
      this.peers.set(`${from.address}|${from.port}|${hs.socketId}`, { address: from.address, port: from.port, socketId: hs.socketId });
      reply(buildConclusionResponse(hs, this.socketId, from.address, this.now()));
    } else {
      this.otherPackets++;
    }
  }

  /** Distinct source addresses that sent handshakes (one per proxy session socket). */
  handshakeSources(): string[] {
    return [...new Set(this.datagrams.filter((d) => isHandshake(d.packet)).map((d) => d.from))];
  }

  /** Datagrams addressed to our listener socket id (everything after the handshake). */
  sessionPackets(): OriginDatagram[] {
    return this.datagrams.filter((d) => d.packet.length >= 16 && destinationOf(d.packet) === this.socketId);
  }

  /** Sends a packet to the proxy's session socket, as the origin would (dst = caller's socket id). */
  sendToSession(packet: Buffer): void {
    if (!this.sessionPeer) throw new Error('ScriptedOrigin: no session yet');
    this.sends.send(packet, this.sessionPeer.port, this.sessionPeer.address);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.keepalive !== undefined) clearInterval(this.keepalive);
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
