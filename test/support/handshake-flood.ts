// Many caller source addresses at once (the whole loopback /8 is local on Linux: a socket can bind 127.x.y.z), each
// doing what a flooding caller does: INDUCTION for a cookie, then CONCLUSIONs with it. Shared by the e2e abuse tests
// and bench/abuse-cpu.ts.

import type dgram from 'node:dgram';
import { bindUdp, closeUdp } from './net.js';
import { callerConclusion, callerInduction, handshakeCookieOf, handshakeTypeOf, isHandshake, randomSocketId } from './srt-packets.js';

/** The address of flood source `index` (0-based): 127.<second>.x.y, never .0 nor .255. */
export function floodAddress(index: number, second = 1): string {
  return `127.${second}.${Math.floor(index / 250)}.${(index % 250) + 1}`;
}

interface Source {
  readonly socket: dgram.Socket;
  readonly address: string;
  cookie: number | undefined;
  conclusions: Buffer[];
}

export class HandshakeFlood {
  /** Replies by handshake type (1 = INDUCTION answer, >= 1000 a rejection's wire code). */
  readonly replies = new Map<number, number>();
  /** The largest reply over the request that caused it (> 1 would be amplification). */
  largestReplyRatio = 0;
  sent = 0;
  private lastRequestSize = 0;

  private constructor(
    private readonly sources: Source[],
    private readonly host: string,
    private readonly port: number,
  ) {
    for (const source of sources) {
      source.socket.on('message', (packet) => {
        if (!isHandshake(packet)) return;
        const type = handshakeTypeOf(packet);
        this.replies.set(type, (this.replies.get(type) ?? 0) + 1);
        if (this.lastRequestSize > 0) this.largestReplyRatio = Math.max(this.largestReplyRatio, packet.length / this.lastRequestSize);
        if (type === 1) source.cookie = handshakeCookieOf(packet);
      });
      source.socket.on('error', () => {
        /* ICMP unreachable once the proxy is gone: irrelevant here */
      });
    }
  }

  /** Binds `count` sockets on distinct addresses 127.<second>.x.y, all aimed at the proxy's `host`:`port`. */
  static async open(count: number, host: string, port: number, second = 1): Promise<HandshakeFlood> {
    const sources: Source[] = [];
    for (let i = 0; i < count; i++) {
      const address = floodAddress(i, second);
      sources.push({ socket: await bindUdp(address), address, cookie: undefined, conclusions: [] });
    }
    return new HandshakeFlood(sources, host, port);
  }

  get size(): number {
    return this.sources.length;
  }

  /** Sources holding a cookie. */
  get inducted(): number {
    return this.sources.filter((s) => s.cookie !== undefined).length;
  }

  /** One INDUCTION from every source; waits (polling) until all have their cookie or `timeoutMs` passes. */
  async induct(timeoutMs = 5000): Promise<number> {
    const induction = callerInduction(randomSocketId());
    this.lastRequestSize = induction.length;
    for (let i = 0; i < this.sources.length; i++) {
      this.sendFrom(this.sources[i]!, induction);
      if (i % 100 === 99) await new Promise((r) => setImmediate(r));
    }
    const deadline = performance.now() + timeoutMs;
    while (this.inducted < this.sources.length && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return this.inducted;
  }

  /**
   * Prepares `perSource` CONCLUSIONs per source with its cookie, a fresh socket id each (new sessions, not
   * retransmissions) and the stream id `streamIdOf(n)` for the n-th one.
   */
  prepare(perSource: number, streamIdOf: (n: number) => string): void {
    for (const source of this.sources) {
      if (source.cookie === undefined) throw new Error(`flood source ${source.address} has no cookie: induct() first`);
      source.conclusions = [];
      for (let n = 0; n < perSource; n++) source.conclusions.push(callerConclusion(randomSocketId(), source.cookie, streamIdOf(n)));
    }
  }

  /**
   * Sends the prepared CONCLUSIONs round by round (one per source per round) at about `ratePerSecond` datagrams a
   * second in total, for at most `seconds`; returns how many were sent.
   */
  async conclude(ratePerSecond: number, seconds: number): Promise<number> {
    const rounds = Math.max(...this.sources.map((s) => s.conclusions.length));
    this.lastRequestSize = Math.min(...this.sources.flatMap((s) => s.conclusions.map((c) => c.length)));
    const started = performance.now();
    let sent = 0;
    const sliceMs = 10;
    const perSlice = Math.max(1, Math.round((ratePerSecond * sliceMs) / 1000));
    outer: for (let round = 0; round < rounds; round++) {
      for (const source of this.sources) {
        const packet = source.conclusions[round];
        if (packet === undefined) continue;
        this.sendFrom(source, packet);
        sent++;
        if (sent % perSlice === 0) {
          const due = started + (sent / ratePerSecond) * 1000;
          const wait = due - performance.now();
          await new Promise((r) => (wait > 1 ? setTimeout(r, wait) : setImmediate(r)));
          if (performance.now() - started > seconds * 1000) break outer;
        }
      }
    }
    return sent;
  }

  async close(): Promise<void> {
    // Let queued sends leave before closing (a dgram closed right after send() drops the datagram).
    await new Promise((r) => setTimeout(r, 50));
    await Promise.all(this.sources.map((s) => closeUdp(s.socket)));
  }

  private sendFrom(source: Source, packet: Buffer): void {
    this.sent++;
    source.socket.send(packet, this.port, this.host);
  }
}
