import type { SrtSide } from '../srt/srt-side.js';
import type { ObservationBatch } from './worker-protocol.js';

/**
 * Histogram samples (handshake durations, RTTs) a worker keeps until the main thread's next snapshot, where they
 * enter the main thread's histograms. Bounded: past MAX samples of a kind between two snapshots the rest are not
 * kept (a scrape every 15 s holds ~4000 handshakes/s of one worker).
 */
const MAX = 65_536;

export class ObservationBuffer {
  private handshakeSeconds: number[] = [];
  private rtt: ObservationBatch['rtt'] = [];

  listen(side: Pick<SrtSide, 'observeHandshakes' | 'observeRtt'>): void {
    side.observeHandshakes((seconds) => {
      if (this.handshakeSeconds.length < MAX) this.handshakeSeconds.push(seconds);
    });
    side.observeRtt((mode, origin, seconds) => {
      if (this.rtt.length < MAX) this.rtt.push({ mode, origin, seconds });
    });
  }

  /** The samples since the last take(). */
  take(): ObservationBatch {
    const batch = { handshakeSeconds: this.handshakeSeconds, rtt: this.rtt };
    this.handshakeSeconds = [];
    this.rtt = [];
    return batch;
  }
}
