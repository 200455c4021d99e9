/** DELETE /api/v1/sessions/{id} behind ADMIN_TOKEN, and session events posted to a real HTTP server. */
import assert from 'node:assert/strict';
import { before } from 'node:test';
import { hostPort, httpGet } from '../support/net.js';
import { parseExposition, sampleValue } from '../support/prometheus.js';
import { waitFor } from '../support/process.js';
import type { ProxyProcess } from '../support/proxy.js';
import { isShutdown } from '../support/srt-packets.js';
import { requirePeers } from './support/peers.js';
import { e2eTest } from './support/scope.js';
import { sid, waitForNoSessions, waitForSession } from './support/expect.js';
import { WebhookServer } from './support/webhook-server.js';
import { httpRequest } from '../support/http.js';

before(() => requirePeers());

const TOKEN = 'admin-token-0123456789abcdef';

async function metric(proxy: ProxyProcess, name: string, labels: Record<string, string>): Promise<number> {
  return sampleValue(parseExposition((await httpGet(proxy.url('/metrics'))).text), name, labels);
}

e2eTest('DELETE /api/v1/sessions/{id}: 401 without the token, SHUTDOWN to both sides with it, 403 when ADMIN_TOKEN is unset', async (scope) => {
  const origin = await scope.rawOrigin();
  const proxy = await scope.proxy({ origins: [hostPort('127.0.0.1', origin.port)], env: { ADMIN_TOKEN: TOKEN } });
  const caller = await scope.rawCaller();
  const result = await caller.connect({ host: '127.0.0.1', port: proxy.srtPort, streamId: sid('kick', 'publish') });
  assert.equal(result.outcome, 'accepted');
  const session = await waitForSession(proxy, 'kick', 3000, (s) => s.state === 'connected');
  const url = proxy.url(`/api/v1/sessions/${session.id}`);

  const none = await httpRequest(url, { method: 'DELETE' });
  assert.equal(none.status, 401, none.text);
  assert.match(String(none.headers['www-authenticate']), /^Bearer/);
  const wrong = await httpRequest(url, { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}x` } });
  assert.equal(wrong.status, 401, wrong.text);
  assert.equal((await proxy.sessions()).length, 1, 'an unauthorised DELETE changes nothing');
  assert.equal(caller.packetsForUs().filter(isShutdown).length, 0);

  const ok = await httpRequest(url, { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(ok.status, 200, ok.text);
  assert.deepEqual(JSON.parse(ok.text), { id: session.id, ended: true });
  const toCaller = await caller.waitForPacket(isShutdown, 2000);
  assert.ok(toCaller, 'the caller got a SHUTDOWN');
  const toOrigin = await waitFor('a SHUTDOWN at the origin', () => origin.sessionPackets().find((d) => isShutdown(d.packet)), 2000);
  assert.ok(toOrigin);
  await waitForNoSessions(proxy, 3000);
  assert.equal(await metric(proxy, 'srt_proxy_session_ends_total', { reason: 'ended-by-admin' }), 1);
  console.log(`DELETE: 401 without/with a wrong token, 200 with it; caller and origin both got SHUTDOWN`);

  const again = await httpRequest(url, { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(again.status, 404, again.text);

  const open = await scope.proxy({ origins: [hostPort('127.0.0.1', origin.port)] });
  const refused = await httpRequest(open.url('/api/v1/sessions/s1'), { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(refused.status, 403, refused.text);
  assert.match(refused.text, /ADMIN_TOKEN is not set/);
});

e2eTest('session events: start and end reach EVENTS_URL; a stuck receiver fills the queue and the rest are dropped and counted', async (scope, t) => {
  const receiver = await WebhookServer.start(() => ({ status: 204 }));
  t.after(() => receiver.close());
  const origin = await scope.rawOrigin();
  const proxy = await scope.proxy({ origins: [hostPort('127.0.0.1', origin.port)], env: { EVENTS_URL: receiver.url('/events') } });
  const caller = await scope.rawCaller();
  assert.equal((await caller.connect({ host: '127.0.0.1', port: proxy.srtPort, streamId: `${sid('ev', 'publish')},secret=hidden` })).outcome, 'accepted');
  caller.sendData(3);
  caller.sendShutdown();
  await waitFor('start and end events', () => (receiver.bodies.length >= 2 ? true : undefined), 5000);
  const [start, end] = receiver.bodies;
  assert.equal(start!.type, 'start');
  assert.equal(start!.action, 'publish');
  assert.equal(start!.streamKey, '__defaultVhost__/live/ev');
  assert.deepEqual(start!.caller, { address: '127.0.0.1', port: caller.localPort });
  assert.equal(start!.origin, hostPort('127.0.0.1', origin.port));
  assert.equal(end!.type, 'end');
  assert.equal(end!.session, start!.session);
  assert.equal(end!.reason, 'caller-shutdown');
  assert.ok((end!.bytesFromCaller as number) > 3 * 1316, JSON.stringify(end));
  assert.ok(!JSON.stringify(receiver.bodies).includes('hidden'), 'events never carry the stream id params');
  assert.equal(await metric(proxy, 'srt_proxy_session_events_total', { outcome: 'posted' }), 2);

  // A receiver that never answers: the first event stays in flight (EVENTS_TIMEOUT_MS is long), one waits in the
  // queue (EVENTS_QUEUE_MAX=1), the other eight are dropped; handshakes are not slowed by any of it.
  const stuck = await WebhookServer.start(() => 'hang');
  t.after(() => stuck.close());
  const slow = await scope.proxy({
    origins: [hostPort('127.0.0.1', origin.port)],
    env: { EVENTS_URL: stuck.url('/events'), EVENTS_QUEUE_MAX: '1', EVENTS_TIMEOUT_MS: '30000' },
  });
  for (let i = 0; i < 5; i++) {
    const c = await scope.rawCaller();
    const r = await c.connect({ host: '127.0.0.1', port: slow.srtPort, streamId: sid(`full${i}`, 'publish') });
    assert.equal(r.outcome, 'accepted');
    assert.ok(r.latencyMs < 500, `handshake ${i} took ${r.latencyMs.toFixed(0)} ms`);
    c.sendShutdown();
  }
  await waitForNoSessions(slow, 5000);
  const dropped = await waitFor(
    'eight dropped events',
    async () => ((await metric(slow, 'srt_proxy_session_events_total', { outcome: 'dropped' })) === 8 ? 8 : undefined),
    3000,
  );
  console.log(`events: ${receiver.bodies.length} posted to a live receiver; with a stuck one: ${dropped} dropped, 1 queued, 1 in flight`);
  assert.equal(await metric(slow, 'srt_proxy_session_events_queued', {}), 1);
  assert.equal(stuck.bodies.length, 1, 'one event in flight at a time');
});
