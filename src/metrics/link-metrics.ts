import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { MetricsConfig } from '../config/app-config.js';
import type { ProxySnapshot } from '../srt/session/proxy-snapshot.js';
import type { StreamLinkFigures } from '../srt/session/stream-links.js';
import type { SrtSide } from '../srt/srt-side.js';

type StreamsView = { streams: StreamLinkFigures[]; omitted: number };

/** Loopback is ~0.1 ms, a continent 50-150 ms, a satellite hop 600 ms; libsrt gives up on links past a few seconds. */
const RTT_BUCKETS_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/**
 * Link quality read passively from relayed ACKs, NAKs and retransmit flags (SRT_TELEMETRY). Aggregates carry mode,
 * origin and direction only; series labelled by stream key exist only with METRICS_PER_STREAM, and at most
 * METRICS_PER_STREAM_MAX streams of them. `direction` is always the way the data travelled: loss the origin reports
 * is caller_to_origin data (a publisher's), loss a player reports is origin_to_caller data.
 */
export function registerLinkMetrics(
  registry: Registry,
  read: () => ProxySnapshot,
  srt: SrtSide,
  config: MetricsConfig,
  readStreams: () => StreamsView,
): void {
  const registers = [registry];
  const rtt = new Histogram({
    name: 'srt_proxy_rtt_seconds',
    help: "Sessions' round-trip time as their data receiver reports it in full ACKs, sampled every 0.5 s per session; by mode and origin.",
    labelNames: ['mode', 'origin'],
    buckets: RTT_BUCKETS_SECONDS,
    registers,
  });
  srt.observeRtt((mode, origin, seconds) => rtt.observe({ mode, origin }, seconds));
  new Counter({
    name: 'srt_proxy_packets_lost_reported_total',
    help: 'Packets reported lost in NAKs by the data receiver (a packet reported again counts again); by mode, origin and direction of the data.',
    labelNames: ['mode', 'origin', 'direction'],
    registers,
    collect() {
      this.reset();
      for (const l of read().links) {
        this.inc({ mode: l.mode, origin: l.origin, direction: 'caller_to_origin' }, l.lostCallerToOrigin);
        this.inc({ mode: l.mode, origin: l.origin, direction: 'origin_to_caller' }, l.lostOriginToCaller);
      }
    },
  });
  new Counter({
    name: 'srt_proxy_packets_retransmitted_total',
    help: 'Data packets relayed with the retransmitted flag; by mode, origin and direction.',
    labelNames: ['mode', 'origin', 'direction'],
    registers,
    collect() {
      this.reset();
      for (const l of read().links) {
        this.inc({ mode: l.mode, origin: l.origin, direction: 'caller_to_origin' }, l.retransmittedCallerToOrigin);
        this.inc({ mode: l.mode, origin: l.origin, direction: 'origin_to_caller' }, l.retransmittedOriginToCaller);
      }
    },
  });
  new Gauge({
    name: 'srt_proxy_bitrate_bits_per_second',
    help: 'Relayed bitrate of the connected sessions over the last 4 s; by mode, origin and direction.',
    labelNames: ['mode', 'origin', 'direction'],
    registers,
    collect() {
      this.reset();
      for (const l of read().links) {
        this.set({ mode: l.mode, origin: l.origin, direction: 'caller_to_origin' }, l.bitrateCallerToOrigin);
        this.set({ mode: l.mode, origin: l.origin, direction: 'origin_to_caller' }, l.bitrateOriginToCaller);
      }
    },
  });
  if (config.perStream) registerPerStream(registers, readStreams);
}

/** Gauges over the connected sessions of each stream: they drop with the stream, so none of them is a counter. */
function registerPerStream(registers: Registry[], take: () => StreamsView): void {
  // The sessions are grouped once per scrape (ProxyMetrics.render), never per packet.
  new Gauge({
    name: 'srt_proxy_stream_series_omitted',
    help: 'Live streams left out of the srt_proxy_stream_* series because of METRICS_PER_STREAM_MAX.',
    registers,
    collect() {
      this.set(take().omitted);
    },
  });
  const perStream = (name: string, help: string, value: (s: ReturnType<typeof take>['streams'][number], d: 'caller_to_origin' | 'origin_to_caller') => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['stream', 'mode', 'direction'],
      registers,
      collect() {
        this.reset();
        for (const s of take().streams) {
          for (const direction of ['caller_to_origin', 'origin_to_caller'] as const) {
            this.set({ stream: s.streamKey, mode: s.mode, direction }, value(s, direction));
          }
        }
      },
    });
  perStream('srt_proxy_stream_packets_lost_reported', "Packets reported lost in the stream's live sessions.", (s, d) =>
    d === 'caller_to_origin' ? s.lostCallerToOrigin : s.lostOriginToCaller,
  );
  perStream('srt_proxy_stream_packets_retransmitted', "Retransmitted packets of the stream's live sessions.", (s, d) =>
    d === 'caller_to_origin' ? s.retransmittedCallerToOrigin : s.retransmittedOriginToCaller,
  );
  perStream('srt_proxy_stream_bitrate_bits_per_second', "Bitrate of the stream's live sessions over the last 4 s.", (s, d) =>
    d === 'caller_to_origin' ? s.bitrateCallerToOrigin : s.bitrateOriginToCaller,
  );
  new Gauge({
    name: 'srt_proxy_stream_rtt_seconds',
    help: "The worst RTT among the stream's live sessions, as their data receivers report it.",
    labelNames: ['stream', 'mode'],
    registers,
    collect() {
      this.reset();
      for (const s of take().streams) if (s.rttSeconds !== undefined) this.set({ stream: s.streamKey, mode: s.mode }, s.rttSeconds);
    },
  });
}
