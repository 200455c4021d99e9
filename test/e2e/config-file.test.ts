/**
 * The two documented ways to run from a config file, end to end: CONFIG_FILE=path (read by the loader) and Node's
 * own --env-file. In both the file supplies the origin and the real environment wins where both set a value (the
 * file's HTTP address is one this machine cannot bind, so the proxy only comes up if the environment's won).
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostPort } from '../support/net.js';
import { ProxyProcess } from '../support/proxy.js';
import { e2eTest, type Scope } from './support/scope.js';
import { sid } from './support/expect.js';

async function runFromFile(scope: Scope, how: 'CONFIG_FILE' | '--env-file'): Promise<void> {
  const origin = await scope.rawOrigin();
  const file = join(scope.dir, 'proxy.env');
  writeFileSync(
    file,
    [
      '# written by the test',
      `ORIGINS=${hostPort('127.0.0.1', origin.port)}`,
      // TEST-NET-3: never a local address, so binding it fails; the environment's HTTP_LISTEN must win.
      'HTTP_LISTEN=203.0.113.1:12025',
      'BALANCER_STRATEGY=least-streams',
      'LOG_LEVEL=warn',
      'DRAIN_TIMEOUT_MS=500',
      '',
    ].join('\n'),
  );
  const proxy = await ProxyProcess.start(
    how === 'CONFIG_FILE' ? { env: { CONFIG_FILE: file } } : { env: {}, nodeArgs: [`--env-file=${file}`] },
  );
  scope.track(proxy.process);
  const origins = await proxy.getJson<{ origins: { id: string }[] }>('/api/v1/origins');
  assert.deepEqual(origins.origins.map((o) => o.id), [hostPort('127.0.0.1', origin.port)], 'the origin came from the file');
  const caller = await scope.rawCaller();
  const result = await caller.connect({ host: '127.0.0.1', port: proxy.srtPort, streamId: sid('from-file', 'publish') });
  assert.equal(result.outcome, 'accepted', JSON.stringify(result));
  assert.deepEqual(origin.streamIds, [sid('from-file', 'publish')]);
  // The live session holds the drain for the file's 500 ms, not the default 25 s.
  const t0 = performance.now();
  await proxy.stop();
  const exitMs = performance.now() - t0;
  assert.equal(proxy.process.exitInfo?.code, 0);
  assert.ok(exitMs >= 400 && exitMs < 3000, `exited ${exitMs.toFixed(0)} ms after SIGTERM`);
}

e2eTest('CONFIG_FILE: the file supplies the origin, the environment wins over it', (scope) => runFromFile(scope, 'CONFIG_FILE'));

e2eTest('node --env-file: the same file works with Node alone', (scope) => runFromFile(scope, '--env-file'));
