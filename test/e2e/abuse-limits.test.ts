/**
 * Per-source limits against a running proxy (docs/ABUSE.md): the session cap per source, a refused caller's redial
 * storm answered from the negative cache, and a handshake flood from 1,000 source addresses while a real publisher
 * (ffmpeg through the proxy to srt-live-transmit) streams.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before } from 'node:test';
import { HandshakeFlood } from '../support/handshake-flood.js';
import { continuityOf } from '../support/mpegts.js';
import { freeUdpPort, hostPort } from '../support/net.js';
import { cpuSeconds, udpDropsByPort } from '../support/procfs.js';
import { sleep, waitFor } from '../support/process.js';
import { probeVideo, requirePeers } from './support/peers.js';
import { rejectedCount } from './support/proxy.js';
import type { RawCaller } from './support/raw-caller.js';
import { e2eTest, type Scope } from './support/scope.js';
import { sid, waitForNoSessions, waitForSession } from './support/expect.js';

before(() => requirePeers());

e2eTest('one source opening sessions without end hits its cap (2402); other sources are unaffected', async (scope) => {
  const CAP = 5;
  const origin = await scope.rawOrigin();
  const proxy = await scope.proxy({ origins: [hostPort('127.0.0.1', origin.port)], env: { MAX_SESSIONS_PER_SOURCE: String(CAP) } });

  // Source 127.0.0.1 opens sessions from new ports and socket ids, as a slot-hoarder would.
  const held: RawCaller[] = [];
  for (let i = 0; i < CAP; i++) {
    const caller = await scope.rawCaller('127.0.0.1');
    const result = await caller.connect({ host: '127.0.0.1', port: proxy.srtPort, streamId: sid(`hoard${i}`, 'request') });
    assert.equal(result.outcome, 'accepted', `session ${i} of ${CAP}: ${result.outcome} ${result.hsType}`);
    held.push(caller);
  }
  for (let i = 0; i < 3; i++) {
    const extra = await scope.rawCaller('127.0.0.1');
    const refused = await extra.connect({ host: '127.0.0.1', port: proxy.srtPort, streamId: sid(`hoard-extra${i}`, 'request') });
    assert.equal(refused.outcome, 'rejected', `session ${CAP + i + 1} from the same source`);
    assert.equal(refused.hsType, 2402);
    assert.ok(refused.latencyMs < 1000, `refused after ${refused.latencyMs.toFixed(0)} ms`);
  }

  // Other sources still get in, up to their own cap.
  for (const address of ['127.0.0.2', '127.0.0.3']) {
    const other = await scope.rawCaller(address);
    const result = await other.connect({ host: '127.0.0.1', port: proxy.srtPort, streamId: sid(`other-${address}`, 'request') });
    assert.equal(result.outcome, 'accepted', `${address}: ${result.outcome} ${result.hsType}`);
  }
  const stats = await proxy.stats();
  assert.equal(stats.sources.sourceCapped, 3, JSON.stringify(stats.sources));
  assert.equal(rejectedCount(stats, 2402), 3);
  assert.equal(stats.sources.cappedSources, 3);

  // A slot freed by SHUTDOWN is the source's again.
  held[0]!.sendShutdown();
  await waitFor('the shut session to be freed', async () => ((await proxy.sessions()).length === CAP + 1 ? true : undefined), 5000);
  const again = await scope.rawCaller('127.0.0.1');
  const result = await again.connect({ host: '127.0.0.1', port: proxy.srtPort, streamId: sid('hoard-again', 'request') });
  assert.equal(result.outcome, 'accepted', `after a close: ${result.outcome} ${result.hsType}`);
  console.log(`session cap ${CAP}: ${CAP} held, 3 refused 2402 in the same source, 2 other sources admitted, a freed slot reused`);
});

/** The redial storm's NEGATIVE_CACHE_MS (the default): one dial per key and 2 s at most is parsed. */
const NEGATIVE_CACHE_MS = 2000;
/** Dials of the libsrt caller (ffmpeg) after the storm, on a proxy that keeps refusals LONG_NEGATIVE_CACHE_MS. */
const REDIALS = 12;
const LONG_NEGATIVE_CACHE_MS = 60_000;

