import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Session } from '../../../../src/srt/session/session.js';
import { SessionTable } from '../../../../src/srt/session/session-table.js';

/** Only the fields the table reads; the table never calls into a session. */
function fakeSession(address: string, port: number, callerSocketId: number): Session {
  return { handshakeKey: `${address}|${port}|${callerSocketId}` } as unknown as Session;
}

describe('SessionTable', () => {
  it('finds a session by its handshake key and counts connected ones', () => {
    const table = new SessionTable();
    const s = fakeSession('127.0.0.1', 5000, 11);
    table.add(s);
    assert.equal(table.getByHandshake('127.0.0.1|5000|11'), s);
    assert.equal(table.handshakingCount, 1);
    table.markConnected();
    assert.equal(table.connectedCount, 1);
    assert.equal(table.handshakingCount, 0);
    table.remove(s, true);
    assert.equal(table.size, 0);
    assert.equal(table.connectedCount, 0);
  });

  it('frees a session that never connected', () => {
    const table = new SessionTable();
    const s = fakeSession('::1', 6000, 5);
    table.add(s);
    assert.equal(table.handshakingCount, 1);
    table.remove(s, false);
    assert.equal(table.size, 0);
    assert.equal(table.getByHandshake('::1|6000|5'), undefined);
  });

  it('leaves a newer session under the same key alone when an older one is removed', () => {
    const table = new SessionTable();
    const old = fakeSession('10.0.0.1', 4000, 1);
    const fresh = fakeSession('10.0.0.1', 4000, 1);
    table.add(old);
    table.add(fresh);
    table.remove(old, false);
    assert.equal(table.getByHandshake('10.0.0.1|4000|1'), fresh);
  });
});
