/**
 * Passive link telemetry against real libsrt peers: ffmpeg publishes through the proxy to srt-live-transmit, with a
 * test relay between the proxy and the origin that lengthens the link (so the RTT means something) or drops 2 % of
 * the proxy's data packets. The proxy's figures are compared with libsrt's own statistics of the same link
 * (srt-live-transmit -pf json) and with the bytes the relay saw.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before } from 'node:test';
import { freeUdpPort, hostPort, httpGet } from '../support/net.js';
import { parseExposition, sampleValue, type Family } from '../support/prometheus.js';
import type { ProxyProcess } from '../support/proxy.js';
import { sleep, waitFor } from '../support/process.js';
import { requirePeers, startPlayer } from './support/peers.js';
import { e2eTest, type Scope } from './support/scope.js';
import { sid, waitForNoSessions, waitForSession } from './support/expect.js';
import type { TestRelay } from './support/test-relay.js';

before(() => requirePeers());

interface Directions {
  readonly callerToOrigin: number;
  readonly originToCaller: number;
}

interface TelemetryView {
  readonly receiver: 'origin' | 'caller' | null;
  readonly rttMs: number | null;
  readonly rttVarMs: number | null;
  readonly linkCapacityPackets: number | null;
  readonly lossReported: Directions;
  readonly retransmitted: Directions;
  readonly bitrate: Directions;
  readonly reportedByOrigin: { readonly fullAcks: number; readonly naks: number };
}

interface Sample {
  /** performance.now() and Date.now() of the poll. */
  readonly at: number;
  readonly wall: number;
  readonly sinceStartMs: number;
  readonly telemetry: TelemetryView;
}

/** One line of `srt-live-transmit -pf json -f` (cumulative counters). */
interface LibsrtStats {
  readonly timepoint: string;
  readonly link: { readonly rtt: number };
  readonly recv: { readonly packets: number; readonly packetsLost: number; readonly packetsRetransmitted: number };
}

interface Run {
  readonly proxy: ProxyProcess;
  readonly relay: TestRelay;
  readonly samples: Sample[];
  readonly libsrt: LibsrtStats[];
  /** The scrape taken after the session ended. */
  readonly families: Map<string, Family>;
  /** A scrape taken mid-stream. */
  readonly liveFamilies: Map<string, Family>;
  /** GET /api/v1/streams at the same moment. */
  readonly liveStreams: { streamKey: string; telemetry: Record<string, { sessions: number; rttMs: number | null; bitrate: Directions }> }[];
  readonly origin: string;
}

const SECONDS = 10;

async function publishThroughRelay(scope: Scope, name: string, relayOptions: { dropEvery?: number; delayMs?: number }, env: Record<string, string> = {}): Promise<Run> {
  const originPort = await freeUdpPort();
  const statsFile = join(scope.dir, `${name}-libsrt-stats.json`);
  await scope.receiverOrigin({ name, port: originPort, statsFile, statsEveryPackets: 25 });
  const relay = await scope.testRelay({ originPort, ...relayOptions });
  const origin = hostPort('127.0.0.1', relay.port);
  const proxy = await scope.proxy({ origins: [origin], env });
  const publisher = scope.startPublisher({ port: proxy.srtPort, streamId: sid(name, 'publish'), seconds: SECONDS, size: '640x480', audio: false, name });
  await waitForSession(proxy, name, 8000, (s) => s.state === 'connected');
  const started = performance.now();
  const samples: Sample[] = [];
  let liveFamilies: Map<string, Family> | undefined;
  let liveStreams: Run['liveStreams'] = [];
  while (publisher.running) {
    const session = (await proxy.sessions()).find((s) => s.streamKey.includes(`live/${name}`)) as { telemetry?: TelemetryView } | undefined;
    if (session?.telemetry != null) {
      const at = performance.now();
      samples.push({ at, wall: Date.now(), sinceStartMs: at - started, telemetry: session.telemetry });
    }
    if (liveFamilies === undefined && performance.now() - started > 6000) {
      liveFamilies = parseExposition((await httpGet(proxy.url('/metrics'))).text);
      liveStreams = (await proxy.getJson<{ streams: Run['liveStreams'] }>('/api/v1/streams')).streams;
    }
    await sleep(200);
  }
  assert.equal(publisher.exitInfo?.code, 0, `publisher failed:\n${publisher.stderr}`);
  await waitForNoSessions(proxy, 5000);
  // The relay counted every datagram the proxy sent once loopback has delivered them.
  const families = await waitFor(
    'the relay to have seen every byte the proxy relayed',
    async () => {
      const f = parseExposition((await httpGet(proxy.url('/metrics'))).text);
      return sampleValue(f, 'srt_proxy_bytes_total', { direction: 'caller_to_origin' }) === relay.bytesFromProxy ? f : undefined;
    },
    3000,
  ).catch(async (error: unknown) => {
    const f = parseExposition((await httpGet(proxy.url('/metrics'))).text);
    throw new Error(`${(error as Error).message}: proxy ${sampleValue(f, 'srt_proxy_bytes_total', { direction: 'caller_to_origin' })} bytes, relay ${relay.bytesFromProxy}`);
  });
  const libsrt = readFileSync(statsFile, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LibsrtStats);
  assert.ok(liveFamilies !== undefined, 'the publish lasted long enough for a mid-stream scrape');
  return { proxy, relay, samples, libsrt, families, liveFamilies, liveStreams, origin };
}

