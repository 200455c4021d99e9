/**
 * WORKERS=2: two SRT worker threads on one SO_REUSEPORT port behind one HTTP port. Callers from distinct source
 * ports spread over both workers and every session relays with no unknown-session packet (the kernel keeps a
 * 4-tuple on one worker, the shared cookie secret lets either verify); a stream's publisher and player on different
 * workers meet on one origin; a worker restart loses only its own sessions, which reconnect; drain exits 0.
 * Restarts depend on the data path (docs/KUBERNETES.md "SO_REUSEPORT and restarts"): on the native path the main
 * thread holds every worker's socket, so no restart moves another worker's flows; on the TypeScript path a crash
 * of any worker but the last does (the kernel moves the group's last socket into the freed slot).
 */
import assert from 'node:assert/strict';
import { before } from 'node:test';
import { hostPort, httpGet } from '../support/net.js';
import { httpRequest } from '../support/http.js';
import { parseExposition, sampleValue } from '../support/prometheus.js';
import { waitFor } from '../support/process.js';
import type { ProxyProcess, SessionView } from '../support/proxy.js';
import type { ScriptedOrigin } from '../support/scripted-origin.js';
import { isShutdown } from '../support/srt-packets.js';
import { requirePeers } from './support/peers.js';
import type { RawCaller } from './support/raw-caller.js';
import { e2eTest, type Scope } from './support/scope.js';
import { sid } from './support/expect.js';

before(() => requirePeers());

const TOKEN = 'admin-token-workers-0123456789';
/** Which data path the proxies under test run (test/support/data-paths.ts: the suite runs on both). */
const DATA_PATH = process.env.DATA_PATH === 'js' ? 'js' : 'native';

interface Stats {
  readonly dataPath: string;
  readonly sessions: { readonly active: number };
  readonly drops: { readonly unknownSession: number; readonly foreignAddress: number };
  readonly workers: { readonly workers: number; readonly restarts: { crash: number; admin: number }; readonly threads: { worker: number; bound: boolean }[] };
}

function stats(proxy: ProxyProcess): Promise<Stats> {
  return proxy.getJson<Stats>('/api/v1/stats');
}

async function metric(proxy: ProxyProcess, name: string, labels: Record<string, string> = {}): Promise<number> {
  return sampleValue(parseExposition((await httpGet(proxy.url('/metrics'))).text), name, labels);
}

function workersProxy(scope: Scope, origins: readonly ScriptedOrigin[], env: Record<string, string> = {}): Promise<ProxyProcess> {
  // Three Nest contexts start (main thread and two workers): on a machine busy with other tests that takes seconds.
  return scope.proxy({ origins: origins.map((o) => hostPort('127.0.0.1', o.port)), readyTimeoutMs: 30_000, env: { WORKERS: '2', ADMIN_TOKEN: TOKEN, LOG_LEVEL: 'info', ...env } });
}

/** Connects a new raw caller (its own source port) to `name`; it must be accepted. */
async function connect(scope: Scope, proxy: ProxyProcess, name: string, mode: 'publish' | 'request'): Promise<RawCaller> {
  const caller = await scope.rawCaller();
  const result = await caller.connect({ host: '127.0.0.1', port: proxy.srtPort, streamId: sid(name, mode), timeoutMs: 5000 });
  assert.equal(result.outcome, 'accepted', `${name}/${mode}: ${result.outcome} ${result.hsType}`);
  return caller;
}

function markerCount(origin: ScriptedOrigin, marker: string): number {
  const m = Buffer.from(marker);
  return origin.sessionPackets().filter((d) => d.packet.includes(m)).length;
}

async function sessionOf(proxy: ProxyProcess, name: string): Promise<SessionView> {
  return waitFor(`live/${name} connected in /api/v1/sessions`, async () => (await proxy.sessions()).find((s) => s.streamKey.endsWith(`/live/${name}`) && s.state === 'connected'), 5000);
}

