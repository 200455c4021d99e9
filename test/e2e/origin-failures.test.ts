/**
 * Origins that fail: a stream whose origin died moves to a live one, names that do not resolve and addresses that
 * cannot be reached get callers a 2503 instead of crashing the proxy, and a datagram the proxy cannot answer
 * (source port 0) is dropped.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { before } from 'node:test';
import { freeUdpPort, hostPort } from '../support/net.js';
import { requirePeers } from './support/peers.js';
import { rejectedCount } from './support/proxy.js';
import { e2eTest } from './support/scope.js';
import { sid } from './support/expect.js';

before(() => requirePeers());

e2eTest('a new stream whose first pick failed is placed afresh on the next attempt (no grace for a stream that never connected)', async (scope) => {
  const deadPort = await freeUdpPort(); // nothing listens: ICMP port unreachable
  const livePort = await freeUdpPort();
  await scope.receiverOrigin({ name: 'live', port: livePort });
  const proxy = await scope.proxy({
    origins: [hostPort('127.0.0.1', deadPort), hostPort('127.0.0.1', livePort)],
    strategy: 'round-robin',
  });

  const first = await (await scope.rawCaller()).connect({ host: '127.0.0.1', port: proxy.srtPort, streamId: sid('moved', 'publish') });
  console.log(`dead origin: first attempt ${first.outcome} type ${first.hsType} after ${first.latencyMs.toFixed(0)} ms`);
  assert.equal(first.outcome, 'rejected');
  assert.equal(first.hsType, 2503);
  assert.ok(first.latencyMs < 1500, `rejected after ${first.latencyMs.toFixed(0)} ms`);

  const origins = await proxy.getJson<{ origins: { id: string; health: string; consecutiveFailures: number }[] }>('/api/v1/origins');
  const dead = origins.origins.find((o) => o.id === hostPort('127.0.0.1', deadPort));
  assert.equal(dead?.consecutiveFailures, 1, JSON.stringify(origins));
  assert.equal(dead?.health, 'up', 'one failure is not evidence enough to take an origin out');

  const second = await (await scope.rawCaller()).connect({ host: '127.0.0.1', port: proxy.srtPort, streamId: sid('moved', 'publish') });
  assert.equal(second.outcome, 'accepted', `retry: ${second.outcome} type ${second.hsType}`);
  const sessions = await proxy.sessions();
  assert.equal(sessions.length, 1);
  assert.equal(sessions[0]!.origin, hostPort('127.0.0.1', livePort));
});

e2eTest('an origin name that does not resolve and an unreachable address give 2503, and the proxy stays up', async (scope) => {
  const proxy = await scope.proxy({ origins: ['nonexistent.invalid:10080', '255.255.255.255:10080'], wait: 'alive' });
  const ready = await proxy.getStatus('/readyz');
  assert.equal(ready, 200, 'the unresolvable name is left out, the broadcast address is still listed');

  const result = await (await scope.rawCaller()).connect({ host: '127.0.0.1', port: proxy.srtPort, streamId: sid('nowhere', 'publish') });
  console.log(`unreachable origin address: ${result.outcome} type ${result.hsType} after ${result.latencyMs.toFixed(0)} ms`);
  assert.equal(result.outcome, 'rejected');
  assert.equal(result.hsType, 2503);
  assert.ok(result.latencyMs < 1500, `rejected after ${result.latencyMs.toFixed(0)} ms`);

  const stats = await proxy.stats();
  assert.equal(rejectedCount(stats, 2503), 1);
  assert.equal(proxy.exitCode(), null, 'the proxy is still running');
  const readyAfter = await proxy.getStatus('/readyz');
  assert.equal(readyAfter, 200, 'an origin outage never fails readiness (it would cut every live UDP flow)');
});

e2eTest('a handshake from source port 0 is dropped and counted, not answered', async (scope) => {
  const proxy = await scope.proxy({ origins: ['127.0.0.1:9'] });
  // Node cannot send from port 0; a raw socket can (we run as root, as CI does).
  const script = [
    'import socket, struct, sys',
    'port = int(sys.argv[1])',
    'payload = bytes.fromhex(sys.argv[2])',
    's = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP)',
    'header = struct.pack("!HHHH", 0, port, 8 + len(payload), 0)',
    's.sendto(header + payload, ("127.0.0.1", 0))',
  ].join('\n');
  const induction =
    '80000000000000000000024000000000000000040000000216243a2b000005dc00002000000000010d888413000000000100007f000000000000000000000000';
  const sent = spawnSync('python3', ['-c', script, String(proxy.srtPort), induction], { encoding: 'utf8' });
  assert.equal(sent.status, 0, `python3 raw send failed (install python3; run as root): ${sent.stderr}`);

  const before = (await proxy.stats()).handshakes.inductions;
  const stats = await proxy.waitForStats((s) => s.drops.malformed >= 1, 2000);
  assert.equal(stats.drops.malformed, 1);
  assert.equal(stats.handshakes.inductions, before);
  assert.equal(proxy.exitCode(), null, 'the proxy is still running');
});
