import type dgram from 'node:dgram';
import { TrackedSends, bindUdp, closeUdp } from '../../support/net.js';
import {
  HandshakeType,
  buildConclusion,
  buildDataPacket,
  buildInduction,
  buildKeepalive,
  buildShutdown,
  decodeHandshake,
  destinationOf,
  isHandshake,
  randomSequence,
  randomSocketId,
  tsNullPayload,
  type Handshake,
} from '../../support/srt-packets.js';

export type ConnectOutcome = 'accepted' | 'rejected' | 'timeout';

export interface ConnectResult {
  readonly outcome: ConnectOutcome;
  /** Handshake type of the final reply (CONCLUSION, or the rejection's wire code >= 1000). */
  readonly hsType: number | undefined;
  /** From the first INDUCTION sent to the final reply (or to the give-up time). */
  readonly latencyMs: number;
  /** From the first INDUCTION sent to the INDUCTION response. */
  readonly inductionMs: number | undefined;
  /** Listener (origin) socket id from the CONCLUSION response: the destination id of everything we send after. */
  readonly peerSocketId: number | undefined;
  readonly inductionResponse: Handshake | undefined;
  readonly conclusionResponse: Handshake | undefined;
  readonly inductionsSent: number;
  readonly conclusionsSent: number;
}

export interface ConnectOptions {
  readonly host: string;
  readonly port: number;
  /** undefined sends a CONCLUSION without a SID extension. */
  readonly streamId: string | undefined;
  /** Give-up time like libsrt's SRTO_CONNTIMEO (default 3000 ms). */
  readonly timeoutMs?: number;
  /** Retransmission interval for INDUCTION/CONCLUSION, like libsrt (250 ms). */
  readonly retransmitMs?: number;
  readonly rawExtensions?: readonly Buffer[];
  /** Send this cookie in the CONCLUSION instead of the one the listener gave (a forged/stale cookie). */
  readonly cookieOverride?: number;
  /** Called right after the first CONCLUSION is sent (the proxy picks the origin on it). */
  readonly onConclusionSent?: () => void;
}

interface Received {
  readonly packet: Buffer;
  readonly from: dgram.RemoteInfo;
  readonly at: number;
}

/**
 * A minimal SRT caller on node:dgram: performs the HSv5 caller handshake with libsrt's timing (retransmit every
 * 250 ms, give up after 3 s), then can send data, keepalives and SHUTDOWN. Everything received is recorded.
 */
export class RawCaller {
  readonly socketId = randomSocketId();
  readonly isn = randomSequence();
  readonly received: Received[] = [];
  peerSocketId: number | undefined;
  private target: { host: string; port: number } | undefined;
  private readonly epoch = performance.now();
  private sequence: number;
  private msgno = 1;
  private listeners = new Set<() => void>();
  private readonly sends: TrackedSends;
  closed = false;

  private constructor(readonly socket: dgram.Socket) {
    this.sequence = this.isn;
    this.sends = new TrackedSends(socket);
    socket.on('message', (packet, from) => {
      this.received.push({ packet, from, at: performance.now() });
      for (const listener of [...this.listeners]) listener();
    });
    socket.on('error', () => {
      /* ICMP errors etc.: recorded as silence */
    });
  }

  static async create(host: string = '127.0.0.1'): Promise<RawCaller> {
    return new RawCaller(await bindUdp(host));
  }

  get localPort(): number {
    return this.socket.address().port;
  }

  /** SRT timestamps: microseconds since this caller was created. */
  now(): number {
    return Math.floor((performance.now() - this.epoch) * 1000) >>> 0;
  }

  /**
   * Sends to the connect() target. Every send is tracked so that {@link flush} / {@link close} let it leave first
   * (a dgram socket closed right after send() drops the datagram).
   */
  send(packet: Buffer): void {
    if (!this.target) throw new Error('RawCaller: connect() first');
    this.sends.send(packet, this.target.port, this.target.host);
  }

  /** Resolves once every datagram handed to send() has left the socket. */
  flush(): Promise<void> {
    return this.sends.flush();
  }

  /** Resolves with the first received packet (after index `from`) matching `predicate`, or undefined on timeout. */
  waitForPacket(predicate: (packet: Buffer) => boolean, timeoutMs: number, from = 0): Promise<Received | undefined> {
    return new Promise((resolve) => {
      let index = from;
      const check = (): boolean => {
        for (; index < this.received.length; index += 1) {
          const item = this.received[index]!;
          if (predicate(item.packet)) {
            done(item);
            return true;
          }
        }
        return false;
      };
      const timer = setTimeout(() => done(undefined), timeoutMs);
      const listener = (): void => void check();
      const done = (value: Received | undefined): void => {
        clearTimeout(timer);
        this.listeners.delete(listener);
        resolve(value);
      };
      if (!check()) this.listeners.add(listener);
    });
  }