e2eTest(
  "a real ffmpeg publish: the session's RTT is libsrt's own figure for the link, its bitrate the relayed bytes'",
  async (scope) => {
    const run = await publishThroughRelay(scope, 'tel-rtt', { delayMs: 10 });
    assert.ok(run.samples.length >= 20, `only ${run.samples.length} telemetry samples`);
    const last = run.samples.at(-1)!.telemetry;
    console.log(`telemetry view of the session (GET /api/v1/sessions): ${JSON.stringify(last)}`);
    assert.equal(last.receiver, 'origin', 'for a publisher the origin receives the data and sends the full ACKs');
    assert.ok(last.reportedByOrigin.fullAcks > 100, `origin full ACKs: ${last.reportedByOrigin.fullAcks}`);
    assert.ok(last.linkCapacityPackets !== null && last.linkCapacityPackets > 0, `link capacity ${last.linkCapacityPackets}`);

    // libsrt's stats lines against the proxy's reading polled closest in time, once the first second's smoothing
    // from libsrt's 100 ms initial guess is over.
    const firstWall = run.samples[0]!.wall;
    const pairs = run.libsrt
      .map((line) => ({ line, wall: Date.parse(line.timepoint.replace(/(\.\d{3})\d*/, '$1')) }))
      .filter(({ wall }) => wall > firstWall + 2000)
      .map(({ line, wall }) => {
        const nearest = run.samples.reduce((a, b) => (Math.abs(b.wall - wall) < Math.abs(a.wall - wall) ? b : a));
        return { libsrtMs: line.link.rtt, proxyMs: nearest.telemetry.rttMs!, apartMs: Math.abs(nearest.wall - wall) };
      })
      .filter((p) => p.apartMs <= 300);
    console.log(`telemetry rtt: ${pairs.map((p) => `libsrt ${p.libsrtMs.toFixed(3)} / proxy ${p.proxyMs.toFixed(3)} ms`).join('; ')}`);
    assert.ok(pairs.length >= 3, `only ${pairs.length} libsrt stats lines paired with a proxy reading (${run.libsrt.length} lines)`);
    // Both read the origin's smoothed RTT, but up to 300 ms apart: on a busy machine a pair can straddle a jump of a
    // few ms, so the comparison is on medians, which one such pair cannot move.
    const med = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
    const libsrtMedian = med(pairs.map((p) => p.libsrtMs));
    const proxyMedian = med(pairs.map((p) => p.proxyMs));
    const apartMedian = med(pairs.map((p) => Math.abs(p.libsrtMs - p.proxyMs)));
    console.log(`telemetry rtt medians: libsrt ${libsrtMedian.toFixed(3)} ms, proxy ${proxyMedian.toFixed(3)} ms, median |difference| ${apartMedian.toFixed(3)} ms`);
    assert.ok(libsrtMedian >= 10 && proxyMedian >= 10, "the relay's 10 ms delay shows in both");
    assert.ok(Math.abs(libsrtMedian - proxyMedian) <= 2, `median RTT within 2 ms of libsrt's: ${libsrtMedian} vs ${proxyMedian}`);
    assert.ok(apartMedian <= 1, `median pairwise difference ${apartMedian} ms`);

    // Bitrate over the last 4 s against the relay's count of the proxy's bytes over the same window.
    const steady = run.samples.filter((s) => s.sinceStartMs > 5000 && s.sinceStartMs < (SECONDS - 1) * 1000);
    assert.ok(steady.length >= 5, `only ${steady.length} steady samples`);
    const ratios = steady.map((s) => s.telemetry.bitrate.callerToOrigin / run.relay.rateBefore(s.at, 4000)).sort((a, b) => a - b);
    const median = ratios[Math.floor(ratios.length / 2)]!;
    console.log(
      `telemetry bitrate: proxy ${steady.at(-1)!.telemetry.bitrate.callerToOrigin} bit/s, relay ${Math.round(run.relay.rateBefore(steady.at(-1)!.at, 4000))} bit/s, ` +
        `median ratio ${median.toFixed(3)} over ${ratios.length} samples`,
    );
    assert.ok(Math.abs(median - 1) <= 0.15, `bitrate ratio proxy/relay ${median}`);
    assert.ok(steady.at(-1)!.telemetry.bitrate.callerToOrigin > 100_000, 'a 640x480 stream is more than 100 kbit/s');

    // The streams view carries the stream's figures by mode.
    const stream = run.liveStreams.find((s) => s.streamKey.includes('live/tel-rtt'));
    assert.ok(stream !== undefined, JSON.stringify(run.liveStreams));
    const publish = stream.telemetry.publish;
    assert.ok(publish !== undefined && publish.sessions === 1 && publish.rttMs !== null && publish.rttMs >= 10, JSON.stringify(stream));
    assert.ok(publish.bitrate.callerToOrigin > 100_000, JSON.stringify(stream));

    // Prometheus: the RTT histogram saw the session, the clean link shows no loss, nothing per stream unless asked.
    const f = run.families;
    const labels = { mode: 'publish', origin: run.origin };
    assert.ok(sampleValue(f, 'srt_proxy_rtt_seconds_count', labels) >= 10, 'RTT histogram observations');
    assert.ok(sampleValue(f, 'srt_proxy_rtt_seconds_bucket', { ...labels, le: '0.005' }) === 0, 'no RTT under 5 ms on a 10 ms link');
    assert.ok(sampleValue(f, 'srt_proxy_rtt_seconds_bucket', { ...labels, le: '0.025' }) >= 10, 'RTTs under 25 ms');
    assert.ok(sampleValue(run.liveFamilies, 'srt_proxy_bitrate_bits_per_second', { ...labels, direction: 'caller_to_origin' }) > 100_000);
    assert.equal(run.liveFamilies.has('srt_proxy_stream_rtt_seconds'), false, 'no per-stream series without METRICS_PER_STREAM');
  },
  { timeout: 90_000 },
);

