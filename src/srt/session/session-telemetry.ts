import { emptyReceiverCounters, type LinkCounters, type ReceiverCounters } from '../transport/data-path.js';

/** Bitrate window: samples every sweep (0.5 s), so 9 samples span the last 4 s. */
const SAMPLES = 9;

/**
 * Passive link telemetry of one session, from the control packets the data path relays anyway (never answered or
 * altered) and counts per link. ACKs and NAKs travel from the receiver of the data to its sender: for a publisher
 * the origin's reports describe the caller -> origin stream, for a player the caller's reports describe the
 * origin -> caller stream. Here: those counts as last read from the link, the bitrate window and the RTT sampling.
 */
export class SessionTelemetry {
  /** Reports the caller sent (it receives data when it plays). */
  readonly byCaller: ReceiverCounters = emptyReceiverCounters();
  /** Reports the origin sent (it receives data when the caller publishes). */
  readonly byOrigin: ReceiverCounters = emptyReceiverCounters();
  /** Full ACKs of each side already seen by the RTT histogram (so a silent session is not sampled again and again). */
  private sampledByCaller = 0;
  private sampledByOrigin = 0;
  /** Ring of (ms, bytes from caller, bytes from origin); made by the first sweep, not on the handshake path. */
  private samples: Float64Array | undefined;
  private sampleCount = 0;
  private nextSample = 0;

  /** Takes the link's ACK and NAK counts (copied: the link's object is the reader's scratch). */
  absorb(c: LinkCounters): void {
    copyReceiverCounters(c.byCaller, this.byCaller);
    copyReceiverCounters(c.byOrigin, this.byOrigin);
  }

  /** The receiver's RTT in microseconds when it sent a full ACK since the last call, else undefined. */
  takeRttSample(): number | undefined {
    const receiver = this.receiver;
    if (receiver === undefined) return undefined;
    if (receiver === this.byOrigin) {
      if (receiver.fullAcks === this.sampledByOrigin) return undefined;
      this.sampledByOrigin = receiver.fullAcks;
    } else {
      if (receiver.fullAcks === this.sampledByCaller) return undefined;
      this.sampledByCaller = receiver.fullAcks;
    }
    return receiver.rttUs;
  }

  /** Records the byte counters at `now` (ms); called by the sweep, never per packet. */
  sample(now: number, bytesFromCaller: number, bytesFromOrigin: number): void {
    const samples = (this.samples ??= new Float64Array(SAMPLES * 3));
    const at = this.nextSample * 3;
    samples[at] = now;
    samples[at + 1] = bytesFromCaller;
    samples[at + 2] = bytesFromOrigin;
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
  get receiver(): ReceiverCounters | undefined {
    const c = this.byCaller.fullAcks;
    const o = this.byOrigin.fullAcks;
    if (c === 0 && o === 0) return undefined;
    return o >= c ? this.byOrigin : this.byCaller;
  }

  private rate(column: 1 | 2): number {
    const samples = this.samples;
    if (samples === undefined || this.sampleCount < 2) return 0;
    const newest = ((this.nextSample + SAMPLES - 1) % SAMPLES) * 3;
    const oldest = (this.sampleCount < SAMPLES ? 0 : this.nextSample) * 3;
    const ms = samples[newest]! - samples[oldest]!;
    if (ms <= 0) return 0;
    return ((samples[newest + column]! - samples[oldest + column]!) * 8 * 1000) / ms;
  }
}

/**
 * Field by field: Object.assign's generic key walk showed in handshake profiles (every session is read at close).
 * A field added to ReceiverCounters needs its line here (the unit test compares every key).
 */
export function copyReceiverCounters(from: ReceiverCounters, to: ReceiverCounters): void {
  to.fullAcks = from.fullAcks;
  to.lightAcks = from.lightAcks;
  to.naks = from.naks;
  to.lossReported = from.lossReported;
  to.fullAckAgeMs = from.fullAckAgeMs;
  to.rttUs = from.rttUs;
  to.rttVarUs = from.rttVarUs;
  to.availableBufferPackets = from.availableBufferPackets;
  to.packetRate = from.packetRate;
  to.linkCapacityPackets = from.linkCapacityPackets;
  to.byteRate = from.byteRate;
  to.lastAckedSequence = from.lastAckedSequence;
}