  async connect(options: ConnectOptions): Promise<ConnectResult> {
    this.target = { host: options.host, port: options.port };
    const timeoutMs = options.timeoutMs ?? 3000;
    const retransmitMs = options.retransmitMs ?? 250;
    const start = performance.now();
    const deadline = start + timeoutMs;
    const mine = (packet: Buffer): Handshake | undefined => {
      const hs = isHandshake(packet) ? decodeHandshake(packet) : undefined;
      return hs && hs.destinationSocketId === this.socketId ? hs : undefined;
    };
    const result = (
      outcome: ConnectOutcome,
      extra: Partial<ConnectResult> & { inductionsSent: number; conclusionsSent: number },
    ): ConnectResult => ({
      outcome,
      hsType: undefined,
      latencyMs: performance.now() - start,
      inductionMs: undefined,
      peerSocketId: undefined,
      inductionResponse: undefined,
      conclusionResponse: undefined,
      ...extra,
    });

    // Phase 1: INDUCTION until an induction response (or a rejection) arrives.
    let inductionsSent = 0;
    let inductionResponse: Handshake | undefined;
    let inductionMs: number | undefined;
    while (!inductionResponse) {
      const remaining = deadline - performance.now();
      if (remaining <= 0) return result('timeout', { inductionsSent, conclusionsSent: 0 });
      const mark = this.received.length;
      this.send(buildInduction(this.socketId, this.isn, options.host, this.now()));
      inductionsSent += 1;
      const reply = await this.waitForPacket((p) => mine(p) !== undefined, Math.min(retransmitMs, remaining), mark);
      if (!reply) continue;
      const hs = mine(reply.packet)!;
      if (hs.type >= 1000 && hs.type < 0xfffffffd) {
        return result('rejected', { hsType: hs.type, inductionsSent, conclusionsSent: 0, inductionResponse: hs });
      }
      if (hs.type === HandshakeType.INDUCTION) {
        inductionResponse = hs;
        inductionMs = performance.now() - start;
      }
    }

    // Phase 2: CONCLUSION (with the cookie we were given) until a CONCLUSION response or a rejection.
    let conclusionsSent = 0;
    const conclusion = buildConclusion({
      socketId: this.socketId,
      isn: this.isn,
      cookie: options.cookieOverride ?? inductionResponse.cookie,
      peerAddress: options.host,
      timestamp: this.now(),
      streamId: options.streamId,
      rawExtensions: options.rawExtensions ?? [],
    });
    for (;;) {
      const remaining = deadline - performance.now();
      if (remaining <= 0) {
        return result('timeout', { inductionsSent, conclusionsSent, inductionMs, inductionResponse });
      }
      const mark = this.received.length;
      this.send(conclusion);
      conclusionsSent += 1;
      if (conclusionsSent === 1) options.onConclusionSent?.();
      const reply = await this.waitForPacket(
        (p) => {
          const hs = mine(p);
          return hs !== undefined && hs.type !== HandshakeType.INDUCTION;
        },
        Math.min(retransmitMs, remaining),
        mark,
      );
      if (!reply) continue;
      const hs = mine(reply.packet)!;
      const common = { hsType: hs.type, inductionsSent, conclusionsSent, inductionMs, inductionResponse, conclusionResponse: hs };
      if (hs.type === HandshakeType.CONCLUSION) {
        this.peerSocketId = hs.socketId;
        return result('accepted', { ...common, peerSocketId: hs.socketId });
      }
      return result('rejected', common);
    }
  }

  private requirePeer(): number {
    if (this.peerSocketId === undefined) throw new Error('RawCaller: not connected');
    return this.peerSocketId;
  }

  /** Sends `count` data packets (1316 bytes of TS null packets each, marker in the first one). */
  sendData(count: number, marker = ''): void {
    const peer = this.requirePeer();
    for (let i = 0; i < count; i += 1) {
      this.send(buildDataPacket(this.sequence, this.msgno, this.now(), peer, tsNullPayload(marker)));
      this.sequence = (this.sequence + 1) & 0x7fffffff;
      this.msgno = (this.msgno + 1) & 0x03ffffff || 1;
    }
  }

  sendKeepalive(): void {
    this.send(buildKeepalive(this.requirePeer(), this.now()));
  }

  sendShutdown(): void {
    this.send(buildShutdown(this.requirePeer(), this.now()));
  }

  /** Packets received after the handshake addressed to our socket id. */
  packetsForUs(): Buffer[] {
    return this.received.map((r) => r.packet).filter((p) => destinationOf(p) === this.socketId);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.flush();
    this.listeners.clear();
    await closeUdp(this.socket);
  }
}