e2eTest(
  'induced loss: 2 % of the data dropped between proxy and origin raises reported loss and retransmissions',
  async (scope) => {
    const clean = await publishThroughRelay(scope, 'tel-clean', {});
    const lossy = await publishThroughRelay(scope, 'tel-lossy', { dropEvery: 50 }, { METRICS_PER_STREAM: 'true' });
    const figures = (run: Run) => {
      const labels = { mode: 'publish', origin: run.origin, direction: 'caller_to_origin' };
      const libsrt = run.libsrt.at(-1)!;
      return {
        dataPackets: run.relay.dataPacketsFromProxy,
        dropped: run.relay.dropped,
        lossReported: sampleValue(run.families, 'srt_proxy_packets_lost_reported_total', labels),
        retransmitted: sampleValue(run.families, 'srt_proxy_packets_retransmitted_total', labels),
        liveLossReported: run.samples.at(-1)!.telemetry.lossReported.callerToOrigin,
        libsrtLost: libsrt.recv.packetsLost,
        libsrtRetransmittedReceived: libsrt.recv.packetsRetransmitted,
      };
    };
    const a = figures(clean);
    const b = figures(lossy);
    console.log(`telemetry loss: clean ${JSON.stringify(a)}`);
    console.log(`telemetry loss: 2% dropped ${JSON.stringify(b)}`);

    assert.equal(a.dropped, 0);
    assert.deepEqual([a.lossReported, a.retransmitted, a.libsrtLost], [0, 0, 0], 'a clean loopback link loses nothing');

    assert.ok(b.dataPackets >= 300, `only ${b.dataPackets} data packets`);
    assert.equal(b.dropped, Math.floor((b.dataPackets + 25) / 50), 'the relay dropped every 50th data packet');
    // Every drop but perhaps the last one or two (no later packet revealed the gap) is NAKed and resent.
    assert.ok(b.lossReported >= b.dropped - 2, `loss reported ${b.lossReported} for ${b.dropped} drops`);
    assert.ok(b.retransmitted >= b.dropped - 2, `retransmitted ${b.retransmitted} for ${b.dropped} drops`);
    // libsrt counts each loss once; the proxy also counts periodic NAK repeats, so it never reads less.
    assert.ok(b.libsrtLost >= 1 && b.lossReported >= b.libsrtLost, `proxy ${b.lossReported} vs libsrt ${b.libsrtLost}`);
    assert.ok(b.retransmitted >= b.libsrtRetransmittedReceived, `proxy relayed ${b.retransmitted} retransmissions, libsrt got ${b.libsrtRetransmittedReceived}`);
    assert.ok(b.liveLossReported > 0, 'the live session view shows the loss while the stream runs');

    // Per-stream series exist with METRICS_PER_STREAM, labelled by stream key.
    const rttFamily = lossy.liveFamilies.get('srt_proxy_stream_rtt_seconds');
    assert.ok(rttFamily !== undefined, 'srt_proxy_stream_rtt_seconds with METRICS_PER_STREAM');
    assert.ok(rttFamily.samples.some((s) => s.labels.stream?.includes('live/tel-lossy') && s.labels.mode === 'publish'), JSON.stringify(rttFamily.samples));
    const lossFamily = lossy.liveFamilies.get('srt_proxy_stream_packets_lost_reported');
    assert.ok(lossFamily?.samples.some((s) => s.labels.direction === 'caller_to_origin' && s.value > 0), JSON.stringify(lossFamily?.samples));
    assert.equal(sampleValue(lossy.liveFamilies, 'srt_proxy_stream_series_omitted'), 0);
  },
  { timeout: 120_000 },
);