e2eTest('redial storm: a bad stream id redialed 100/s for 10 s costs one log line and a few % of a core', async (scope) => {
  const origin = await scope.silentOrigin();
  const logFile = join(scope.dir, 'proxy.log');
  const proxy = await scope.proxy({ origins: [hostPort('127.0.0.1', origin.port)], env: { LOG_LEVEL: 'info', NEGATIVE_CACHE_MS: String(NEGATIVE_CACHE_MS) }, logFile });
  await sleep(500); // start-up work done before the CPU baseline
  const cpuBefore = cpuSeconds(proxy.pid);
  const started = performance.now();

  // 1000 dials, one every 10 ms, each from a new port and socket id as a redialing caller makes them.
  const outcomes = new Map<string, number>();
  let conclusionsSent = 0;
  const dials: Promise<void>[] = [];
  for (let i = 0; i < 1000; i++) {
    const due = started + i * 10;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    dials.push(
      (async () => {
        const caller = await scope.rawCaller('127.0.0.1');
        // A generous give-up time: on a starved machine the answer may be late, but it must be a 2400.
        const result = await caller.connect({ host: '127.0.0.1', port: proxy.srtPort, streamId: '#!::r=live/storm,m=dance', timeoutMs: 10_000 });
        const key = `${result.outcome} ${result.hsType}`;
        outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
        conclusionsSent += result.conclusionsSent;
        await caller.close();
      })(),
    );
  }
  await Promise.all(dials);
  const wallSeconds = (performance.now() - started) / 1000;
  const cpu = cpuSeconds(proxy.pid) - cpuBefore;
  // A caller whose answer came late (a loaded machine) sent its CONCLUSION again: that one is refused too.
  const stats = await waitFor(
    `${conclusionsSent} CONCLUSIONs refused`,
    async () => {
      const now = await proxy.stats();
      return rejectedCount(now, 2400) >= conclusionsSent ? now : undefined;
    },
    5000,
  );
  console.log(
    `redial storm: ${[...outcomes].map(([k, n]) => `${n}x ${k}`).join(', ')} in ${wallSeconds.toFixed(1)} s; proxy CPU ${(cpu * 1000).toFixed(0)} ms ` +
      `(${((cpu / wallSeconds) * 100).toFixed(1)}%); ${conclusionsSent} CONCLUSIONs, ${stats.sources.cachedRejectionsSent} answered from cache`,
  );
  assert.equal(outcomes.get('rejected 2400'), 1000, `every dial refused with 2400: ${JSON.stringify([...outcomes])}`);
  assert.equal(rejectedCount(stats, 2400), conclusionsSent);
  // The first refusal is parsed and logged; with NEGATIVE_CACHE_MS = 2000 one more per 2 s at most is parsed again.
  const parsed = conclusionsSent - stats.sources.cachedRejectionsSent;
  assert.ok(parsed <= 1 + Math.ceil((wallSeconds * 1000) / NEGATIVE_CACHE_MS), `${parsed} refusals parsed in ${wallSeconds.toFixed(1)} s`);
  // An INDUCTION and a cached refusal cost microseconds of work (bench/abuse-cpu.ts); what a dial costs here is
  // mostly the runtime waking up for each datagram. The bound leaves room for a loaded machine.
  assert.ok(cpu / wallSeconds < 0.15, `the proxy used ${(cpu * 1000).toFixed(0)} ms of CPU in ${wallSeconds.toFixed(1)} s`);

  await proxy.stop();
  const refusals = refusalLines(logFile);
  assert.equal(refusals.length, 1, `log lines about the refusal:\n${refusals.join('\n')}`);
  assert.match(refusals[0]!, /"code":2400/);

  // A real libsrt caller redialing another bad stream id: same treatment. The test drives the redials itself, ffmpeg
  // players started one after the other as a script relaunching a failed player would: one libsrt dial each, from a
  // new port and socket id. (srt-live-transmit -a:yes redials by itself, but libsrt 1.5.1's sometimes stops after two
  // refusals, and it dials at any rate on a loaded machine.) On a proxy of its own whose cache keeps a refusal for the
  // whole run, so that every dial after the first must be answered from the cache however slowly they come.
  const redialLog = join(scope.dir, 'proxy-redial.log');
  const redialProxy = await scope.proxy({
    origins: [hostPort('127.0.0.1', origin.port)],
    env: { LOG_LEVEL: 'info', NEGATIVE_CACHE_MS: String(LONG_NEGATIVE_CACHE_MS) },
    logFile: redialLog,
  });
  const redialStarted = performance.now();
  for (let i = 0; i < REDIALS; i++) {
    const run = await scope.play({ port: redialProxy.srtPort, streamId: '#!::r=live/redial,m=dance', seconds: 1, file: `redial-${i}.ts`, name: `redial ${i}` });
    assert.notEqual(run.code, 0, `redial ${i}: ffmpeg played a refused stream`);
    assert.match(run.stderr, /Connection to srt:.* failed/, `redial ${i}: ffmpeg failed at the SRT connection`);
  }
  const redialMs = performance.now() - redialStarted;
  assert.ok(redialMs < LONG_NEGATIVE_CACHE_MS, `${REDIALS} dials took ${redialMs.toFixed(0)} ms, longer than the cache keeps a refusal`);
  const after = await redialProxy.stats();
  const redials = rejectedCount(after, 2400);
  const fromCache = after.sources.cachedRejectionsSent;
  console.log(`ffmpeg redialing ${REDIALS} times in ${(redialMs / 1000).toFixed(1)} s: ${redials} dials refused 2400, ${fromCache} of them from cache`);
  // At least: libsrt sends its CONCLUSION again when the refusal is slow to come, and that one is refused again.
  assert.ok(redials >= REDIALS, `${redials} refusals for ${REDIALS} dials`);
  assert.equal(fromCache, redials - 1, 'every dial after the first answered from the cache');
  await redialProxy.stop();
  assert.equal(refusalLines(redialLog).length, 1, `log lines about the redials' refusal:\n${refusalLines(redialLog).join('\n')}`);
}, { timeout: 180_000 }); // two proxy starts, 10 s of storm, 12 ffmpeg starts: each can take seconds on a loaded machine

