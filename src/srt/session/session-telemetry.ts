import { AckKind, emptyAckFields, readAck, type AckFields } from '../protocol/ack.js';
import { countNakLoss } from '../protocol/nak.js';
import { ControlType } from '../protocol/packet-header.js';

/**
 * What one side of a session said about the data it received, read from the control packets it sent: its ACKs
 * (RTT, rates, link capacity) and its NAKs (packets the other side sent that never arrived).
 */
export class ReceiverReport {
  /** Figures of the last small or full ACK this side sent. */
  readonly ack: AckFields = emptyAckFields();
  fullAcks = 0;
  lightAcks = 0;
  /** Full ACKs already seen by the RTT histogram (so a silent session is not sampled again and again). */
  sampledFullAcks = 0;
  /** Wall-clock ms of the last full ACK, 0 before the first. */
  lastFullAckAt = 0;
  naks = 0;
  /** Sequence numbers listed in this side's NAKs; a packet reported again (periodic NAK) counts again. */
  lossReported = 0;

  /** Reads one ACK or NAK this side sent; other control types are not telemetry. */
  read(type: number, p: Uint8Array, now: number): void {
    if (type === ControlType.ACK) {
      const kind = readAck(p, this.ack);
      if (kind === AckKind.FULL) {
        this.fullAcks++;
        this.lastFullAckAt = now;
      } else if (kind !== AckKind.MALFORMED) {
        this.lightAcks++;
      }
    } else if (type === ControlType.NAK) {
      this.naks++;
      this.lossReported += countNakLoss(p);
    }
  }
}

/** Bitrate window: samples every sweep (0.5 s), so 9 samples span the last 4 s. */
const SAMPLES = 9;

/**
 * Passive link telemetry of one session, from the control packets the proxy relays anyway (never answered or
 * altered). ACKs and NAKs travel from the receiver of the data to its sender: for a publisher the origin's reports
 * describe the caller -> origin stream, for a player the caller's reports describe the origin -> caller stream.
 */
export class SessionTelemetry {
  /** Reports the caller sent (it receives data when it plays). */
  readonly byCaller = new ReceiverReport();
  /** Reports the origin sent (it receives data when the caller publishes). */
  readonly byOrigin = new ReceiverReport();
  /** Ring of (ms, bytes from caller, bytes from origin). */
  private readonly samples = new Float64Array(SAMPLES * 3);
  private sampleCount = 0;
  private nextSample = 0;

  /** Records the byte counters at `now` (ms); called by the sweep, never per packet. */
  sample(now: number, bytesFromCaller: number, bytesFromOrigin: number): void {
    const at = this.nextSample * 3;
    this.samples[at] = now;
    this.samples[at + 1] = bytesFromCaller;
    this.samples[at + 2] = bytesFromOrigin;
    this.nextSample = (this.nextSample + 1) % SAMPLES;
    if (this.sampleCount < SAMPLES) this.sampleCount++;
  }

  /** Bits per second caller -> origin over the sampled window (0 until two samples exist). */
  get bitrateFromCaller(): number {
    return this.rate(1);
  }

  get bitrateFromOrigin(): number {
    return this.rate(2);
  }

  /**
   * The side receiving the data: the one that sent the most full ACKs (libsrt sends full ACKs only while it
   * receives). undefined before any full ACK.
   */
  get receiver(): ReceiverReport | undefined {
    const c = this.byCaller.fullAcks;
    const o = this.byOrigin.fullAcks;
    if (c === 0 && o === 0) return undefined;
    return o >= c ? this.byOrigin : this.byCaller;
  }

  private rate(column: 1 | 2): number {
    if (this.sampleCount < 2) return 0;
    const newest = ((this.nextSample + SAMPLES - 1) % SAMPLES) * 3;
    const oldest = (this.sampleCount < SAMPLES ? 0 : this.nextSample) * 3;
    const ms = this.samples[newest]! - this.samples[oldest]!;
    if (ms <= 0) return 0;
    return ((this.samples[newest + column]! - this.samples[oldest + column]!) * 8 * 1000) / ms;
  }
}
