/**
 * A native-path proxy out of file descriptors (its RLIMIT_NOFILE lowered with prlimit, util-linux, to leave exactly
 * two fds free), with real handshakes: a session whose origin socket cannot be made is refused at once with 2402
 * (SRT_REJX_OVERLOAD: this proxy is full, its origin is fine), the origin is not blamed, the process stays up, and
 * it serves again (HTTP API and new sessions) once sessions close. Origins of both address families make the
 * kept-socket path reachable: a kept IPv6 socket is closed to make room for an IPv4 link (dp_spare_sockets_close).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { hostPort, httpGet } from '../support/net.js';
import { sleep, waitFor } from '../support/process.js';
import { fdCount, unlistedSockets } from '../support/procfs.js';
import type { ProxyProcess } from '../support/proxy.js';
import type { ScriptedOrigin } from '../support/scripted-origin.js';
import { rejectedCount } from './support/proxy.js';
import { sid } from './support/expect.js';
import type { RawCaller } from './support/raw-caller.js';
import { e2eTest, type Scope } from './support/scope.js';

const WAIT_MS = 15_000;
const OVERLOAD = 2402;

function openFds(pid: number): Set<number> {
  return new Set(readdirSync(`/proc/${pid}/fd`).map(Number));
}

/** The RLIMIT_NOFILE that leaves exactly `free` fd numbers unused below it (the kernel hands out the lowest). */
function limitLeaving(pid: number, free: number): number {
  const open = openFds(pid);
  for (let fd = 0, unused = 0; ; fd++) {
    if (!open.has(fd) && ++unused === free) return fd + 1;
  }
}

function setFdLimit(pid: number, limit: number): void {
  const r = spawnSync('prlimit', ['--pid', String(pid), `--nofile=${limit}:${limit}`], { encoding: 'utf8' });
  if (r.error !== undefined) throw new Error(`prlimit not found (apt-get install util-linux): ${r.error.message}`);
  assert.equal(r.status, 0, `prlimit failed: ${r.stderr}`);
}

/** Waits until the proxy's fd count holds still (the start-up's HTTP connections closed). */
async function settledFds(proxy: ProxyProcess): Promise<void> {
  let last = -1;
  let same = 0;
  await waitFor(
    "the proxy's fd count to hold still",
    async () => {
      const now = fdCount(proxy.pid).total;
      same = now === last ? same + 1 : 0;
      last = now;
      await sleep(300);
      return same >= 3 ? true : undefined;
    },
    WAIT_MS,
    0,
  );
}

/** SIGTERM: the live sessions drained (DRAIN_TIMEOUT_MS 1 s in the e2e defaults), then exit 0, well before SIGKILL. */
async function stopsCleanly(proxy: ProxyProcess): Promise<void> {
  await proxy.stop(8000);
  assert.deepEqual(proxy.process.exitInfo, { code: 0, signal: null }, 'the proxy exits by itself on SIGTERM');
}

async function connect(scope: Scope, proxy: ProxyProcess, name: string): Promise<{ caller: RawCaller; outcome: string; hsType: number | undefined }> {
  const caller = await scope.rawCaller();
  const result = await caller.connect({ host: '127.0.0.1', port: proxy.srtPort, streamId: sid(name, 'publish'), timeoutMs: 5000 });
  return { caller, outcome: result.outcome, hsType: result.hsType };
}

/** Ends a session from its caller and waits until the origin got the SHUTDOWN and the proxy let the link go. */
async function hangUp(proxy: ProxyProcess, caller: RawCaller, origin: ScriptedOrigin, keptAfter: number): Promise<void> {
  const before = origin.otherPackets;
  caller.sendShutdown();
  await caller.flush();
  await waitFor('the SHUTDOWN at the origin', () => (origin.otherPackets > before ? true : undefined), WAIT_MS, 10);
  // No HTTP while no fd is free: the link's socket is seen going from the proxy's fd table instead.
  await waitFor(`${keptAfter} kept origin sockets in the proxy`, () => (unlistedSockets(proxy.pid) === keptAfter ? true : undefined), WAIT_MS, 10);
}

