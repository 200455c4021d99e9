/**
 * Origins that register by SRS heartbeat (through the real HTTP endpoint of one replica) are routable on both
 * replicas sharing a Redis; when an origin's process is killed and its heartbeats stop, new sessions of its streams
 * go to a live origin within the probe budget (measured), and streams on other origins are untouched. The origins
 * are the scripted SRT listener as processes of their own: srt-live-transmit serves one caller and closes its
 * listener meanwhile, so it would not answer the probe while busy (SRS does).
 */
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { after, before } from 'node:test';
import { httpRequest } from '../support/http.js';
import { hostPort } from '../support/net.js';
import { ManagedProcess, waitFor } from '../support/process.js';
import type { ProxyProcess } from '../support/proxy.js';
import { RedisServer } from '../support/redis-server.js';
import { SRS7_HEARTBEAT_DEVICE_IP, SRS7_HEARTBEAT_HEADERS, SRS7_HEARTBEAT_NO_DEVICE_IP } from '../support/srs-heartbeats.js';
import { requirePeers } from './support/peers.js';
import { e2eTest, type Scope } from './support/scope.js';
import { sid, waitForSession } from './support/expect.js';

let redis: RedisServer;
let prefixes = 0;

before(async () => {
  requirePeers();
  redis = await RedisServer.start();
});

after(async () => {
  await redis.stop();
});

/** The body a real SRS 7 sends (SRS_DEVICE_IP=127.0.0.1), for an origin whose SRT listener is on `port`. */
function heartbeat(name: string, port: number): string {
  const body = JSON.parse(SRS7_HEARTBEAT_DEVICE_IP) as Record<string, unknown>;
  return JSON.stringify({ ...body, device_id: name, server: `vid-${name}`, srt: [`udp://0.0.0.0:${port}`] });
}

interface OriginView {
  id: string;
  source: string;
  health: string;
  reasons: string[];
  lastHeartbeat: string | null;
}

e2eTest('both real SRS 7 heartbeat bodies are accepted by the HTTP endpoint and listed on the other replica', async (scope) => {
  const env = { BALANCER_PROVIDER: 'redis', REDIS_URL: redis.url, REDIS_KEY_PREFIX: `fo${++prefixes}`, ORIGIN_PROBE_INTERVAL_MS: '0' };
  const [p1, p2] = [await scope.proxy({ origins: [], env, wait: 'alive' }), await scope.proxy({ origins: [], env, wait: 'alive' })];
  for (const body of [SRS7_HEARTBEAT_NO_DEVICE_IP, SRS7_HEARTBEAT_DEVICE_IP]) {
    const reply = await httpRequest(p1.url('/api/v1/srs/register'), { headers: SRS7_HEARTBEAT_HEADERS, body });
    assert.equal(reply.status, 200, reply.text);
    assert.deepEqual(reply.json, { code: 0, pid: String(p1.pid) });
  }
  const listed = await waitFor('the other replica to list both origins', async () => {
    const { origins } = await p2.getJson<{ origins: OriginView[] }>('/api/v1/origins');
    return origins.length === 2 ? origins : undefined;
  }, 5000);
  assert.deepEqual(listed.map((o) => o.id).sort(), ['127.0.0.1:10091', '192.0.2.2:10090']);
  assert.ok(listed.every((o) => o.source === 'registered' && o.health === 'up' && o.lastHeartbeat !== null), JSON.stringify(listed));
});

/** The scripted SRT origin (bench/scripted-origin.ts) as a process of its own: answers every handshake, counts data. */
async function scriptedOrigin(scope: Scope, name: string): Promise<{ process: ManagedProcess; port: number; dataPackets(): Promise<number> }> {
  const proc = scope.track(
    new ManagedProcess(`origin ${name} (scripted)`, process.execPath, [resolve('dist/bench/scripted-origin.js'), '--max-seconds', '120'], {
      stdin: 'pipe',
      stdout: 'lines',
    }),
  );
  const port = Number(/^listening (\d+)/.exec(await proc.nextLine(/^listening /, 5000))?.[1]);
  return {
    process: proc,
    port,
    async dataPackets() {
      proc.write('stats');
      return (JSON.parse((await proc.nextLine(/^stats /, 2000)).slice(6)) as { dataPackets: number }).dataPackets;
    },
  };
}

