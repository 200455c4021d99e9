import type { ReceiverCounters } from '../srt/transport/data-path.js';
import type { SessionView } from '../srt/session/session-view.js';
import type { StreamLinkFigures } from '../srt/session/stream-links.js';

/** A side's ACK and NAK figures as operators read them (ms, bits), null before its first full ACK. */
function reportView(r: ReceiverCounters) {
  return {
    fullAcks: r.fullAcks,
    lightAcks: r.lightAcks,
    rttMs: r.fullAcks === 0 ? null : r.rttUs / 1000,
    rttVarMs: r.fullAcks === 0 ? null : r.rttVarUs / 1000,
    availableBufferPackets: r.fullAcks === 0 ? null : r.availableBufferPackets,
    receivePacketRate: r.fullAcks === 0 ? null : r.packetRate,
    receiveBitrate: r.fullAcks === 0 ? null : r.byteRate * 8,
    linkCapacityPackets: r.fullAcks === 0 ? null : r.linkCapacityPackets,
    lastFullAckAgeMs: r.fullAcks === 0 || r.fullAckAgeMs < 0 ? null : r.fullAckAgeMs,
    naks: r.naks,
    lossReported: r.lossReported,
  };
}

/**
 * The live link figures of one session, or null when SRT_TELEMETRY is off. The headline figures (rtt, link
 * capacity) come from the side receiving the data: the origin for a publisher, the caller for a player.
 */
export function sessionTelemetryView(s: SessionView) {
  const t = s.telemetry;
  if (t === undefined) return null;
  const receiver = t.receiver;
  const headline = receiver === undefined ? undefined : reportView(receiver);
  return {
    receiver: receiver === undefined ? null : receiver === t.byOrigin ? 'origin' : 'caller',
    rttMs: headline?.rttMs ?? null,
    rttVarMs: headline?.rttVarMs ?? null,
    linkCapacityPackets: headline?.linkCapacityPackets ?? null,
    /** Packets listed in NAKs, by the direction of the lost data. */
    lossReported: { callerToOrigin: t.byOrigin.lossReported, originToCaller: t.byCaller.lossReported },
    retransmitted: { callerToOrigin: s.retransmittedFromCaller, originToCaller: s.retransmittedFromOrigin },
    /** Bits per second over the last 4 s, from the relayed bytes. */
    bitrate: { callerToOrigin: Math.round(t.bitrateFromCaller), originToCaller: Math.round(t.bitrateFromOrigin) },
    reportedByOrigin: reportView(t.byOrigin),
    reportedByCaller: reportView(t.byCaller),
  };
}

/** A stream's live link figures for one mode, summed over its sessions (the worst RTT). */
export function streamTelemetryView(f: StreamLinkFigures) {
  return {
    sessions: f.sessions,
    rttMs: f.rttSeconds === undefined ? null : f.rttSeconds * 1000,
    lossReported: { callerToOrigin: f.lostCallerToOrigin, originToCaller: f.lostOriginToCaller },
    retransmitted: { callerToOrigin: f.retransmittedCallerToOrigin, originToCaller: f.retransmittedOriginToCaller },
    bitrate: { callerToOrigin: Math.round(f.bitrateCallerToOrigin), originToCaller: Math.round(f.bitrateOriginToCaller) },
  };
}