e2eTest('WORKERS=2: 40 callers from distinct source ports all relay, on both workers, with 0 unknown-session packets', async (scope) => {
  const origin = await scope.rawOrigin('127.0.0.1', undefined, 4 << 20);
  const proxy = await workersProxy(scope, [origin]);
  const ready = await httpGet<{ info: { srt: { workers: number } } }>(proxy.url('/readyz'));
  assert.equal(ready.status, 200, ready.text);
  assert.equal(ready.body.info.srt.workers, 2);
  // The main thread names the data path its workers run once every worker is bound (the log is asynchronous: the
  // line may trail /readyz by a moment).
  const startLine = new RegExp(`in 2 worker threads, data path: ${DATA_PATH}"`);
  await waitFor('the start-up line naming the workers and their data path', () => (startLine.test(proxy.describe()) ? true : undefined), 5000, 50);
  // Logged just before that line when the main thread holds the workers' sockets: the native path only.
  assert.equal(proxy.describe().includes('SRT sockets held by the main thread'), DATA_PATH === 'native');

  const callers = await Promise.all(Array.from({ length: 40 }, (_, i) => connect(scope, proxy, `many-${i}`, 'publish')));
  for (const [i, caller] of callers.entries()) caller.sendData(5, `MANY-${i}-END`);
  await waitFor('5 packets of each of the 40 callers at the origin', () => (callers.every((_, i) => markerCount(origin, `MANY-${i}-END`) === 5) ? true : undefined), 10_000, 100);

  const sessions = await proxy.sessions();
  assert.equal(sessions.length, 40);
  const byWorker = [0, 1].map((w) => sessions.filter((s) => s.worker === w).length);
  assert.ok(byWorker[0]! > 0 && byWorker[1]! > 0, `sessions on both workers: ${byWorker.join(' / ')}`);
  assert.equal(new Set(sessions.map((s) => s.id)).size, 40, 'session ids are unique across workers');
  for (const s of sessions) assert.equal(s.packetsFromCaller >= 5, true, `${s.id} relayed ${s.packetsFromCaller}`);
  const st = await stats(proxy);
  assert.equal(st.sessions.active, 40);
  assert.equal(st.drops.unknownSession, 0, 'no datagram reached a worker without its session');
  assert.equal(st.drops.foreignAddress, 0);
  assert.equal(await metric(proxy, 'srt_proxy_workers'), 2);
  assert.equal(await metric(proxy, 'srt_proxy_packets_total', { direction: 'caller_to_origin' }) >= 200, true);
  assert.equal(await metric(proxy, 'srt_proxy_handshakes_total', { result: 'accepted' }), 40);
  console.log(`workers: 40 sessions, ${byWorker[0]} on worker 0 and ${byWorker[1]} on worker 1; unknown-session drops ${st.drops.unknownSession}`);
});

e2eTest('WORKERS=2: a stream\'s publisher and its player on different workers are placed on the same origin (memory provider)', async (scope) => {
  const origins = [await scope.rawOrigin(), await scope.rawOrigin(), await scope.rawOrigin()];
  // round-robin: were the workers balancing alone, the second session of a stream would go elsewhere.
  const proxy = await workersProxy(scope, origins, { BALANCER_STRATEGY: 'round-robin' });
  await connect(scope, proxy, 'meet', 'publish');
  const publisher = await sessionOf(proxy, 'meet');
  let player: SessionView | undefined;
  for (let i = 0; i < 30 && player === undefined; i++) {
    await connect(scope, proxy, 'meet', 'request');
    player = (await proxy.sessions()).find((s) => s.streamKey.endsWith('/live/meet') && s.mode === 'request' && s.worker !== publisher.worker);
  }
  assert.ok(player !== undefined, 'no player landed on the other worker in 30 tries');
  const all = (await proxy.sessions()).filter((s) => s.streamKey.endsWith('/live/meet'));
  assert.deepEqual([...new Set(all.map((s) => s.origin))], [publisher.origin], 'every session of the stream on one origin');
  console.log(`workers: publisher on worker ${publisher.worker}, a player on worker ${player.worker}, ${all.length} sessions all on ${publisher.origin}`);
});

