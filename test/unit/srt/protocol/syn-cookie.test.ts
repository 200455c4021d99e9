import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { generateCookieSecret, SynCookie } from '../../../../src/srt/protocol/syn-cookie.js';

const SECRET = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');
const MINUTE = 60_000;

function clockAt(start: number): { now: () => number; set(t: number): void } {
  let t = start;
  return { now: () => t, set: (next) => void (t = next) };
}

describe('SynCookie', () => {
  it('verifies a cookie issued in the same minute bucket', () => {
    const clock = clockAt(1_700_000_000_000);
    const cookies = new SynCookie(SECRET, clock.now);
    const cookie = cookies.issue('127.0.0.1', 50956);
    assert.ok(Number.isInteger(cookie) && cookie > 0 && cookie <= 0xffffffff);
    assert.equal(cookies.verify('127.0.0.1', 50956, cookie), true);
    assert.equal(cookies.issue('127.0.0.1', 50956), cookie, 'deterministic within a bucket');
  });

  it('accepts the previous bucket, rejects two buckets old', () => {
    const start = 100 * MINUTE + 59_999; // last millisecond of bucket 100
    const clock = clockAt(start);
    const cookies = new SynCookie(SECRET, clock.now);
    const cookie = cookies.issue('203.0.113.7', 4000);
    clock.set(start + 1); // bucket 101
    assert.equal(cookies.verify('203.0.113.7', 4000, cookie), true);
    clock.set(102 * MINUTE); // bucket 102
    assert.equal(cookies.verify('203.0.113.7', 4000, cookie), false);
  });

  it('is bound to address, port and secret', () => {
    const clock = clockAt(5 * MINUTE);
    const cookies = new SynCookie(SECRET, clock.now);
    const cookie = cookies.issue('10.0.0.1', 1234);
    assert.equal(cookies.verify('10.0.0.1', 1235, cookie), false);
    assert.equal(cookies.verify('10.0.0.2', 1234, cookie), false);
    assert.equal(cookies.verify('10.0.0.11', 234, cookie), false, 'separator keeps address and port apart');
    const other = new SynCookie(generateCookieSecret(), clock.now);
    assert.equal(other.verify('10.0.0.1', 1234, cookie), false);
    assert.equal(cookies.verify('10.0.0.1', 1234, 0), false);
    assert.equal(cookies.verify('10.0.0.1', 1234, (cookie + 1) >>> 0), false);
  });

  it('never issues 0 and spreads values', () => {
    const clock = clockAt(0);
    const cookies = new SynCookie(SECRET, clock.now);
    const seen = new Set<number>();
    for (let port = 1; port <= 5000; port++) {
      const c = cookies.issue('192.0.2.1', port);
      assert.notEqual(c, 0);
      seen.add(c);
    }
    assert.ok(seen.size > 4990);
  });

  it('accepts the cookie as a signed int32 too (as read by some code paths)', () => {
    const clock = clockAt(0);
    const cookies = new SynCookie(SECRET, clock.now);
    for (let port = 1; port < 200; port++) {
      const c = cookies.issue('::1', port);
      assert.equal(cookies.verify('::1', port, c | 0), true);
    }
  });

  it('refuses short secrets; generateCookieSecret gives 32 random bytes', () => {
    assert.throws(() => new SynCookie(Buffer.alloc(15)), RangeError);
    const a = generateCookieSecret();
    assert.equal(a.length, 32);
    assert.ok(!a.equals(generateCookieSecret()));
  });

  it('is the first 4 bytes of HMAC-SHA256(secret, "address|port|minute"), for short and long secrets', () => {
    const at = 1_700_000_000_000;
    for (const secret of [SECRET, Buffer.alloc(100, 7)]) {
      const cookie = new SynCookie(secret, () => at).issue('192.0.2.1', 4000);
      const reference = createHmac('sha256', secret).update(`192.0.2.1|4000|${Math.floor(at / MINUTE)}`).digest().readUInt32BE(0);
      assert.equal(cookie, reference || 1);
    }
  });

  it('is the same HMAC for any address length, and issue-verify pairs do not disturb each other', () => {
    const at = 1_700_000_000_000;
    const cookies = new SynCookie(SECRET, () => at);
    const bucket = Math.floor(at / MINUTE);
    for (const address of ['::1', 'fe80::1%eth0', `fe80::1%${'x'.repeat(70)}`, `fe80::1%${'é'.repeat(200)}`]) {
      const reference = createHmac('sha256', SECRET).update(`${address}|4000|${bucket}`).digest().readUInt32BE(0) || 1;
      assert.equal(cookies.issue(address, 4000), reference, address);
    }
    // A long message then a short one: the short one must not hash the long one's leftover bytes.
    const long = cookies.issue(`10.0.0.1${'0'.repeat(100)}`, 1);
    const short = cookies.issue('10.0.0.1', 1);
    assert.notEqual(long, short);
    assert.equal(short, createHmac('sha256', SECRET).update(`10.0.0.1|1|${bucket}`).digest().readUInt32BE(0) || 1);
    assert.equal(cookies.verify('10.0.0.1', 1, short), true);
  });

  it('writes the ports and minutes it is given as their text would be: zero, many digits, and odd numbers alike', () => {
    const reference = (address: string, port: number, bucket: number): number =>
      createHmac('sha256', SECRET).update(`${address}|${port}|${bucket}`).digest().readUInt32BE(0) || 1;
    for (const at of [0, 59_999, 60_000, 1_700_000_000_000, 9e15]) {
      const cookies = new SynCookie(SECRET, () => at);
      const bucket = Math.floor(at / MINUTE);
      for (const port of [0, 1, 9, 10, 99, 100, 4000, 65_535, -0, 1.5, -1, Number.NaN, 1e21]) {
        assert.equal(cookies.issue('192.0.2.1', port), reference('192.0.2.1', port, bucket), `port ${port} at ${at}`);
      }
    }
    const negative = new SynCookie(SECRET, () => -1);
    assert.equal(negative.issue('192.0.2.1', 4000), reference('192.0.2.1', 4000, -1));
  });
});