/** The lines of a proxy's log about a refused handshake (RejectionLog samples them). */
function refusalLines(logFile: string): string[] {
  return readFileSync(logFile, 'utf8')
    .split('\n')
    .filter((line) => line.includes('"handshake rejected'));
}

/** 1,000 sources x 20 CONCLUSIONs at 5,000 a second: a flood this 2-core test machine can also send and stream. */
const FLOOD_PER_SOURCE = 20;
const FLOOD_RATE = 5000;

interface StreamRun {
  readonly frames: number;
  readonly tsPackets: number;
  readonly gaps: number;
  readonly kernelDrops: number;
  readonly lateCaller: string;
  readonly flood?: { sent: number; rateLimited: number; cached: number; replies: string; ratio: number; cpuMs: number };
}

/**
 * ffmpeg publishes 6 s of video through the proxy to an srt-live-transmit origin; with `flood`, 1,000 other source
 * addresses fire handshakes at the proxy meanwhile. Halfway through, a new legitimate caller connects.
 */
async function streamRun(scope: Scope, name: string, flood: boolean): Promise<StreamRun> {
  const mainPort = await freeUdpPort();
  const main = await scope.receiverOrigin({ name: `${name}-main`, port: mainPort });
  const latePort = await freeUdpPort();
  const late = await scope.receiverOrigin({ name: `${name}-late`, port: latePort });
  const proxy = await scope.proxy({
    origins: [hostPort('127.0.0.1', mainPort), hostPort('127.0.0.1', latePort)],
    strategy: 'round-robin',
    // A tight budget so that the flood meets it: 5 CONCLUSIONs at once, 1 a second, per source.
    env: { HANDSHAKE_RATE_PER_SOURCE: '1', HANDSHAKE_BURST_PER_SOURCE: '5' },
  });
  let floodSources: HandshakeFlood | undefined;
  if (flood) {
    floodSources = await HandshakeFlood.open(1000, '127.0.0.1', proxy.srtPort);
    assert.equal(await floodSources.induct(10_000), 1000, 'every flood source got a cookie');
    // Per source: 12 different bad stream ids (parsed and refused, then over budget) and 8 redials of one (cached).
    floodSources.prepare(FLOOD_PER_SOURCE, (n) => (n % 5 < 3 ? `#!::r=live/flood${n},m=bogus` : '#!::r=live/flood,m=bogus'));
  }
  const dropsBefore = udpDropsByPort().get(proxy.srtPort) ?? 0;
  const publisher = scope.startPublisher({ name: `${name}-publisher`, port: proxy.srtPort, streamId: sid(`${name}main`, 'publish'), seconds: 6 });
  await waitForSession(proxy, `${name}main`, 10_000, (s) => s.state === 'connected');

  const cpuBefore = cpuSeconds(proxy.pid);
  const flooding = floodSources?.conclude(FLOOD_RATE, 6);
  await sleep(1000);
  const caller = await scope.rawCaller('127.0.0.1');
  const joined = await caller.connect({ host: '127.0.0.1', port: proxy.srtPort, streamId: sid(`${name}late`, 'publish') });
  const sent = (await flooding) ?? 0;
  const cpuMs = (cpuSeconds(proxy.pid) - cpuBefore) * 1000;
  caller.sendShutdown();

  const exit = await publisher.waitExit(30_000);
  assert.equal(exit.code, 0, `publisher failed:\n${publisher.stderr}`);
  await waitForNoSessions(proxy, 8000);
  const stats = await proxy.stats();
  const kernelDrops = (udpDropsByPort().get(proxy.srtPort) ?? 0) - dropsBefore;
  await main.stop();
  await late.stop();
  const video = probeVideo(main.file);
  const ts = continuityOf(main.file);
  const replies = floodSources === undefined ? '' : [...floodSources.replies].map(([t, n]) => `${t}:${n}`).join(' ');
  const ratio = floodSources?.largestReplyRatio ?? 0;
  await floodSources?.close();
  return {
    frames: video.frames,
    tsPackets: ts.packets,
    gaps: ts.gaps + ts.unsynced,
    kernelDrops,
    lateCaller: `${joined.outcome} ${joined.hsType}`,
    ...(flood ? { flood: { sent, rateLimited: stats.drops.rateLimited, cached: stats.sources.cachedRejectionsSent, replies, ratio, cpuMs } } : {}),
  };
}