e2eTest(
  'an origin killed with its heartbeats stopped: new sessions of its stream reach a live origin within the probe budget',
  async (scope) => {
    const origins = [await scriptedOrigin(scope, 'srs0'), await scriptedOrigin(scope, 'srs1')];
    const env = {
      BALANCER_PROVIDER: 'redis',
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: `fo${++prefixes}`,
      ORIGIN_TTL_MS: '3000', // three 1 s heartbeats
      ORIGIN_PROBE_INTERVAL_MS: '500',
      ORIGIN_PROBE_TIMEOUT_MS: '250',
      ORIGIN_PROBE_MISSES: '2',
    };
    const [p1, p2]: ProxyProcess[] = [
      await scope.proxy({ origins: [], strategy: 'round-robin', env, wait: 'alive' }),
      await scope.proxy({ origins: [], strategy: 'round-robin', env, wait: 'alive' }),
    ];
    // SRS sends one heartbeat a second to one proxy URL; replica 2 learns of the origins through Redis.
    const beating = new Set([0, 1]);
    const beat = async (): Promise<void> => {
      for (const i of beating) {
        await httpRequest(p1.url('/api/v1/srs/register'), { headers: SRS7_HEARTBEAT_HEADERS, body: heartbeat(`srs${i}`, origins[i]!.port) }).catch(
          () => undefined,
        );
      }
    };
    await beat();
    const heart = setInterval(() => void beat(), 1000);
    let media: NodeJS.Timeout | undefined;
    try {
      await waitFor('both origins up on both replicas', async () => {
        for (const p of [p1, p2]) {
          const list = (await p.getJson<{ origins: OriginView[] }>('/api/v1/origins')).origins;
          if (list.filter((o) => o.health === 'up').length !== 2) return undefined;
        }
        return true;
      }, 5000);

      const doomedCaller = await scope.rawCaller();
      assert.equal((await doomedCaller.connect({ host: '127.0.0.1', port: p1.srtPort, streamId: sid('doomed', 'publish') })).outcome, 'accepted');
      const survivorCaller = await scope.rawCaller();
      assert.equal((await survivorCaller.connect({ host: '127.0.0.1', port: p1.srtPort, streamId: sid('survivor', 'publish') })).outcome, 'accepted');
      const doomed = await waitForSession(p1, 'doomed', 5000, (s) => s.state === 'connected');
      const survivor = await waitForSession(p1, 'survivor', 5000, (s) => s.state === 'connected');
      assert.notEqual(doomed.origin, survivor.origin, 'round-robin put the two streams on the two origins');
      const dead = origins.findIndex((o) => hostPort('127.0.0.1', o.port) === doomed.origin);
      const live = origins[1 - dead]!;
      media = setInterval(() => {
        if (!survivorCaller.closed) survivorCaller.sendData(10, 'SURVIVOR');
      }, 20);

      beating.delete(dead);
      await origins[dead]!.process.stop('SIGKILL', 2000);
      const killedAt = performance.now();
      const survivorBefore = await live.dataPackets();

      // A new session of the dead origin's stream, tried every 250 ms through replica 2, until one is accepted
      // through the live origin.
      let attempts = 0;
      const moved = await waitFor(
        'a new session of the stream accepted through the live origin',
        async () => {
          attempts++;
          const player = await (await scope.rawCaller()).connect({ host: '127.0.0.1', port: p2.srtPort, streamId: sid('doomed', 'request'), timeoutMs: 2500 });
          if (player.outcome !== 'accepted') return undefined;
          const sessions = await p2.sessions();
          assert.ok(sessions.some((s) => s.streamKey === doomed.streamKey && s.origin === hostPort('127.0.0.1', live.port)), JSON.stringify(sessions));
          return performance.now() - killedAt;
        },
        20_000,
        250,
      );
      const list = (await p2.getJson<{ origins: OriginView[] }>('/api/v1/origins')).origins;
      const deadView = list.find((o) => o.id === doomed.origin);
      console.log(
        `failover: new session of the killed origin's stream accepted on the live origin ${(moved / 1000).toFixed(2)} s after the kill ` +
          `(${attempts} attempts; probe 500 ms x 2 misses, TTL 3 s); dead origin on replica 2: ${deadView?.health} ${JSON.stringify(deadView?.reasons)}`,
      );
      assert.equal(deadView?.health, 'down');
      assert.ok(moved < 5000, `took ${moved.toFixed(0)} ms`);

      await waitFor('the live origin to keep receiving the other stream', async () => ((await live.dataPackets()) > survivorBefore + 200 ? true : undefined), 5000);
      const stillThere = (await p1.sessions()).find((s) => s.id === survivor.id);
      assert.equal(stillThere?.state, 'connected', 'the stream on the other origin is untouched');
      assert.equal(stillThere?.origin, survivor.origin);
    } finally {
      clearInterval(heart);
      if (media !== undefined) clearInterval(media);
    }
  },
  { timeout: 90_000 },
);
