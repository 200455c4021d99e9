import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Session } from '../../../../src/srt/session/session.js';
import { Lookup, SessionTable } from '../../../../src/srt/session/session-table.js';

/** Only the fields the table reads; the table never calls into a session. */
function fakeSession(address: string, port: number, callerSocketId: number, originSocketId: number): Session {
  return {
    callerAddress: address,
    callerPort: port,
    callerSocketId,
    originSocketId,
    handshakeKey: `${address}|${port}|${callerSocketId}`,
    nextWithSameOriginSocketId: undefined,
  } as unknown as Session;
}

describe('SessionTable', () => {
  it('finds a connected session by origin socket id and caller address', () => {
    const table = new SessionTable();
    const s = fakeSession('127.0.0.1', 5000, 11, 0xabc);
    table.add(s);
    assert.equal(table.find(0xabc, '127.0.0.1', 5000), Lookup.UnknownSocketId, 'not relayable before index()');
    table.index(s);
    assert.equal(table.find(0xabc, '127.0.0.1', 5000), Lookup.Found);
    assert.equal(table.found, s);
    assert.equal(table.getByHandshake('127.0.0.1|5000|11'), s);
    assert.equal(table.connectedCount, 1);
    assert.equal(table.handshakingCount, 0);
  });

  it('refuses the same socket id from another address or port', () => {
    const table = new SessionTable();
    const s = fakeSession('127.0.0.1', 5000, 11, 7);
    table.add(s);
    table.index(s);
    assert.equal(table.find(7, '127.0.0.1', 5001), Lookup.ForeignAddress);
    assert.equal(table.find(7, '127.0.0.2', 5000), Lookup.ForeignAddress);
    assert.equal(table.find(8, '127.0.0.1', 5000), Lookup.UnknownSocketId);
  });

  it('keeps two sessions apart when their origins picked the same socket id', () => {
    const table = new SessionTable();
    const a = fakeSession('10.0.0.1', 4000, 1, 99);
    const b = fakeSession('10.0.0.2', 4000, 2, 99);
    const c = fakeSession('10.0.0.3', 4000, 3, 99);
    for (const s of [a, b, c]) {
      table.add(s);
      table.index(s);
    }
    for (const s of [a, b, c]) {
      assert.equal(table.find(99, s.callerAddress, 4000), Lookup.Found);
      assert.equal(table.found, s);
    }
    table.remove(b, true);
    assert.equal(table.find(99, '10.0.0.2', 4000), Lookup.ForeignAddress);
    assert.equal(table.find(99, '10.0.0.1', 4000), Lookup.Found);
    assert.equal(table.find(99, '10.0.0.3', 4000), Lookup.Found);
    table.remove(c, true);
    table.remove(a, true);
    assert.equal(table.find(99, '10.0.0.1', 4000), Lookup.UnknownSocketId);
    assert.equal(table.size, 0);
    assert.equal(table.connectedCount, 0);
  });

  it('charges a foreign-address datagram to the session it targets, never to a bystander', () => {
    const table = new SessionTable();
    const a = fakeSession('10.0.0.1', 4000, 1, 99);
    const b = fakeSession('10.0.0.2', 4000, 2, 99);
    const lone = fakeSession('10.0.0.9', 4000, 9, 5);
    for (const s of [a, b, lone]) {
      table.add(s);
      table.index(s);
    }
    // b was indexed last so heads the chain: the old code charged every foreign datagram for id 99 to it.
    assert.equal(table.find(99, '10.0.0.1', 4001), Lookup.ForeignAddress);
    assert.equal(table.found, a, 'same address, other port: the session of that caller');
    assert.equal(table.find(99, '10.0.0.7', 4000), Lookup.ForeignAddress);
    assert.equal(table.found, undefined, 'two sessions share the id and neither has this address');
    assert.equal(table.find(5, '10.0.0.7', 4000), Lookup.ForeignAddress);
    assert.equal(table.found, lone, 'the only session with that id');
  });

  it('frees a session that never connected', () => {
    const table = new SessionTable();
    const s = fakeSession('::1', 6000, 5, 0);
    table.add(s);
    assert.equal(table.handshakingCount, 1);
    table.remove(s, false);
    assert.equal(table.size, 0);
    assert.equal(table.getByHandshake('::1|6000|5'), undefined);
  });
});
