/**
 * Regression (issue 6, defect 1): one failed handshake on an origin (for another stream) must not move a live
 * stream: its next player still gets the publisher's origin.
 */
import assert from 'node:assert/strict';
import { hostPort } from '../support/net.js';
import { e2eTest } from './support/scope.js';
import { sid } from './support/expect.js';

e2eTest('a live stream keeps its origin after that origin fails one handshake of another stream', async (scope) => {
  const a = await scope.rawOrigin();
  const b = await scope.rawOrigin();
  const proxy = await scope.proxy({ origins: [hostPort('127.0.0.1', a.port), hostPort('127.0.0.1', b.port)], strategy: 'round-robin' });
  const connect = async (name: string, mode: 'publish' | 'request') =>
    (await scope.rawCaller()).connect({ host: '127.0.0.1', port: proxy.srtPort, streamId: sid(name, mode) });

  assert.equal((await connect('main', 'publish')).outcome, 'accepted'); // round-robin: A
  assert.equal((await connect('side', 'publish')).outcome, 'accepted'); // B
  a.responseDelayMs = 5000; // A is slow for a moment: the next handshake to it times out (2503)
  const failed = await connect('unlucky', 'publish'); // A again
  assert.equal(failed.outcome, 'rejected');
  assert.equal(failed.hsType, 2503);
  a.responseDelayMs = 0;

  const player = await connect('main', 'request');
  assert.equal(player.outcome, 'accepted');
  const main = (await proxy.sessions()).filter((s) => s.streamKey.endsWith('live/main'));
  assert.deepEqual(
    main.map((s) => s.origin),
    [hostPort('127.0.0.1', a.port), hostPort('127.0.0.1', a.port)],
    'publisher and player on the same origin',
  );
  const origins = await proxy.getJson<{ origins: { id: string; health: string; consecutiveFailures: number }[] }>('/api/v1/origins');
  const viewA = origins.origins.find((o) => o.id === hostPort('127.0.0.1', a.port));
  assert.equal(viewA?.health, 'up');
});
