import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Session } from '../../../../src/srt/session/session.js';
import { SessionTable } from '../../../../src/srt/session/session-table.js';

/** Only the fields the table reads; the table never calls into a session. */
function fakeSession(address: string, port: number, callerSocketId: number): Session {
  return { callerAddress: address, callerPort: port, callerSocketId } as unknown as Session;
}

describe('SessionTable', () => {
  it("finds a session by its caller's address, port and socket id and counts connected ones", () => {
    const table = new SessionTable();
    const s = fakeSession('127.0.0.1', 5000, 11);
    table.add(s);
    assert.equal(table.get('127.0.0.1', 5000, 11), s);
    assert.equal(table.get('127.0.0.1', 5001, 11), undefined, 'another port');
    assert.equal(table.get('127.0.0.2', 5000, 11), undefined, 'another address');
    assert.equal(table.get('127.0.0.1', 5000, 12), undefined, 'another socket id');
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
    assert.equal(table.get('::1', 6000, 5), undefined);
  });

  it('leaves a newer session under the same key alone when an older one is removed', () => {
    const table = new SessionTable();
    const old = fakeSession('10.0.0.1', 4000, 1);
    const fresh = fakeSession('10.0.0.1', 4000, 1);
    table.add(old);
    table.add(fresh);
    table.remove(old, false);
    assert.equal(table.get('10.0.0.1', 4000, 1), fresh);
  });

  it("keeps callers that picked the same socket id apart, in any order of removal, and lists every one", () => {
    const table = new SessionTable();
    const a = fakeSession('10.0.0.1', 4000, 7);
    const b = fakeSession('10.0.0.2', 4000, 7);
    const c = fakeSession('10.0.0.1', 4001, 7);
    const other = fakeSession('10.0.0.1', 4000, 8);
    for (const s of [a, b, c, other]) table.add(s);
    assert.equal(table.size, 4);
    assert.deepEqual(new Set(table.values()), new Set([a, b, c, other]));
    assert.equal(table.get('10.0.0.1', 4000, 7), a);
    assert.equal(table.get('10.0.0.2', 4000, 7), b);
    assert.equal(table.get('10.0.0.1', 4001, 7), c);
    table.remove(a, false);
    assert.equal(table.get('10.0.0.1', 4000, 7), undefined);
    assert.equal(table.get('10.0.0.2', 4000, 7), b, 'found after the first holder of its socket id left');
    assert.equal(table.get('10.0.0.1', 4001, 7), c);
    // A new caller with that socket id, and one removed twice: nothing else moves.
    const d = fakeSession('10.0.0.3', 4000, 7);
    table.add(d);
    table.remove(a, false);
    assert.equal(table.get('10.0.0.3', 4000, 7), d);
    table.remove(c, false);
    table.remove(b, false);
    assert.equal(table.get('10.0.0.2', 4000, 7), undefined);
    assert.equal(table.get('10.0.0.1', 4001, 7), undefined);
    assert.deepEqual([...table.values()].sort((x, y) => x.callerSocketId - y.callerSocketId), [d, other]);
    assert.equal(table.size, 2);
  });
});
