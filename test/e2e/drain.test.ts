/** SIGTERM drain: readiness false, new callers 2402, live sessions relay on, then SHUTDOWN both ways and exit 0. */
import assert from 'node:assert/strict';
import { before } from 'node:test';
import { hostPort, httpGet } from '../support/net.js';
import { requirePeers } from './support/peers.js';
import { sleep, waitFor } from '../support/process.js';
import { e2eTest } from './support/scope.js';
import { isShutdown } from '../support/srt-packets.js';
import { sid, waitForSession } from './support/expect.js';

before(() => requirePeers());

e2eTest('SIGTERM drains: 2402 for newcomers, the live session keeps relaying, then SHUTDOWN both ways and exit 0', async (scope) => {
  const origin = await scope.rawOrigin();
  const proxy = await scope.proxy({ origins: [hostPort('127.0.0.1', origin.port)], env: { DRAIN_TIMEOUT_MS: '1500' } });
  const caller = await scope.rawCaller();
  const result = await caller.connect({ host: '127.0.0.1', port: proxy.srtPort, streamId: sid('drain', 'publish') });
  assert.equal(result.outcome, 'accepted', JSON.stringify({ outcome: result.outcome, hsType: result.hsType }));
  await waitForSession(proxy, 'drain', 2000);

  const t0 = performance.now();
  proxy.process.child.kill('SIGTERM');
  const notReady = await waitFor('/readyz to turn non-200', async () => {
    const r = await httpGet(proxy.url('/readyz'), 500);
    return r.status !== 200 ? r.status : undefined;
  }, 1000, 20);
  console.log(`drain: /readyz ${notReady} ${(performance.now() - t0).toFixed(0)} ms after SIGTERM`);

  const late = await scope.rawCaller();
  const rejected = await late.connect({ host: '127.0.0.1', port: proxy.srtPort, streamId: sid('late', 'publish') });
  assert.equal(rejected.outcome, 'rejected', `newcomer while draining: ${rejected.outcome}`);
  assert.equal(rejected.hsType, 2402);

  caller.sendData(3, 'DURING-DRAIN');
  await sleep(150);
  assert.equal(origin.sessionPackets().filter((d) => d.packet.includes(Buffer.from('DURING-DRAIN'))).length, 3, 'the live session still relays while draining');

  const exit = await proxy.process.waitExit(6000);
  const exitMs = performance.now() - t0;
  const callerShutdown = caller.received.some((r) => isShutdown(r.packet));
  const originShutdown = origin.sessionPackets().some((d) => isShutdown(d.packet));
  console.log(`drain: exit ${JSON.stringify(exit)} ${exitMs.toFixed(0)} ms after SIGTERM (DRAIN_TIMEOUT_MS=1500); SHUTDOWN to caller ${callerShutdown}, to origin ${originShutdown}`);
  assert.equal(exit.code, 0);
  assert.ok(exitMs >= 1400, `exited after ${exitMs.toFixed(0)} ms: the live session was not given its drain time`);
  assert.ok(callerShutdown, 'the caller got a SHUTDOWN at the end of the drain');
  assert.ok(originShutdown, 'the origin got a SHUTDOWN at the end of the drain');
});