e2eTest(
  "a real ffmpeg player: the caller receives, so the caller's ACKs carry the RTT and the bitrate flows origin -> caller",
  async (scope) => {
    const originPort = await freeUdpPort();
    await scope.servingOrigin({ name: 'serving', port: originPort, seconds: 20 });
    const relay = await scope.testRelay({ originPort, delayMs: 10 });
    const proxy = await scope.proxy({ origins: [hostPort('127.0.0.1', relay.port)] });
    const player = scope.track(startPlayer({ port: proxy.srtPort, streamId: sid('tel-play', 'request'), seconds: 6, outFile: join(scope.dir, 'play.ts') }));
    const view = await waitFor(
      'the player session to report an RTT and a bitrate',
      async () => {
        const s = (await proxy.sessions()).find((x) => x.streamKey.includes('live/tel-play')) as { telemetry?: TelemetryView } | undefined;
        const t = s?.telemetry;
        return t != null && t.rttMs !== null && t.bitrate.originToCaller > 50_000 && t.reportedByOrigin.fullAcks === 0 ? t : undefined;
      },
      15_000,
      200,
    );
    console.log(`telemetry view of a player session: ${JSON.stringify(view)}`);
    assert.equal(view.receiver, 'caller');
    assert.ok(view.rttMs! >= 10, `the relay's 10 ms delay shows in the player's RTT: ${view.rttMs}`);
    assert.ok(view.bitrate.originToCaller > view.bitrate.callerToOrigin * 5, JSON.stringify(view.bitrate));
    await player.waitExit(30_000);
  },
  { timeout: 60_000 },
);
