/**
 * Two proxy processes sharing one real redis-server: a stream's publisher and player meet on one origin whichever
 * replica they go through, and concurrent first claims from both replicas agree.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { freeUdpPort, hostPort } from '../support/net.js';
import { waitFor } from '../support/process.js';
import type { ProxyProcess } from '../support/proxy.js';
import { RedisServer } from '../support/redis-server.js';
import { requirePeers, startPlayer } from './support/peers.js';
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

/** A replica on the shared Redis (its own key prefix per test, so tests do not see each other's state). */
function replica(scope: Scope, origins: string[], prefix: string, env: Record<string, string> = {}): Promise<ProxyProcess> {
  return scope.proxy({
    origins,
    strategy: 'random',
    env: { BALANCER_PROVIDER: 'redis', REDIS_URL: redis.url, REDIS_KEY_PREFIX: prefix, ...env },
  });
}

e2eTest('an ffmpeg publisher through one replica and an ffmpeg player through the other meet on the same origin', async (scope) => {
  const prefix = `cluster${++prefixes}`;
  const ports = [await freeUdpPort(), await freeUdpPort(), await freeUdpPort()];
  const receivers = await Promise.all(ports.map((port, i) => scope.receiverOrigin({ name: `o${i}`, port })));
  const origins = ports.map((p) => hostPort('127.0.0.1', p));
  const [p1, p2] = [await replica(scope, origins, prefix), await replica(scope, origins, prefix)];

  const publisher = scope.startPublisher({ port: p1.srtPort, streamId: sid('meet', 'publish'), seconds: 8, name: 'meet' });
  const published = await waitForSession(p1, 'meet', 10_000, (s) => s.state === 'connected');
  const owner = receivers.find((r) => hostPort('127.0.0.1', r.port) === published.origin);
  assert.ok(owner, `publisher's origin ${published.origin} is one of ours`);
  await waitFor('media at the origin', () => (owner.bytes > 10_000 ? true : undefined), 10_000);

  const player = scope.track(
    startPlayer({ port: p2.srtPort, streamId: sid('meet', 'request'), seconds: 2, outFile: join(scope.dir, 'meet-play.ts') }),
  );
  const played = await waitForSession(p2, 'meet', 10_000, (s) => s.origin !== null);
  console.log(`cluster: publisher via replica 1 on ${published.origin}, player via replica 2 on ${played.origin}`);
  assert.equal(played.origin, published.origin, 'the player reaches the publisher’s origin');
  const streams = await p2.getJson<{ streams: { streamKey: string; origin: string }[] }>('/api/v1/streams');
  assert.equal(streams.streams.find((s) => s.streamKey.endsWith('live/meet'))?.origin, published.origin);
  assert.equal(await redis.command('GET', `${prefix}:stream:${published.streamKey}`), published.origin, 'the shared assignment');
  await publisher.stop('SIGTERM', 2000);
  await player.stop('SIGKILL', 2000);
});

e2eTest('50 concurrent first claims of one stream from both replicas agree on one origin', async (scope) => {
  const prefix = `cluster${++prefixes}`;
  const rawOrigins = [await scope.rawOrigin(), await scope.rawOrigin(), await scope.rawOrigin()];
  const origins = rawOrigins.map((o) => hostPort('127.0.0.1', o.port));
  const [p1, p2] = [await replica(scope, origins, prefix), await replica(scope, origins, prefix)];
  const callers = await Promise.all(Array.from({ length: 50 }, () => scope.rawCaller()));
  const results = await Promise.all(
    callers.map((c, i) => c.connect({ host: '127.0.0.1', port: (i % 2 === 0 ? p1 : p2).srtPort, streamId: sid('race', 'publish') })),
  );
  assert.deepEqual(
    results.map((r) => r.outcome).filter((o) => o !== 'accepted'),
    [],
    'every caller got through',
  );
  const sessions = [...(await p1.sessions()), ...(await p2.sessions())].filter((s) => s.streamKey.endsWith('live/race'));
  assert.equal(sessions.length, 50);
  const used = new Set(sessions.map((s) => s.origin));
  console.log(`cluster: 50 concurrent first claims (25 per replica) -> origins ${[...used].join(', ')}`);
  assert.equal(used.size, 1, `split across ${[...used].join(', ')}`);
  const reached = rawOrigins.filter((o) => o.handshakeSources().length > 0);
  assert.equal(reached.length, 1, 'only one origin saw handshakes');
  const counts = await redis.commandCalls();
  assert.ok((counts.get('evalsha') ?? 0) + (counts.get('eval') ?? 0) > 0, 'claims went through the script');
});
