import type { Socket } from 'node:dgram';
import { bindUdp, closeUdp } from '../../support/net.js';

export interface TestRelayOptions {
  /** Where datagrams from the proxy go (the real origin). */
  readonly originPort: number;
  /** Drop every n-th data packet from the proxy (50 = 2 %); 0 drops nothing. Deterministic, so runs compare. */
  readonly dropEvery?: number;
  /** Delay added to every datagram from the proxy to the origin, ms (a longer link for the RTT to show). */
  readonly delayMs?: number;
}

/**
 * A UDP relay the test puts between the proxy and its origin (registered as the origin): it can drop a share of
 * the proxy's data packets and delay them, and it counts what the proxy sent after the handshake.
 */
export class TestRelay {
  /** Bytes of every datagram from the proxy except handshakes: what the session counts as relayed from the caller. */
  bytesFromProxy = 0;
  dataPacketsFromProxy = 0;
  dropped = 0;
  /** (ms, bytesFromProxy) every 100 ms, for rates over any window. */
  readonly timeline: { at: number; bytes: number }[] = [];
  private proxyPort = 0;
  private closed = false;
  private readonly ticker: NodeJS.Timeout;

  private constructor(
    private readonly front: Socket,
    private readonly back: Socket,
    private readonly options: TestRelayOptions,
  ) {
    front.on('message', (msg, rinfo) => this.fromProxy(msg, rinfo.port));
    back.on('message', (msg) => {
      if (this.proxyPort !== 0) front.send(msg, this.proxyPort, '127.0.0.1');
    });
    this.ticker = setInterval(() => this.timeline.push({ at: performance.now(), bytes: this.bytesFromProxy }), 100);
  }

  static async start(options: TestRelayOptions): Promise<TestRelay> {
    const front = await bindUdp('127.0.0.1');
    const back = await bindUdp('127.0.0.1');
    return new TestRelay(front, back, options);
  }

  get port(): number {
    return this.front.address().port;
  }

  /** Bits per second the proxy sent over the `windowMs` before `at` (performance.now() ms), from the timeline. */
  rateBefore(at: number, windowMs: number): number {
    const end = this.timeline.findLast((p) => p.at <= at);
    const start = this.timeline.findLast((p) => p.at <= at - windowMs);
    if (end === undefined || start === undefined || end.at === start.at) return 0;
    return ((end.bytes - start.bytes) * 8 * 1000) / (end.at - start.at);
  }

  async close(): Promise<void> {
    clearInterval(this.ticker);
    this.closed = true;
    await Promise.all([closeUdp(this.front), closeUdp(this.back)]);
  }

  private fromProxy(msg: Buffer, port: number): void {
    this.proxyPort = port;
    const control = (msg[0]! & 0x80) !== 0;
    const handshake = control && msg[1] === 0 && msg[0] === 0x80;
    if (!handshake) this.bytesFromProxy += msg.length;
    if (!control) {
      this.dataPacketsFromProxy++;
      const every = this.options.dropEvery ?? 0;
      if (every > 0 && this.dataPacketsFromProxy % every === Math.floor(every / 2)) {
        this.dropped++;
        return;
      }
    }
    const delay = this.options.delayMs ?? 0;
    if (delay > 0) setTimeout(() => this.closed || this.back.send(msg, this.options.originPort, '127.0.0.1'), delay);
    else this.back.send(msg, this.options.originPort, '127.0.0.1');
  }
}