/** Callers until each worker holds one session; returns them by worker. */
async function oneOnEachWorker(scope: Scope, proxy: ProxyProcess, prefix: string): Promise<[RawCaller, RawCaller, SessionView, SessionView]> {
  const found: (readonly [RawCaller, SessionView])[] = [];
  for (let i = 0; i < 40 && found.length < 2; i++) {
    const name = `${prefix}-${i}`;
    const caller = await connect(scope, proxy, name, 'publish');
    const session = await sessionOf(proxy, name);
    if (!found.some(([, s]) => s.worker === session.worker)) found.push([caller, session]);
  }
  assert.equal(found.length, 2, 'callers landed on both workers');
  const [a, b] = found[0]![1].worker === 0 ? [found[0]!, found[1]!] : [found[1]!, found[0]!];
  return [a[0], b[0], a[1], b[1]];
}

const restarts = [
  // Native: the new thread adopts the socket the main thread held. JS: the new thread binds before the old one ends
  // and takes the old socket's slot in the group.
  { how: 'terminate', victim: 0 },
  // Native: the socket stays in the group. JS: a crash leaves the slot at once; the last worker's slot is the one a
  // returning worker gets back.
  { how: 'crash', victim: 1 },
] as const;

for (const { how, victim: v } of restarts) {
  const s = 1 - v;
  e2eTest(`WORKERS=2: restarting worker ${v} (how=${how}) ends only its sessions; worker ${s}'s session relays on; worker ${v}'s caller redials and relays`, async (scope) => {
    const origin = await scope.rawOrigin();
    const proxy = await workersProxy(scope, [origin]);
    const [on0, on1, session0, session1] = await oneOnEachWorker(scope, proxy, `restart-${how}`);
    const [survivor, victim, survivorSession, victimSession] = v === 0 ? [on1, on0, session1, session0] : [on0, on1, session0, session1];

    const url = proxy.url(`/api/v1/workers/${v}/restart`) + (how === 'crash' ? '?how=crash' : '');
    const unauthorised = await httpRequest(url, { method: 'POST' });
    assert.equal(unauthorised.status, 401, unauthorised.text);
    const missing = await httpRequest(proxy.url('/api/v1/workers/7/restart'), { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(missing.status, 404, missing.text);
    const conclusions = (): Promise<number> => metric(proxy, 'srt_proxy_handshake_packets_total', { type: 'conclusion' });
    const conclusionsBefore = await conclusions();
    assert.ok(conclusionsBefore >= 2, `both callers' CONCLUSIONs counted: ${conclusionsBefore}`);
    const t0 = performance.now();
    const restart = await httpRequest(url, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(restart.status, 202, restart.text);

    survivor.sendData(3, 'SURVIVOR-DURING');
    await waitFor('the survivor to relay during the restart', () => (markerCount(origin, 'SURVIVOR-DURING') === 3 ? true : undefined), 3000);
    const back = await waitFor(`worker ${v} back and bound`, async () => {
      const st = await stats(proxy);
      return st.workers.threads.every((t) => t.bound) && st.workers.restarts[how === 'crash' ? 'crash' : 'admin'] === 1 ? st : undefined;
    }, 15_000, 50);
    const restartMs = performance.now() - t0;
    // The new thread counts from zero; what the old one counted stays in the totals (a sum that drops reads as a
    // counter reset in Prometheus).
    assert.equal(await conclusions(), conclusionsBefore, 'the counters did not go backwards with the restart');
    const sessions = await waitFor(`worker ${v}'s session gone`, async () => {
      const list = await proxy.sessions();
      return list.some((x) => x.id === victimSession.id) ? undefined : list;
    }, 3000);
    assert.ok(sessions.some((x) => x.id === survivorSession.id), `worker ${s} kept its session`);
    assert.equal(victim.packetsForUs().filter(isShutdown).length, 0, 'a worker that goes sends no SHUTDOWN: its caller times out');

    // The survivor's flow never left its worker: every packet relayed, none unknown anywhere.
    const unknownBefore = (await stats(proxy)).drops.unknownSession;
    survivor.sendData(3, 'SURVIVOR-BACK');
    await waitFor('the survivor to relay after the restart', () => (markerCount(origin, 'SURVIVOR-BACK') === 3 ? true : undefined), 3000);
    assert.equal((await stats(proxy)).drops.unknownSession, unknownBefore, `worker ${s}'s flow stayed on worker ${s}`);
    // The victim's old flow reaches the new worker, which has no session for it (unknown), so its caller redials.
    victim.sendData(2, 'VICTIM-STALE');
    await waitFor('the stale packets counted as unknown-session', async () => ((await stats(proxy)).drops.unknownSession >= 2 ? true : undefined), 3000);
    assert.equal(markerCount(origin, 'VICTIM-STALE'), 0);
    // The victim redials from the same source port (same 4-tuple), as libsrt's caller does after its timeout.
    const redial = await victim.connect({ host: '127.0.0.1', port: proxy.srtPort, streamId: sid(victimSession.streamKey.split('/live/')[1]!, 'publish'), timeoutMs: 5000 });
    assert.equal(redial.outcome, 'accepted', `redial: ${redial.outcome} ${redial.hsType}`);
    const again = await waitFor('the redialled session', async () => (await proxy.sessions()).find((x) => x.caller === victimSession.caller && x.state === 'connected'), 3000);
    assert.equal(again.worker, v, 'the same 4-tuple reaches the same worker slot');
    assert.equal(again.origin, victimSession.origin, 'the redial found its stream on the same origin');
    victim.sendData(3, 'REDIAL-OK');
    survivor.sendData(3, 'SURVIVOR-AFTER');
    await waitFor('the redialled caller and the survivor to relay', () => (markerCount(origin, 'REDIAL-OK') === 3 && markerCount(origin, 'SURVIVOR-AFTER') === 3 ? true : undefined), 3000);
    assert.equal((await stats(proxy)).drops.foreignAddress, 0, 'no flow landed on the other worker');
    assert.equal(await metric(proxy, 'srt_proxy_worker_restarts_total', { cause: how === 'crash' ? 'crash' : 'admin' }), 1);
    assert.equal(proxy.process.running, true, 'the process outlived the worker');
    console.log(
      `workers: restart worker ${v} how=${how}: bound again ${restartMs.toFixed(0)} ms after the request (restarts ${JSON.stringify(back.workers.restarts)}); ` +
        `worker ${s}'s session relayed throughout, the victim's stale packets were unknown-session, its redial from the same port landed on worker ${again.worker} and relayed`,
    );
  });
}

e2eTest(`WORKERS=2 (${DATA_PATH} data path): a crash of worker 0, not the last in the SO_REUSEPORT group, ${DATA_PATH === 'native' ? "moves no flow: worker 1's session relays throughout and worker 0's caller redials onto worker 0" : "moves worker 1's flows once it returns (measured kernel behaviour)"}`, async (scope) => {
  const origin = await scope.rawOrigin();
  const proxy = await workersProxy(scope, [origin]);
  const [on0, on1, session0, session1] = await oneOnEachWorker(scope, proxy, 'crash0');
  assert.equal((await stats(proxy)).dataPath, DATA_PATH, 'the workers run the data path this run is for');
  const t0 = performance.now();
  const restart = await httpRequest(proxy.url('/api/v1/workers/0/restart?how=crash'), { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(restart.status, 202, restart.text);
  on1.sendData(2, 'W1-DURING');
  await waitFor('worker 1 relaying while worker 0 is gone', () => (markerCount(origin, 'W1-DURING') === 2 ? true : undefined), 3000);
  await waitFor('worker 0 back and bound', async () => {
    const st = await stats(proxy);
    return st.workers.threads.every((t) => t.bound) && st.workers.restarts.crash === 1 ? st : undefined;
  }, 15_000, 50);
  const backMs = performance.now() - t0;
  const before = (await stats(proxy)).drops;
  if (DATA_PATH === 'native') {
    // Worker 0's socket stayed in the group (the main thread holds it): the kernel moved nothing.
    on1.sendData(3, 'W1-AFTER');
    await waitFor("worker 1's packets after worker 0's return at the origin", () => (markerCount(origin, 'W1-AFTER') === 3 ? true : undefined), 3000);
    const afterSurvivor = (await stats(proxy)).drops;
    assert.equal(afterSurvivor.unknownSession, before.unknownSession, "0 unknown-session packets: worker 1's flow stayed on worker 1");
    assert.equal(afterSurvivor.foreignAddress, before.foreignAddress);
    assert.ok((await proxy.sessions()).some((x) => x.id === session1.id), 'worker 1 kept its session');
    // Worker 0's caller: its stale packets reach the new worker 0 (no session there), then it redials from the same
    // source port and lands on worker 0 again, on its stream's origin.
    on0.sendData(2, 'W0-STALE');
    await waitFor('the stale packets counted as unknown-session', async () => ((await stats(proxy)).drops.unknownSession - before.unknownSession === 2 ? true : undefined), 3000);
    assert.equal(markerCount(origin, 'W0-STALE'), 0);
    const redial = await on0.connect({ host: '127.0.0.1', port: proxy.srtPort, streamId: sid(session0.streamKey.split('/live/')[1]!, 'publish'), timeoutMs: 5000 });
    assert.equal(redial.outcome, 'accepted', `redial: ${redial.outcome} ${redial.hsType}`);
    const again = await waitFor('the redialled session', async () => (await proxy.sessions()).find((x) => x.caller === session0.caller && x.state === 'connected'), 3000);
    assert.equal(again.worker, 0, "the same 4-tuple reaches worker 0's slot again");
    assert.equal(again.origin, session0.origin, 'the redial found its stream on the same origin');
    on0.sendData(3, 'W0-REDIAL');
    on1.sendData(3, 'W1-END');
    await waitFor('both callers relaying', () => (markerCount(origin, 'W0-REDIAL') === 3 && markerCount(origin, 'W1-END') === 3 ? true : undefined), 3000);
    const end = (await stats(proxy)).drops;
    assert.equal(end.unknownSession - before.unknownSession, 2, 'only the stale packets of the crashed worker\'s caller were unknown');
    assert.equal(end.foreignAddress, 0, 'no flow landed on the other worker');
    console.log(
      `workers: crash of worker 0 (native, sockets held by the main thread): bound again ${backMs.toFixed(0)} ms after the request; worker 1's session relayed during and after ` +
        `(unknown-session +0), worker 0's caller's stale packets were unknown-session (+2), its redial landed on worker ${again.worker} and relayed`,
    );
  } else {
    on1.sendData(2, 'W1-AFTER');
    on0.sendData(2, 'W0-AFTER');
    const after = await waitFor('the moved flows counted', async () => {
      const d = (await stats(proxy)).drops;
      return d.unknownSession + d.foreignAddress - before.unknownSession - before.foreignAddress >= 4 ? d : undefined;
    }, 3000);
    assert.equal(markerCount(origin, 'W1-AFTER'), 0, "worker 1's flow went to the new worker 0, which has no session for it");
    assert.equal(markerCount(origin, 'W0-AFTER'), 0);
    assert.ok((await proxy.sessions()).some((x) => x.id === session1.id), "worker 1 still holds its session (its caller's packets no longer reach it)");
    console.log(
      `workers: crash of worker 0 (js, a socket per worker): worker 1's flow relayed during the gap, then landed on the new worker 0 (unknown-session ${after.unknownSession - before.unknownSession}, ` +
        `foreign-address ${after.foreignAddress - before.foreignAddress}); both workers' callers must redial`,
    );
  }
});

e2eTest('WORKERS=2: MAX_SESSIONS stays a process-wide cap (each worker holds its share)', async (scope) => {
  const origin = await scope.rawOrigin();
  const proxy = await workersProxy(scope, [origin], { MAX_SESSIONS: '2' });
  const outcomes: (number | undefined)[] = [];
  for (let i = 0; i < 8; i++) {
    const caller = await scope.rawCaller();
    const result = await caller.connect({ host: '127.0.0.1', port: proxy.srtPort, streamId: sid(`cap-${i}`, 'publish') });
    outcomes.push(result.outcome === 'accepted' ? 0 : result.hsType);
  }
  const accepted = outcomes.filter((o) => o === 0).length;
  assert.ok(accepted >= 1 && accepted <= 2, `accepted ${accepted} of 8 with MAX_SESSIONS=2: ${outcomes.join(',')}`);
  assert.deepEqual([...new Set(outcomes.filter((o) => o !== 0))], [2402], 'the rest were told to retry elsewhere');
  assert.equal((await stats(proxy)).sessions.active, accepted);
  console.log(`workers: MAX_SESSIONS=2 with 2 workers accepted ${accepted} of 8 callers (each worker holds 1)`);
});

e2eTest('WORKERS=2: SIGTERM drains both workers (2402 for newcomers, live sessions relay on) and exits 0', async (scope) => {
  const origin = await scope.rawOrigin();
  const proxy = await workersProxy(scope, [origin], { DRAIN_TIMEOUT_MS: '1500' });
  const [a, b, sessionA, sessionB] = await oneOnEachWorker(scope, proxy, 'drain');
  const t0 = performance.now();
  proxy.process.child.kill('SIGTERM');
  await waitFor('/readyz 200 with draining', async () => {
    const r = await httpGet<{ info?: { drain?: { draining: boolean } } }>(proxy.url('/readyz'), 1000);
    assert.equal(r.status, 200, r.text);
    return r.body.info?.drain?.draining === true ? true : undefined;
  }, 3000);
  for (let i = 0; i < 4; i++) {
    const late = await scope.rawCaller();
    const result = await late.connect({ host: '127.0.0.1', port: proxy.srtPort, streamId: sid(`late-${i}`, 'publish') });
    assert.equal(result.hsType, 2402, `newcomer ${i} while draining: ${result.outcome} ${result.hsType}`);
  }
  a.sendData(2, 'DRAIN-A');
  b.sendData(2, 'DRAIN-B');
  await waitFor('both workers relaying while draining', () => (markerCount(origin, 'DRAIN-A') === 2 && markerCount(origin, 'DRAIN-B') === 2 ? true : undefined), 2000);
  const exit = await proxy.process.waitExit(10_000);
  const ms = performance.now() - t0;
  assert.equal(exit.code, 0, JSON.stringify(exit));
  assert.ok(ms >= 1400, `exited after ${ms.toFixed(0)} ms, before the drain time`);
  assert.ok(a.packetsForUs().some(isShutdown) && b.packetsForUs().some(isShutdown), 'both callers got SHUTDOWN at the end');
  // Each worker's last lines (its session ended by the stop) reach stdout, although the main thread then terminates
  // the worker, which runs no exit hook.
  for (const session of [sessionA, sessionB]) {
    const ended = proxy.process.stdout
      .split('\n')
      .filter((line) => line.includes('"msg":"session ended"') && line.includes(`"worker":${session.worker},`) && line.includes(`"stream":"${session.streamKey}"`));
    assert.equal(ended.length, 1, `the 'session ended' line of worker ${session.worker}'s session of ${session.streamKey}`);
  }
  console.log(`workers: drain with 2 workers exited ${exit.code} after ${ms.toFixed(0)} ms (DRAIN_TIMEOUT_MS=1500)`);
});
