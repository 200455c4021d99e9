import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Lookup, RelayIndex, type RelayEntry } from '../../../../src/srt/transport/relay-index.js';

interface Entry extends RelayEntry<Entry> {
  readonly name: string;
}

function entry(name: string, address: string, port: number, originSocketId: number): Entry {
  return { name, callerAddress: address, callerPort: port, originSocketId, nextWithSameOriginSocketId: undefined };
}

describe('RelayIndex', () => {
  it('finds a link by origin socket id and caller address and port', () => {
    const index = new RelayIndex<Entry>();
    const e = entry('a', '127.0.0.1', 5000, 0xabc);
    assert.equal(index.find(0xabc, '127.0.0.1', 5000), Lookup.UnknownSocketId, 'not relayable before add()');
    index.add(e);
    assert.equal(index.find(0xabc, '127.0.0.1', 5000), Lookup.Found);
    assert.equal(index.found, e);
  });

  it('refuses the same socket id from another address or port', () => {
    const index = new RelayIndex<Entry>();
    index.add(entry('a', '127.0.0.1', 5000, 7));
    assert.equal(index.find(7, '127.0.0.1', 5001), Lookup.ForeignAddress);
    assert.equal(index.find(7, '127.0.0.2', 5000), Lookup.ForeignAddress);
    assert.equal(index.find(8, '127.0.0.1', 5000), Lookup.UnknownSocketId);
  });

  it('keeps two links apart when their origins picked the same socket id', () => {
    const index = new RelayIndex<Entry>();
    const a = entry('a', '10.0.0.1', 4000, 99);
    const b = entry('b', '10.0.0.2', 4000, 99);
    const c = entry('c', '10.0.0.3', 4000, 99);
    for (const e of [a, b, c]) index.add(e);
    for (const e of [a, b, c]) {
      assert.equal(index.find(99, e.callerAddress, 4000), Lookup.Found);
      assert.equal(index.found, e);
    }
    index.remove(b);
    assert.equal(index.find(99, '10.0.0.2', 4000), Lookup.ForeignAddress);
    assert.equal(index.find(99, '10.0.0.1', 4000), Lookup.Found);
    assert.equal(index.find(99, '10.0.0.3', 4000), Lookup.Found);
    index.remove(c);
    index.remove(a);
    index.remove(a); // removing twice is harmless
    assert.equal(index.find(99, '10.0.0.1', 4000), Lookup.UnknownSocketId);
    assert.equal(index.size, 0);
  });

  it('charges a foreign-address datagram to the link it targets, never to a bystander', () => {
    const index = new RelayIndex<Entry>();
    const a = entry('a', '10.0.0.1', 4000, 99);
    const b = entry('b', '10.0.0.2', 4000, 99);
    const lone = entry('lone', '10.0.0.9', 4000, 5);
    for (const e of [a, b, lone]) index.add(e);
    // b was added last so heads the chain: charging the head would blame it for every foreign datagram of id 99.
    assert.equal(index.find(99, '10.0.0.1', 4001), Lookup.ForeignAddress);
    assert.equal(index.found, a, 'same address, other port: the link of that caller');
    assert.equal(index.find(99, '10.0.0.7', 4000), Lookup.ForeignAddress);
    assert.equal(index.found, undefined, 'two links share the id and neither has this address');
    assert.equal(index.find(5, '10.0.0.7', 4000), Lookup.ForeignAddress);
    assert.equal(index.found, lone, 'the only link with that id');
  });
});