e2eTest(
  'handshake flood from 1,000 source addresses while a real publisher streams: no loss beyond the run without it',
  async (scope) => {
    const alone = await streamRun(scope, 'alone', false);
    const flooded = await streamRun(scope, 'flooded', true);
    console.log(`stream alone:   ${JSON.stringify(alone)}`);
    console.log(`stream flooded: ${JSON.stringify(flooded)}`);
    for (const run of [alone, flooded]) {
      assert.equal(run.lateCaller, `accepted ${0xffffffff}`, 'the legitimate new caller connected');
      assert.ok(run.frames >= 100, `${run.frames} frames of 150 reached the origin`);
    }
    assert.ok(flooded.gaps <= alone.gaps, `TS continuity gaps: ${flooded.gaps} with the flood, ${alone.gaps} without`);
    assert.ok(flooded.frames >= alone.frames - 10, `frames: ${flooded.frames} with the flood, ${alone.frames} without`);
    const f = flooded.flood!;
    assert.equal(f.sent, 1000 * FLOOD_PER_SOURCE, 'the whole flood was sent');
    assert.ok(f.rateLimited > 0, 'the flood met the per-source budget');
    assert.ok(f.cached > 0, 'redials were answered from the negative cache');
    assert.ok(f.ratio <= 1, `a reply was ${f.ratio.toFixed(2)}x its request`);
  },
  { timeout: 90_000 },
);