e2eTest(
  'native data path out of fds: the caller gets 2402 at once, the origin is not blamed, a kept socket of the other family makes room, and the proxy serves again once sessions close',
  async (scope) => {
    const origin6 = await scope.rawOrigin('::1');
    const origin4 = await scope.rawOrigin('127.0.0.1');
    // Round robin over [IPv6, IPv4]: sessions alternate between them, starting with the IPv6 origin.
    const proxy = await scope.proxy({
      origins: [hostPort('::1', origin6.port), hostPort('127.0.0.1', origin4.port)],
      env: { DATA_PATH: 'native', WORKERS: '1' },
    });
    assert.equal((await proxy.stats()).dataPath, 'native');
    await settledFds(proxy);
    const limit = limitLeaving(proxy.pid, 2);
    scope.note(`RLIMIT_NOFILE lowered to ${limit} with ${fdCount(proxy.pid).total} fds open`);
    setFdLimit(proxy.pid, limit);

    // Two sessions take the two free fds.
    const s1 = await connect(scope, proxy, 's1');
    const s2 = await connect(scope, proxy, 's2');
    assert.deepEqual([s1.outcome, s2.outcome], ['accepted', 'accepted']);
    assert.deepEqual([origin6.conclusions, origin4.conclusions], [1, 1], 'one session on each origin');
    // s1's IPv6 socket is kept for the next IPv6 link, which takes it (no new fd); then kept again.
    await hangUp(proxy, s1.caller, origin6, 1);
    const s3 = await connect(scope, proxy, 's3');
    assert.equal(s3.outcome, 'accepted', 'an IPv6 link on the kept socket needs no fd');
    assert.equal(unlistedSockets(proxy.pid), 0);
    await hangUp(proxy, s3.caller, origin6, 1);
    // An IPv4 link: no fd is free and no IPv4 socket is kept, so socket() fails with EMFILE; the kept IPv6 socket is
    // closed to make room and the link opens.
    const s4 = await connect(scope, proxy, 's4');
    assert.equal(s4.outcome, 'accepted', `the kept IPv6 socket was not given up for an IPv4 link (hsType ${s4.hsType})`);
    assert.equal(origin4.conclusions, 2);
    assert.equal(unlistedSockets(proxy.pid), 0, 'the kept socket was closed');

    // Nothing left to give up: both families' next sessions are refused at once with 2402, neither origin reached.
    for (const name of ['s5', 's6']) {
      const started = performance.now();
      const refused = await connect(scope, proxy, name);
      assert.deepEqual([refused.outcome, refused.hsType], ['rejected', OVERLOAD], `${name} without an fd`);
      assert.ok(performance.now() - started < 2000, `${name} refused at once, not after the origin handshake timeout`);
    }
    assert.deepEqual([origin6.conclusions, origin4.conclusions, origin6.inductions, origin4.inductions], [2, 2, 2, 2]);
    assert.equal(proxy.exitCode(), null, 'the proxy is still running');

    // The sessions end: their fds come back to the process, which answers HTTP again and takes new sessions.
    await hangUp(proxy, s2.caller, origin4, 0);
    await hangUp(proxy, s4.caller, origin4, 0);
    const stats = await waitFor(
      'the HTTP API to answer again',
      async () => {
        const r = await httpGet<Awaited<ReturnType<ProxyProcess['stats']>>>(proxy.url('/api/v1/stats'), 1000);
        return r.status === 200 ? r.body : undefined;
      },
      WAIT_MS,
      100,
    );
    assert.equal(rejectedCount(stats, OVERLOAD), 2, JSON.stringify(stats.handshakes));
    assert.deepEqual(stats.sessions, { active: 0, handshaking: 0, opened: 6, closed: 6 });
    assert.equal(stats.errors.origin, 2, 'each failed openLink counted once');
    assert.deepEqual(stats.origins, { known: 2, available: 2 }, "running out of fds is not the origins' fault");
    const s7 = await connect(scope, proxy, 's7');
    const s8 = await connect(scope, proxy, 's8');
    assert.deepEqual([s7.outcome, s8.outcome], ['accepted', 'accepted'], 'new sessions of both families after the exhaustion');
    await stopsCleanly(proxy);
  },
  { timeout: 120_000 },
);

/** The data path this run is for (npm test runs the e2e suite with DATA_PATH=js too): the same refusal and recovery. */
const DATA_PATH = process.env.DATA_PATH === 'js' ? 'js' : 'native';

e2eTest(`${DATA_PATH} data path out of fds: 2402 at once, then HTTP and new sessions once the session ends`, async (scope) => {
  const origin = await scope.rawOrigin('127.0.0.1');
  const proxy = await scope.proxy({ origins: [hostPort('127.0.0.1', origin.port)], env: { DATA_PATH, WORKERS: '1' } });
  assert.equal((await proxy.stats()).dataPath, DATA_PATH);
  await settledFds(proxy);
  setFdLimit(proxy.pid, limitLeaving(proxy.pid, 1));
  const s1 = await connect(scope, proxy, 'one');
  assert.equal(s1.outcome, 'accepted');
  const started = performance.now();
  const s2 = await connect(scope, proxy, 'two');
  assert.deepEqual([s2.outcome, s2.hsType], ['rejected', OVERLOAD]);
  assert.ok(performance.now() - started < 1500, 'refused at once, not after the origin handshake timeout');
  const before = origin.otherPackets;
  s1.caller.sendShutdown();
  await s1.caller.flush();
  await waitFor('the SHUTDOWN at the origin', () => (origin.otherPackets > before ? true : undefined), WAIT_MS, 10);
  const stats = await waitFor(
    'the HTTP API to answer again with no session left',
    async () => {
      const r = await httpGet<Awaited<ReturnType<ProxyProcess['stats']>>>(proxy.url('/api/v1/stats'), 1000);
      return r.status === 200 && r.body.sessions.active === 0 ? r.body : undefined;
    },
    WAIT_MS,
    100,
  );
  assert.equal(rejectedCount(stats, OVERLOAD), 1, JSON.stringify(stats.handshakes));
  assert.deepEqual(stats.origins, { known: 1, available: 1 }, "running out of fds is not the origin's fault");
  assert.equal(stats.originSockets, 0, 'the refused link is gone too');
  const s3 = await connect(scope, proxy, 'three');
  assert.equal(s3.outcome, 'accepted', 'a new session once an fd is free again');
  await stopsCleanly(proxy);
});
