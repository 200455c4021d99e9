import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodePeerAddress, encodePeerAddress, PEER_ADDRESS_SIZE } from '../../../../src/srt/protocol/peer-address.js';
import { createRng } from './prng.js';

/** The field as libsrt writes an IPv4 address: word 0 byte-reversed, words 1..3 zero. */
function ipv4Field(octets: readonly number[]): Uint8Array {
  const f = new Uint8Array(PEER_ADDRESS_SIZE);
  f.set([...octets].reverse());
  return f;
}

/** The field after encoding `text` at offset 3 of a buffer full of 0xee (what is around must stay untouched). */
function encoded(text: string): { ok: boolean; field: Uint8Array; around: number[] } {
  const p = new Uint8Array(PEER_ADDRESS_SIZE + 6).fill(0xee);
  const ok = encodePeerAddress(text, p, 3);
  return { ok, field: p.subarray(3, 3 + PEER_ADDRESS_SIZE), around: [...p.subarray(0, 3), ...p.subarray(3 + PEER_ADDRESS_SIZE)] };
}

describe('peer address', () => {
  it('writes IPv4 literals as libsrt does, whatever the field held before', () => {
    for (const [text, octets] of [
      ['127.0.0.1', [127, 0, 0, 1]],
      ['0.0.0.0', [0, 0, 0, 0]],
      ['255.255.255.255', [255, 255, 255, 255]],
      ['10.200.3.45', [10, 200, 3, 45]],
      ['192.168.100.9', [192, 168, 100, 9]],
    ] as const) {
      const r = encoded(text);
      assert.equal(r.ok, true, text);
      assert.deepEqual([...r.field], [...ipv4Field(octets)], text);
      assert.deepEqual(r.around, [0xee, 0xee, 0xee, 0xee, 0xee, 0xee], `${text}: nothing outside the field`);
      assert.equal(decodePeerAddress(r.field, 0), text);
    }
  });

  it('refuses what is not an address and writes nothing', () => {
    for (const text of [
      '', '1.2.3', '1.2.3.4.5', '1.2.3.4.', '.1.2.3.4', '1..2.3', '256.1.1.1', '1.2.3.256', '01.2.3.4', '1.2.3.00',
      '1.2.3.4 ', ' 1.2.3.4', '1.2.3.a', '1234.1.1.1', '1.2.3.-4', '1,2,3,4', 'localhost', '::ffff:1.2.3.4', 'fe80::1%eth0',
      '1.2.3.4/8', '١.٢.٣.٤',
    ]) {
      const r = encoded(text);
      assert.equal(r.ok, false, JSON.stringify(text));
      assert.ok(r.field.every((b) => b === 0xee), `${JSON.stringify(text)}: field untouched`);
    }
  });

  it('writes IPv6 literals group by group, each 4-byte word reversed', () => {
    const r = encoded('2001:db8::1');
    assert.equal(r.ok, true);
    assert.deepEqual([...r.field], [0xb8, 0x0d, 0x01, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0, 0, 0]);
    assert.equal(decodePeerAddress(r.field, 0), '2001:db8::1');
    assert.equal(encoded('::1').ok, true);
    assert.equal(encoded('1::2::3').ok, false);
  });

  it('round-trips 20,000 random IPv4 addresses and refuses their one-character corruptions as the grammar says', () => {
    const rng = createRng(0x1e4_2026);
    const octet = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
    const isIpv4 = (t: string): boolean => t.split('.').length === 4 && t.split('.').every((o) => octet.test(o));
    for (let i = 0; i < 20_000; i++) {
      const octets = [rng.int(0, 255), rng.int(0, 255), rng.int(0, 255), rng.int(0, 255)] as const;
      const text = octets.join('.');
      const r = encoded(text);
      assert.equal(r.ok, true, text);
      assert.deepEqual([...r.field], [...ipv4Field(octets)], text);
      // One character replaced by a digit, a dot or a letter: accepted exactly when it is still a dotted quad.
      const at = rng.int(0, text.length - 1);
      const mutated = text.slice(0, at) + rng.pick(['0', '9', '.', 'x', '5']) + text.slice(at + 1);
      if (mutated.includes(':')) continue;
      assert.equal(encoded(mutated).ok, isIpv4(mutated), mutated);
    }
  });
});
