import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sourceKeyOf } from '../../../../src/srt/abuse/source-key.js';

describe('sourceKeyOf', () => {
  it('keeps an IPv4 address as it is', () => {
    assert.equal(sourceKeyOf('192.0.2.7'), '192.0.2.7');
    assert.notEqual(sourceKeyOf('192.0.2.7'), sourceKeyOf('192.0.2.8'));
  });

  it('maps an IPv4-mapped IPv6 address (dotted or hex) to its IPv4 address', () => {
    assert.equal(sourceKeyOf('::ffff:192.0.2.7'), '192.0.2.7');
    assert.equal(sourceKeyOf('::FFFF:c000:207'), '192.0.2.7');
    // Non-canonical quads take the general path and come out canonical; out-of-range ones are not addresses.
    assert.equal(sourceKeyOf('::ffff:192.000.2.07'), '192.0.2.7');
    assert.equal(sourceKeyOf('::ffff:0.0.0.0'), '0.0.0.0');
    assert.equal(sourceKeyOf('::ffff:255.255.255.255'), '255.255.255.255');
    assert.equal(sourceKeyOf('::ffff:256.1.1.1'), '::ffff:256.1.1.1');
    assert.equal(sourceKeyOf('::ffff:1.2.3'), '::ffff:1.2.3');
  });

  it('charges a whole IPv6 /64 as one source, whatever the spelling', () => {
    const key = sourceKeyOf('2001:db8:1:2::1');
    assert.equal(key, '2001:db8:1:2::/64');
    assert.equal(sourceKeyOf('2001:0db8:0001:0002:ffff:ffff:ffff:fffe'), key);
    assert.equal(sourceKeyOf('2001:DB8:1:2:0:0:0:9'), key);
    assert.notEqual(sourceKeyOf('2001:db8:1:3::1'), key);
  });

  it('drops a scope zone and handles the shortest forms', () => {
    assert.equal(sourceKeyOf('fe80::1%eth0'), 'fe80:0:0:0::/64');
    assert.equal(sourceKeyOf('::1'), '0:0:0:0::/64');
    assert.equal(sourceKeyOf('::'), '0:0:0:0::/64');
  });

  it('returns a malformed literal unchanged rather than throwing', () => {
    assert.equal(sourceKeyOf('1::2::3'), '1::2::3');
    assert.equal(sourceKeyOf('zz::1'), 'zz::1');
  });
  it('answers each address its own key when addresses alternate or repeat (the last answer is reused)', () => {
    const cases: [string, string][] = [
      ['::ffff:192.0.2.7', '192.0.2.7'],
      ['::ffff:192.0.2.7', '192.0.2.7'],
      ['2001:db8:1:2::5', '2001:db8:1:2::/64'],
      ['2001:db8:1:2::5', '2001:db8:1:2::/64'],
      ['::ffff:192.0.2.8', '192.0.2.8'],
      ['192.0.2.9', '192.0.2.9'],
      ['::ffff:192.0.2.8', '192.0.2.8'],
      ['2001:db8:9:9::1%eth0', '2001:db8:9:9::/64'],
      ['::ffff:192.0.2.7', '192.0.2.7'],
    ];
    for (const [address, key] of cases) assert.equal(sourceKeyOf(address), key, address);
  });
});
