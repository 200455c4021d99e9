import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CidrList, parseAddress } from '../../../src/admission/cidr-list.js';
import { refusedByRules } from '../../../src/admission/access-rules.js';

function list(text: string): CidrList {
  const parsed = CidrList.parse(text);
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
}

describe('CidrList', () => {
  it('matches IPv4 blocks, bare addresses and /0', () => {
    const l = list('10.0.0.0/8, 192.168.1.7 ,172.16.0.0/12');
    assert.equal(l.matches('10.200.3.4'), true);
    assert.equal(l.matches('11.0.0.1'), false);
    assert.equal(l.matches('192.168.1.7'), true);
    assert.equal(l.matches('192.168.1.8'), false);
    assert.equal(l.matches('172.31.255.255'), true);
    assert.equal(l.matches('172.32.0.0'), false);
    assert.equal(list('0.0.0.0/0').matches('203.0.113.9'), true);
    assert.equal(list('0.0.0.0/0').matches('2001:db8::1'), false, 'an IPv4 /0 is all of IPv4, not IPv6');
  });

  it('matches IPv4-mapped IPv6 callers against IPv4 rules', () => {
    const l = list('127.0.0.0/8');
    assert.equal(l.matches('::ffff:127.0.0.1'), true);
    assert.equal(l.matches('::ffff:7f00:1'), true);
    assert.equal(l.matches('::ffff:128.0.0.1'), false);
  });

  it('matches IPv6 blocks, compressed and full forms, zone ids', () => {
    const l = list('2001:db8::/32,::1,fe80::/10');
    assert.equal(l.matches('2001:db8:1:2::3'), true);
    assert.equal(l.matches('2001:0db8:0000:0000:0000:0000:0000:0001'), true);
    assert.equal(l.matches('2001:db9::1'), false);
    assert.equal(l.matches('::1'), true);
    assert.equal(l.matches('::2'), false);
    assert.equal(l.matches('fe80::1%eth0'), true);
    assert.equal(l.matches('127.0.0.1'), false);
  });

  it('ignores host bits in a block', () => {
    assert.equal(list('10.1.2.3/8').matches('10.9.9.9'), true);
  });

  it('never matches junk addresses', () => {
    const l = list('0.0.0.0/0,::/0');
    for (const bad of ['', 'x', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1::2::3', '12345::', 'localhost']) {
      assert.equal(l.matches(bad), false, bad);
    }
    assert.equal(l.matches('::'), true);
  });

  it('refuses bad entries with a message naming them', () => {
    for (const bad of ['10.0.0.0/33', '::/129', '10.0.0.0/x', 'host.example', '1.2.3.4/', '01.2.3.4', '1:2:3:4:5:6:7:8:9']) {
      const parsed = CidrList.parse(`127.0.0.1,${bad}`);
      assert.equal(typeof parsed, 'string', bad);
      assert.ok((parsed as string).includes(JSON.stringify(bad)), parsed as string);
    }
    assert.equal(list(' , ').isEmpty, true);
  });

  it('parses addresses to 128-bit values', () => {
    assert.equal(parseAddress('1.2.3.4'), 0xffff01020304n);
    assert.equal(parseAddress('::ffff:1.2.3.4'), 0xffff01020304n);
    assert.equal(parseAddress('1::'), 1n << 112n);
    assert.equal(parseAddress('1:2:3:4:5:6:7:8'), 0x00010002000300040005000600070008n);
  });
});

describe('refusedByRules', () => {
  const empty = list('');
  it('deny wins over allow', () => {
    assert.equal(refusedByRules({ allow: list('10.0.0.0/8'), deny: list('10.0.0.5') }, '10.0.0.5'), true);
    assert.equal(refusedByRules({ allow: list('10.0.0.0/8'), deny: list('10.0.0.5') }, '10.0.0.6'), false);
  });
  it('a non-empty allow list admits only what it names; empty lists admit everyone', () => {
    assert.equal(refusedByRules({ allow: list('10.0.0.0/8'), deny: empty }, '11.0.0.1'), true);
    assert.equal(refusedByRules({ allow: empty, deny: empty }, '11.0.0.1'), false);
    assert.equal(refusedByRules({ allow: empty, deny: list('::/0') }, '2001:db8::1'), true);
  });
});
