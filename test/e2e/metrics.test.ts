/**
 * GET /metrics after a session whose every packet is known (raw caller and raw origin): the session, handshake,
 * packet and byte counters equal what happened, labels carry no stream id or caller, and the text parses.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { before } from 'node:test';
import { hostPort, httpGet } from '../support/net.js';
import { parseExposition, sampleValue } from '../support/prometheus.js';
import { waitFor } from '../support/process.js';
import { requirePeers } from './support/peers.js';
import { e2eTest } from './support/scope.js';
import { buildDataPacket, tsNullPayload } from '../support/srt-packets.js';
import { sid, waitForNoSessions, waitForSession } from './support/expect.js';

before(() => requirePeers());

const FROM_CALLER = 10;
const FROM_ORIGIN = 3;
/** 16-byte header + 7 TS packets, as RawCaller.sendData and the origin's packets below. */
const DATA_BYTES = 16 + 7 * 188;
const SHUTDOWN_BYTES = 20;

e2eTest('metrics scraped after a known session match it, and the exposition parses', async (scope) => {
  const origin = await scope.rawOrigin();
  const originId = hostPort('127.0.0.1', origin.port);
  const proxy = await scope.proxy({ origins: [originId] });

  // One refused caller (no stream id: 2400).
  const refused = await scope.rawCaller();
  const rejection = await refused.connect({ host: '127.0.0.1', port: proxy.srtPort, streamId: undefined });
  assert.equal(rejection.hsType, 2400, JSON.stringify(rejection));

  // One session with a known number of packets each way, ended by the caller's SHUTDOWN.
  const caller = await scope.rawCaller();
  const result = await caller.connect({ host: '127.0.0.1', port: proxy.srtPort, streamId: sid('metered', 'publish') });
  assert.equal(result.outcome, 'accepted', JSON.stringify(result));
  caller.sendData(FROM_CALLER);
  await waitFor('the origin to get every data packet', () => (origin.sessionPackets().length >= FROM_CALLER ? true : undefined), 3000);
  const live = await waitForSession(proxy, 'metered', 2000);
  for (let i = 0; i < FROM_ORIGIN; i++) origin.sendToSession(buildDataPacket(1000 + i, i + 1, 0, caller.socketId, tsNullPayload()));
  await waitFor('the caller to get the origin packets', () => (caller.packetsForUs().filter((p) => p.length === DATA_BYTES).length >= FROM_ORIGIN ? true : undefined), 3000);

  // While it runs: the live gauge shows it under its mode and origin.
  const during = parseExposition((await httpGet(proxy.url('/metrics'))).text);
  assert.equal(sampleValue(during, 'srt_proxy_sessions', { mode: 'publish', origin: originId }), 1, `live session ${live.id}`);

  caller.sendShutdown();
  await waitForNoSessions(proxy, 5000);

  const response = await httpGet(proxy.url('/metrics'));
  assert.equal(response.status, 200);
  const families = parseExposition(response.text);
  const value = (name: string, labels: Record<string, string> = {}): number => sampleValue(families, name, labels);

  assert.equal(value('srt_proxy_handshakes_total', { result: 'accepted' }), 1);
  assert.equal(value('srt_proxy_handshakes_total', { result: 'rejected', code: '2400' }), 1);
  assert.equal(value('srt_proxy_sessions_total', { mode: 'publish', origin: originId }), 1);
  assert.equal(value('srt_proxy_session_ends_total', { reason: 'caller-shutdown' }), 1);
  assert.equal(families.get('srt_proxy_sessions')!.samples.length, 0, 'no live session left');
  assert.equal(value('srt_proxy_handshakes_in_progress'), 0);
  assert.equal(value('srt_proxy_handshake_duration_seconds_count'), 1);
  const handshakeSeconds = value('srt_proxy_handshake_duration_seconds_sum');
  assert.ok(handshakeSeconds > 0 && handshakeSeconds < 2, `handshake took ${handshakeSeconds} s`);

  // Every datagram of the session, SHUTDOWN included, and exactly what the origin and the caller received.
  assert.equal(value('srt_proxy_packets_total', { direction: 'caller_to_origin' }), FROM_CALLER + 1);
  assert.equal(value('srt_proxy_bytes_total', { direction: 'caller_to_origin' }), FROM_CALLER * DATA_BYTES + SHUTDOWN_BYTES);
  const originGot = origin.sessionPackets().reduce((n, d) => n + d.packet.length, 0);
  assert.equal(originGot, FROM_CALLER * DATA_BYTES + SHUTDOWN_BYTES, 'the origin received what the metrics say');
  assert.equal(value('srt_proxy_packets_total', { direction: 'origin_to_caller' }), FROM_ORIGIN);
  assert.equal(value('srt_proxy_bytes_total', { direction: 'origin_to_caller' }), FROM_ORIGIN * DATA_BYTES);
  assert.equal(value('srt_proxy_handshake_packets_total', { type: 'induction' }), 2);
  assert.equal(value('srt_proxy_dropped_packets_total', { reason: 'foreign_address' }), 0);
  assert.equal(value('srt_proxy_origin_up', { origin: originId }), 1);
  assert.equal(value('srt_proxy_origins', { state: 'up' }), 1);
  assert.equal(value('srt_proxy_draining'), 0);

  // Process metrics, and naming: our families carry the prefix, counters end in _total.
  assert.ok(value('process_cpu_user_seconds_total') > 0);
  assert.ok(families.has('nodejs_eventloop_lag_seconds'));
  const ours = [...families.values()].filter((f) => f.name.startsWith('srt_proxy_'));
  assert.ok(ours.length >= 15, `only ${ours.length} srt_proxy_ families`);
  for (const f of ours) if (f.type === 'counter') assert.match(f.name, /_total$/, f.name);
  // docs/observability.md documents exactly the families served, with their types.
  const documented = readFileSync(resolve(process.cwd(), 'docs/observability.md'), 'utf8')
    .split('\n')
    .map((line) => /^\| `(srt_proxy_[a-z_]+)` \| (\w+) \|/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => `${m[1]} ${m[2]}`)
    .sort();
  assert.deepEqual(documented, ours.map((f) => `${f.name} ${f.type}`).sort(), 'docs/observability.md metrics table');

  // Bounded labels: no stream name, no caller address or port anywhere.
  const labelValues = [...families.values()].flatMap((f) => f.samples.flatMap((s) => Object.values(s.labels)));
  for (const forbidden of ['metered', 'live/', String(caller.localPort), String(refused.localPort)]) {
    assert.ok(!labelValues.some((v) => v.includes(forbidden)), `a label value contains ${forbidden}`);
  }
  console.log(
    `metrics: accepted 1, rejected{2400} 1, caller->origin ${value('srt_proxy_bytes_total', { direction: 'caller_to_origin' })} bytes, ` +
      `handshake ${(handshakeSeconds * 1000).toFixed(2)} ms, ${families.size} families`,
  );
});
