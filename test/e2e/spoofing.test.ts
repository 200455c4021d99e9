/**
 * Packets carrying a live session's socket id from any other address must go nowhere: caller side (to the proxy's
 * SRT port) and origin side (to the proxy's per-session origin socket).
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { before } from 'node:test';
import { hostPort } from '../support/net.js';
import { requirePeers } from './support/peers.js';
import { sleep } from '../support/process.js';
import { e2eTest } from './support/scope.js';
import { buildDataPacket, buildShutdown, tsNullPayload } from '../support/srt-packets.js';
import { sid, waitForNoSessions, waitForSession } from './support/expect.js';

before(() => requirePeers());

function hasMarker(packet: Buffer, marker: string): boolean {
  return packet.includes(Buffer.from(marker));
}

e2eTest('a datagram with the session socket id from another port reaches neither peer', async (scope) => {
  const origin = await scope.rawOrigin();
  const proxy = await scope.proxy({ origins: [hostPort('127.0.0.1', origin.port)] });
  const caller = await scope.rawCaller();
  const result = await caller.connect({ host: '127.0.0.1', port: proxy.srtPort, streamId: sid('victim', 'publish') });
  assert.equal(result.outcome, 'accepted', JSON.stringify({ outcome: result.outcome, hsType: result.hsType }));
  assert.equal(result.peerSocketId, origin.socketId, 'the caller learned the origin socket id through the proxy');
  assert.equal(origin.badCookies, 0, 'the proxy rewrote the cookie for the origin');

  caller.sendData(3, 'GENUINE');
  await sleep(200);
  const genuine = origin.sessionPackets().filter((d) => hasMarker(d.packet, 'GENUINE')).length;
  assert.equal(genuine, 3, 'genuine caller data reaches the origin');
  const sessionBefore = await waitForSession(proxy, 'victim', 2000, (s) => s.packetsFromCaller >= 3);
  const statsBefore = await proxy.stats();

  // Attacker on another port: data, SHUTDOWN and keepalive-sized packets addressed to the origin's socket id.
  const attacker = dgram.createSocket('udp4');
  scope.note(`attacker socket opened`);
  try {
    await new Promise<void>((resolve) => attacker.bind(0, '127.0.0.1', () => resolve()));
    const toProxy = (packet: Buffer): Promise<void> =>
      new Promise((resolve, reject) => attacker.send(packet, proxy.srtPort, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
    for (let i = 0; i < 5; i += 1) {
      await toProxy(buildDataPacket(1000 + i, 1000 + i, 1234, origin.socketId, tsNullPayload('SPOOFED')));
    }
    await toProxy(buildShutdown(origin.socketId, 1234));
    await sleep(300);

    assert.equal(
      origin.datagrams.filter((d) => hasMarker(d.packet, 'SPOOFED')).length,
      0,
      'spoofed data must not reach the origin',
    );
    const shutdowns = origin.sessionPackets().filter((d) => d.packet.length === 20 && d.packet.readUInt16BE(0) === 0x8005);
    assert.equal(shutdowns.length, 0, 'a spoofed SHUTDOWN must not reach the origin');
    const afterSpoof = await waitForSession(proxy, 'victim', 1000);
    assert.equal(afterSpoof.packetsFromCaller, sessionBefore.packetsFromCaller, 'spoofed packets are not counted as caller traffic');
    assert.equal(afterSpoof.state, sessionBefore.state, 'the session is untouched');
    const statsAfter = await proxy.stats();
    console.log(
      `spoofing: drops before ${JSON.stringify(statsBefore.drops)} after ${JSON.stringify(statsAfter.drops)}`,
    );
    assert.ok(
      statsAfter.drops.foreignAddress >= statsBefore.drops.foreignAddress + 6,
      `drops.foreignAddress should count the 6 spoofed packets: ${JSON.stringify(statsBefore.drops)} -> ${JSON.stringify(statsAfter.drops)}`,
    );

    // Origin side: the proxy's session socket (seen by the origin) must only accept the origin's own address.
    assert.ok(origin.sessionPeer, 'origin saw the proxy session socket');
    const sessionPort = origin.sessionPeer.port;
    const callerSeenBefore = caller.packetsForUs().length;
    for (let i = 0; i < 5; i += 1) {
      await new Promise<void>((resolve) =>
        attacker.send(buildDataPacket(2000 + i, 2000 + i, 1234, caller.socketId, tsNullPayload('REVERSE')), sessionPort, '127.0.0.1', () => resolve()),
      );
    }
    await sleep(300);
    const leaked = caller.received.filter((r) => hasMarker(r.packet, 'REVERSE')).length;
    assert.equal(leaked, 0, 'spoofed origin-side data must not reach the caller');
    console.log(`spoofing: caller received ${caller.packetsForUs().length - callerSeenBefore} packets during the reverse spoof (none spoofed)`);

    // The genuine pair still works afterwards.
    caller.sendData(2, 'STILL-OK');
    await sleep(200);
    assert.equal(origin.sessionPackets().filter((d) => hasMarker(d.packet, 'STILL-OK')).length, 2, 'the genuine session survives');
    origin.sendToSession(buildDataPacket(5, 5, 1234, caller.socketId, tsNullPayload('FROM-ORIGIN')));
    await sleep(200);
    assert.equal(caller.received.filter((r) => hasMarker(r.packet, 'FROM-ORIGIN')).length, 1, 'origin -> caller still relayed');
  } finally {
    await new Promise<void>((resolve) => attacker.close(() => resolve()));
  }
  caller.sendShutdown();
  await waitForNoSessions(proxy, 5000);
});

e2eTest('two origins that picked the same socket id: no cross-talk between their sessions', async (scope) => {
  const sharedId = 0x1234abcd;
  const originA = await scope.rawOrigin('127.0.0.1', sharedId);
  const originB = await scope.rawOrigin('127.0.0.1', sharedId);
  const proxy = await scope.proxy({ origins: [hostPort('127.0.0.1', originA.port), hostPort('127.0.0.1', originB.port)], strategy: 'round-robin' });
  const callerA = await scope.rawCaller();
  const callerB = await scope.rawCaller();
  const ra = await callerA.connect({ host: '127.0.0.1', port: proxy.srtPort, streamId: sid('same-a', 'publish') });
  const rb = await callerB.connect({ host: '127.0.0.1', port: proxy.srtPort, streamId: sid('same-b', 'publish') });
  assert.equal(ra.outcome, 'accepted');
  assert.equal(rb.outcome, 'accepted');
  assert.equal(ra.peerSocketId, sharedId);
  assert.equal(rb.peerSocketId, sharedId);
  assert.ok(originA.sessionPeer && originB.sessionPeer, 'each origin got one session');

  callerA.sendData(4, 'FROM-A');
  callerB.sendData(2, 'FROM-B');
  originA.sendToSession(buildDataPacket(1, 1, 1, callerA.socketId, tsNullPayload('TO-A')));
  originB.sendToSession(buildDataPacket(1, 1, 1, callerB.socketId, tsNullPayload('TO-B')));
  await sleep(300);
  const count = (items: readonly { packet: Buffer }[], marker: string): number => items.filter((d) => hasMarker(d.packet, marker)).length;
  assert.deepEqual(
    { aGotA: count(originA.datagrams, 'FROM-A'), aGotB: count(originA.datagrams, 'FROM-B'), bGotA: count(originB.datagrams, 'FROM-A'), bGotB: count(originB.datagrams, 'FROM-B') },
    { aGotA: 4, aGotB: 0, bGotA: 0, bGotB: 2 },
  );
  assert.deepEqual(
    { aGotA: count(callerA.received, 'TO-A'), aGotB: count(callerA.received, 'TO-B'), bGotA: count(callerB.received, 'TO-A'), bGotB: count(callerB.received, 'TO-B') },
    { aGotA: 1, aGotB: 0, bGotA: 0, bGotB: 1 },
  );
  callerA.sendShutdown();
  callerB.sendShutdown();
  await waitForNoSessions(proxy, 5000);
});
