import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { workerShare } from '../../../src/workers/worker-shares.js';
import { workerConfig } from '../../../src/workers/worker-config.js';
import { loadConfig } from '../../../src/config/load-config.js';

const shares = (limit: number, workers: number): number[] => Array.from({ length: workers }, (_, i) => workerShare(limit, workers, i));

describe('worker shares of process-wide caps', () => {
  it('add up to the limit', () => {
    assert.deepEqual(shares(10_000, 4), [2500, 2500, 2500, 2500]);
    assert.deepEqual(shares(10, 3), [4, 3, 3]);
    assert.deepEqual(shares(7, 1), [7]);
  });

  it('0 stays "no limit", and no worker gets 0 (which would mean no limit)', () => {
    assert.deepEqual(shares(0, 4), [0, 0, 0, 0]);
    assert.deepEqual(shares(2, 4), [1, 1, 1, 1]);
  });

  it('a worker\'s config: the shared port with SO_REUSEPORT, the one cookie secret, its shares', () => {
    const config = loadConfig({ MAX_SESSIONS: '100', MAX_SESSIONS_PER_SOURCE: '9', HANDSHAKE_RATE_PER_SOURCE: '50' });
    const mine = workerConfig(config, { index: 1, workers: 2, port: 4321, cookieSecret: 'one-secret-for-all-workers' });
    assert.deepEqual(mine.srt.listen, { host: config.srt.listen.host, port: 4321 });
    assert.equal(mine.srt.reusePort, true);
    assert.equal(mine.srt.cookieSecret, 'one-secret-for-all-workers');
    assert.equal(mine.srt.maxSessions, 50);
    assert.equal(mine.srt.abuse.maxSessionsPerSource, 4);
    assert.equal(mine.srt.abuse.handshakeRatePerSource, 50, 'the handshake budget is per worker, not divided');
    assert.equal(mine.workers, 2);
  });
});
