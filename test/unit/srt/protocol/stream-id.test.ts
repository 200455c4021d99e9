import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  MAX_STREAM_ID_BYTES,
  parseStreamId,
  StreamIdError,
  type StreamId,
  type StreamIdErrorCode,
  type StreamMode,
} from '../../../../src/srt/protocol/stream-id.js';
import { createRng } from './prng.js';

const D = '__defaultVhost__';

interface Accepted {
  readonly id: string;
  readonly key: string;
  readonly mode?: StreamMode;
  readonly user?: string;
  readonly params?: ReadonlyArray<readonly [string, string]>;
  readonly why: string;
}

function accept(id: string, key: string, extra: Omit<Accepted, 'id' | 'key' | 'why'> = {}, why = ''): Accepted {
  return { id, key, why, ...extra };
}

function parsed(text: string): StreamId {
  const result = parseStreamId(text);
  if (!result.ok) assert.fail(`${JSON.stringify(text)} rejected: ${result.error.code} ${result.error.message}`);
  return result.value;
}

function rejected(text: string): StreamIdError {
  const result = parseStreamId(text);
  if (result.ok) assert.fail(`${JSON.stringify(text)} accepted with key ${result.value.key}`);
  return result.error;
}

describe('parseStreamId: accepted forms', () => {
  const table: Accepted[] = [
    // plain (SRS: always a player)
    accept('live/livestream', `${D}/live/livestream`, { mode: 'request', params: [] }, 'plain app/stream'),
    accept('livestream', `${D}/live/livestream`, {}, 'plain stream gets the default app'),
    accept('live/x?secret=1', `${D}/live/x`, { params: [['secret', '1']] }, 'plain with query'),
    accept('live/x?secret=1&token=abc==&flag', `${D}/live/x`, {
      params: [['secret', '1'], ['token', 'abc=='], ['flag', '']],
    }, 'plain query: & separates, first = splits, bare key has empty value'),
    accept('live/x?m=publish', `${D}/live/x`, { mode: 'request', params: [['m', 'publish']] },
      'plain ids are players as in SRS; m is just a param there'),
    accept('live/x?', `${D}/live/x`, { params: [] }, 'empty query'),
    accept('Live/MyStream', `${D}/Live/MyStream`, {}, 'app and stream keep their case'),
    accept('my-app_1/cam.01~hd', `${D}/my-app_1/cam.01~hd`, {}, 'whole safe character set'),
    // #!:: r=
    accept('#!::r=live/livestream,m=publish', `${D}/live/livestream`, { mode: 'publish' }),
    accept('#!::r=live/livestream,m=request', `${D}/live/livestream`, { mode: 'request' }),
    accept('#!::r=live/x', `${D}/live/x`, { mode: 'request' }, 'missing m means request (libsrt default)'),
    accept('#!::r=x', `${D}/live/x`, {}, 'r without / gets the default app'),
    accept('#!::m=publish,r=live/x', `${D}/live/x`, { mode: 'publish' }, 'key order does not matter'),
    accept('#!::r=live/x,m=PUBLISH', `${D}/live/x`, { mode: 'publish' }, 'mode is case-insensitive'),
    accept('#!::r=live/x,m=Request', `${D}/live/x`, { mode: 'request' }),
    accept('#!::r=live/x?secret=1', `${D}/live/x`, { params: [['secret', '1']] }, '? inside #!:: separates'),
    accept('#!::r=live/x?secret=1&k=v,m=publish', `${D}/live/x`, {
      mode: 'publish',
      params: [['secret', '1'], ['k', 'v']],
    }, '& separates in #!:: too (SRS)'),
    accept('#!::r=live/x;k=v', `${D}/live/x`, { params: [['k', 'v']] }, '; separates in #!:: (SRS)'),
    accept('#!::r=live/x,', `${D}/live/x`, { params: [] }, 'trailing comma ignored'),
    accept('#!::,,r=live/x,,m=publish,', `${D}/live/x`, { mode: 'publish' }, 'empty items ignored'),
    // #!:: h=
    accept('#!::h=live/livestream,m=publish', `${D}/live/livestream`, { mode: 'publish' }, 'h with one / = app/stream'),
    accept('#!::h=live/x', `${D}/live/x`, {}, 'h=app/stream alone (reference proxy rejected it)'),
    accept('#!::h=live/livestream?secret=xxx,m=publish', `${D}/live/livestream`, {
      mode: 'publish',
      params: [['secret', 'xxx']],
    }, 'SRS auth example'),
    accept('#!::h=srs.srt.com.cn/live/livestream,m=request', 'srs.srt.com.cn/live/livestream', {},
      'h with two / = vhost/app/stream'),
    accept('#!::h=Example.COM/live/x', 'example.com/live/x', {}, 'vhost lowercased'),
    accept('#!::h=example.com,r=live/x', 'example.com/live/x', {}, 'h without / = vhost'),
    accept('#!::r=live/x,h=EXAMPLE.com', 'example.com/live/x', {}, 'vhost after r'),
    accept('#!::h=host.com,r=app/stream,key1=value1,key2=value2', 'host.com/app/stream', {
      params: [['key1', 'value1'], ['key2', 'value2']],
    }, 'SRS new style with params'),
    accept('#!::h=live/y,r=live/x', `${D}/live/x`, {}, 'r wins over h=app/stream (SRS)'),
    accept('#!::h=v.com/live/y,r=live/x', 'v.com/live/x', {}, 'r wins for the path, h keeps its vhost (SRS)'),
    accept('#!::h=,r=live/x', `${D}/live/x`, {}, 'empty h = no vhost'),
    accept('#!::h=1.2.3.4,r=live/x', `${D}/live/x`, {}, 'IPv4 literal host = default vhost'),
    accept('#!::h=[::1],r=live/x', `${D}/live/x`, {}, 'IPv6 literal host = default vhost'),
    accept('#!::h=2001:db8::1,r=live/x', `${D}/live/x`, {}, 'bare IPv6 literal host = default vhost'),
    accept('#!::h=localhost,r=live/x', `${D}/live/x`, {}, 'dotless host = default vhost (reference rule)'),
    accept('#!::h=__defaultVhost__,r=live/x', `${D}/live/x`, {}, 'explicit default vhost keeps its spelling'),
    accept('#!::h=__defaultVhost__/live/x', `${D}/live/x`, {}, 'explicit default vhost in h path'),
    // libsrt standard keys
    accept('#!::u=admin,r=bluesbrothers1_hi', `${D}/live/bluesbrothers1_hi`, { user: 'admin', params: [] },
      'libsrt example'),
    accept('#!::u=johnny,t=file,m=publish,r=results.csv', `${D}/live/results.csv`, {
      user: 'johnny',
      mode: 'publish',
      params: [['t', 'file']],
    }, 'libsrt example 2'),
    accept('#!::r=live/x,s=abc123,t=stream,user_tag=a b', `${D}/live/x`, {
      params: [['s', 'abc123'], ['t', 'stream'], ['user_tag', 'a b']],
    }, 's, t and custom keys are params, in order; values may hold spaces'),
    accept('#!::u=,r=live/x', `${D}/live/x`, { user: undefined }, 'empty u = no user'),
    accept('#!::u=a@b.example,r=live/x', `${D}/live/x`, { user: 'a@b.example' }),
    accept('#!::r=live/x,secret=1,secret=2', `${D}/live/x`, { params: [['secret', '1'], ['secret', '2']] },
      'non-routing keys may repeat, all kept'),
    accept('#!::r=live/x,flag', `${D}/live/x`, { params: [['flag', '']] }, 'bare key = empty value (SRS)'),
    accept('#!::r=live/x,tok=a=b', `${D}/live/x`, { params: [['tok', 'a=b']] }, 'value keeps later = signs'),
    accept('#!::r=live/x,name=caf\u00e9', `${D}/live/x`, { params: [['name', 'caf\u00e9']] },
      'non-ASCII allowed in values'),
    accept('#!::r=live/x,e=a%26b', `${D}/live/x`, { params: [['e', 'a%26b']] }, 'values are not percent-decoded'),
    // the reference's unanchored-regex mistakes
    accept('#!::hash=a.com,r=live/x', `${D}/live/x`, { params: [['hash', 'a.com']] }, 'hash= is not h='),
    accept('#!::usr=x,r=live/y', `${D}/live/y`, { params: [['usr', 'x']] }, 'usr= is not r='),
    accept('#!::rr=a/b,r=live/y', `${D}/live/y`, { params: [['rr', 'a/b']] }, 'rr= is not r='),
    accept('#!::mode=bogus,r=live/y', `${D}/live/y`, { params: [['mode', 'bogus']] }, 'mode= is not m='),
    accept('#!::M=publish,r=live/y', `${D}/live/y`, { mode: 'request', params: [['M', 'publish']] },
      'keys are case-sensitive'),
  ];

  for (const row of table) {
    it(`${row.why || 'accepts'}: ${row.id}`, () => {
      const id = parsed(row.id);
      assert.equal(id.key, row.key);
      assert.equal(id.key, `${id.vhost}/${id.app}/${id.stream}`);
      if (row.mode !== undefined) assert.equal(id.mode, row.mode);
      if ('user' in row) assert.equal(id.user, row.user);
      if (row.params !== undefined) assert.deepEqual(id.params, row.params);
    });
  }
});

describe('parseStreamId: fields', () => {
  it('returns every field of a full #!:: id', () => {
    assert.deepEqual(parsed('#!::u=bob,h=Video.Example.org,r=live/Cam1?secret=s3,m=publish,s=42,x_y=z'), {
      vhost: 'video.example.org',
      app: 'live',
      stream: 'Cam1',
      mode: 'publish',
      user: 'bob',
      params: [['secret', 's3'], ['s', '42'], ['x_y', 'z']],
      key: 'video.example.org/live/Cam1',
    });
  });

  it('omits user when none is given and uses the defaults', () => {
    const id = parsed('x');
    assert.deepEqual(id, {
      vhost: '__defaultVhost__',
      app: 'live',
      stream: 'x',
      mode: 'request',
      params: [],
      key: '__defaultVhost__/live/x',
    });
    assert.equal('user' in id, false);
  });

  it('honours defaultVhost and defaultApp options', () => {
    const result = parseStreamId('#!::r=x', { defaultVhost: 'dflt', defaultApp: 'origin' });
    assert.ok(result.ok);
    assert.equal(result.value.key, 'dflt/origin/x');
    const plain = parseStreamId('x?a=1', { defaultApp: 'cams' });
    assert.ok(plain.ok);
    assert.equal(plain.value.key, `${D}/cams/x`);
    const dotless = parseStreamId('#!::h=localhost,r=a/b', { defaultVhost: 'dflt' });
    assert.ok(dotless.ok);
    assert.equal(dotless.value.vhost, 'dflt');
  });

  it('returns frozen values', () => {
    const id = parsed('#!::r=live/x,a=1');
    assert.ok(Object.isFrozen(id));
    assert.ok(Object.isFrozen(id.params));
  });
});

describe('parseStreamId: one key per stream', () => {
  it('publisher, players, query params and legacy forms share the key', () => {
    const ids = [
      'live/x',
      'live/x?secret=1',
      'live/x?secret=2&m=publish',
      '#!::r=live/x',
      '#!::r=live/x,m=request',
      '#!::r=live/x,m=publish',
      '#!::r=live/x?secret=1,m=publish',
      '#!::u=someone,r=live/x,m=request,s=9',
      '#!::h=live/x',
      '#!::h=live/x?secret=1,m=publish',
      '#!::h=__defaultVhost__/live/x',
      '#!::h=localhost,r=live/x',
    ];
    for (const text of ids) assert.equal(parsed(text).key, `${D}/live/x`, text);
  });

  it('vhost forms share the key', () => {
    for (const text of ['#!::h=example.com,r=live/x', '#!::h=Example.COM/live/x', '#!::r=live/x,h=EXAMPLE.COM,m=publish']) {
      assert.equal(parsed(text).key, 'example.com/live/x', text);
    }
  });

  it('app and stream are case-sensitive, so case makes another key', () => {
    assert.notEqual(parsed('live/x').key, parsed('live/X').key);
    assert.notEqual(parsed('live/x').key, parsed('Live/x').key);
  });
});

describe('parseStreamId: errors', () => {
  const table: Array<readonly [string, StreamIdErrorCode, string]> = [
    ['', 'EMPTY', 'empty'],
    ['#!::', 'NO_RESOURCE', 'prefix only'],
    ['#!::m=publish', 'NO_RESOURCE', 'mode only'],
    ['#!::usr=x', 'NO_RESOURCE', 'usr= is not r='],
    ['#!::hash=a.com/live/x', 'NO_RESOURCE', 'hash= is not h='],
    ['#!::h=example.com', 'NO_RESOURCE', 'vhost only'],
    ['#!::h=example.com,m=publish,u=x', 'NO_RESOURCE', 'vhost, mode and user, no resource'],
    ['#!::r=', 'NO_RESOURCE', 'empty r'],
    ['?secret=1', 'NO_RESOURCE', 'plain query without path'],
    ['#!::r=live/x,m=push', 'BAD_MODE', 'm=push'],
    ['#!::r=live/x,m=bidirectional', 'BAD_MODE', 'libsrt bidirectional is not an SRS mode'],
    ['#!::r=live/x,m=', 'BAD_MODE', 'empty m'],
    ['#!::r=live/x,m', 'BAD_MODE', 'bare m'],
    ['#!::r=live/x,m=publish ', 'BAD_MODE', 'm with trailing space'],
    ['live/x\u0000', 'INVALID_CHARACTERS', 'NUL'],
    ['#!::r=live/x,k=a\nb', 'INVALID_CHARACTERS', 'newline in a value (log injection)'],
    ['#!::r=live/x,k=\u001b[31m', 'INVALID_CHARACTERS', 'ANSI escape'],
    ['live/x\u007f', 'INVALID_CHARACTERS', 'DEL'],
    ['live/x?k=\u0085', 'INVALID_CHARACTERS', 'C1 NEL'],
    ['live/x?k=\u2028', 'INVALID_CHARACTERS', 'Unicode line separator'],
    ['live/x?k=\u202e', 'INVALID_CHARACTERS', 'bidi override'],
    ['live/x?k=\ud800', 'INVALID_CHARACTERS', 'lone high surrogate'],
    ['live/x?k=\udc00a', 'INVALID_CHARACTERS', 'lone low surrogate'],
    ['live/my stream', 'INVALID_CHARACTERS', 'space in stream'],
    [' live/x', 'INVALID_CHARACTERS', 'leading space'],
    ['live/x\t', 'INVALID_CHARACTERS', 'tab'],
    ['live/a:b', 'INVALID_CHARACTERS', 'colon (Redis key separator)'],
    ['live/a*', 'INVALID_CHARACTERS', 'glob character'],
    ['live/caf\u00e9', 'INVALID_CHARACTERS', 'non-ASCII stream'],
    ['live/x,m=publish', 'INVALID_CHARACTERS', 'plain id with #!:: syntax but no prefix'],
    ['r=live/x', 'INVALID_CHARACTERS', 'forgotten #!:: prefix'],
    ['#!::r=live/x%2F', 'INVALID_CHARACTERS', 'percent in stream'],
    ['#!::h=exa mple.com,r=live/x', 'INVALID_CHARACTERS', 'space in vhost'],
    ['#!::h=example.com:10080,r=live/x', 'INVALID_CHARACTERS', 'port in vhost'],
    ['#!::h=exam~ple.com,r=live/x', 'INVALID_CHARACTERS', 'tilde in vhost'],
    ['#!::r=live/x,a b=1', 'INVALID_CHARACTERS', 'space in key'],
    ['live/x?a:b=1', 'INVALID_CHARACTERS', 'colon in plain query key'],
    ['#!::r=live/x,=1', 'BAD_FORMAT', 'empty key'],
    ['live/x?=1', 'BAD_FORMAT', 'empty key in plain query'],
    ['/x', 'BAD_FORMAT', 'empty app'],
    ['live/', 'BAD_FORMAT', 'empty stream'],
    ['live/?a=1', 'BAD_FORMAT', 'empty stream before query'],
    ['/', 'BAD_FORMAT', 'slash only'],
    ['live//x', 'BAD_FORMAT', 'empty middle segment'],
    ['live/x/', 'BAD_FORMAT', 'trailing slash'],
    ['a/b/c', 'BAD_FORMAT', 'plain path with three segments'],
    ['example.com/live/x', 'BAD_FORMAT', 'plain vhost/app/stream is not guessed'],
    ['#!::r=a/b/c', 'BAD_FORMAT', 'r with three segments'],
    ['#!::h=v.com/a/b/c', 'BAD_FORMAT', 'h with four segments'],
    ['#!::h=/live/x', 'BAD_FORMAT', 'h with empty vhost'],
    ['#!::h=v.com//x', 'BAD_FORMAT', 'h with empty app'],
    ['..', 'BAD_FORMAT', 'dot-dot stream'],
    ['../x', 'BAD_FORMAT', 'dot-dot app'],
    ['live/.', 'BAD_FORMAT', 'dot stream'],
    ['#!::r=../../etc', 'BAD_FORMAT', 'traversal in r'],
    ['#!::h=..,r=live/x', 'BAD_FORMAT', 'dot-dot vhost'],
    ['#!::r=live/x,r=live/y', 'BAD_FORMAT', 'duplicate r'],
    ['#!::r=live/x,r=live/x', 'BAD_FORMAT', 'duplicate r even when equal'],
    ['#!::h=a.com,h=b.com,r=live/x', 'BAD_FORMAT', 'duplicate h'],
    ['#!::r=live/x,m=publish,m=request', 'BAD_FORMAT', 'duplicate m'],
    ['#!::u=a,u=b,r=live/x', 'BAD_FORMAT', 'duplicate u'],
    ['#!{"r":"live/x"}', 'BAD_FORMAT', 'nested libsrt form'],
    ['#!:r=live/x', 'BAD_FORMAT', 'malformed prefix'],
  ];

  for (const [text, code, why] of table) {
    it(`${code}: ${why}`, () => {
      const error = rejected(text);
      assert.ok(error instanceof StreamIdError);
      assert.ok(error instanceof Error);
      assert.equal(error.name, 'StreamIdError');
      assert.equal(error.code, code);
      assert.ok(error.message.length > 0);
    });
  }

  it('error messages never echo the input', () => {
    const evil = 'live/x?k=\n[INFO] forged';
    assert.ok(!rejected(evil).message.includes('forged'));
    assert.ok(!rejected('#!::r=live/PWNED,r=b').message.includes('PWNED'));
  });

  it('a non-string value is refused, not thrown on', () => {
    for (const value of [undefined, null, 42, {}, [], Symbol('s')]) {
      const result = parseStreamId(value as unknown as string);
      assert.equal(result.ok, false);
      if (!result.ok) assert.equal(result.error.code, 'BAD_FORMAT');
    }
  });
});

describe('parseStreamId: 512-byte limit', () => {
  it('accepts exactly 512 ASCII bytes and refuses 513', () => {
    assert.equal(MAX_STREAM_ID_BYTES, 512);
    const prefix = '#!::r=live/';
    const at = prefix + 'a'.repeat(512 - prefix.length);
    assert.equal(at.length, 512);
    assert.equal(parsed(at).stream.length, 512 - prefix.length);
    assert.equal(rejected(`${at}a`).code, 'TOO_LONG');
  });

  it('counts UTF-8 bytes, not UTF-16 units', () => {
    const prefix = 'live/x?v=';
    const twoByte = `${prefix}a${'\u00e9'.repeat(251)}`;
    assert.equal(Buffer.byteLength(twoByte), 512);
    assert.ok(parsed(twoByte));
    const over = `${prefix}aa${'\u00e9'.repeat(251)}`;
    assert.equal(Buffer.byteLength(over), 513);
    assert.ok(over.length < 512);
    assert.equal(rejected(over).code, 'TOO_LONG');

    // 3-byte (CJK) and 4-byte (astral, a surrogate pair) characters.
    const threeByte = `${prefix}${'\u4e2d'.repeat(167)}`;
    assert.equal(Buffer.byteLength(threeByte), 510);
    assert.ok(parsed(`${threeByte}ab`));
    assert.equal(rejected(`${threeByte}abc`).code, 'TOO_LONG');
    const fourByte = `${prefix}${'\u{1F600}'.repeat(125)}`;
    assert.equal(Buffer.byteLength(fourByte), 509);
    assert.ok(parsed(`${fourByte}abc`));
    assert.equal(rejected(`${fourByte}abcd`).code, 'TOO_LONG');
  });

  it('refuses a huge string quickly', () => {
    assert.equal(rejected('a'.repeat(10_000_000)).code, 'TOO_LONG');
  });
});

describe('parseStreamId: fuzz', () => {
  // Seeded so a failure is reproducible.
  function mulberry32(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  const tokens = [
    '#!::', '#!', 'r=', 'h=', 'm=', 'u=', 's=', 't=', 'm=publish', 'm=request', 'hash=', 'usr=', '=', ',', '?',
    '&', ';', '/', '//', '.', '..', '~', '-', '_', ':', ' ', '%', 'live', 'x', 'Example.COM', '1.2.3.4', '[::1]',
    'a', 'Z', '9', '\u0000', '\n', '\u00e9', '\u4e2d', '\u{1F600}', '\ud800', '\udc00', '\u202e', '\u0085',
  ];
  const SAFE_KEY = /^[A-Za-z0-9._-]+\/[A-Za-z0-9._~-]+\/[A-Za-z0-9._~-]+$/;

  function check(text: string): void {
    let result;
    try {
      result = parseStreamId(text);
    } catch (error) {
      assert.fail(`threw on ${JSON.stringify(text)}: ${String(error)}`);
    }
    if (result.ok) {
      const id = result.value;
      assert.match(id.key, SAFE_KEY, JSON.stringify(text));
      assert.equal(id.key, `${id.vhost}/${id.app}/${id.stream}`);
      assert.ok(id.mode === 'publish' || id.mode === 'request');
      assert.ok(Buffer.byteLength(text) <= MAX_STREAM_ID_BYTES);
    } else {
      assert.ok(result.error instanceof StreamIdError);
    }
  }

  it('never throws on token soup and keeps keys safe', () => {
    const random = mulberry32(0x5eed);
    let accepted = 0;
    for (let n = 0; n < 5000; n++) {
      const count = Math.floor(random() * 12);
      let text = random() < 0.5 ? '#!::' : '';
      for (let i = 0; i < count; i++) text += tokens[Math.floor(random() * tokens.length)];
      check(text);
      if (parseStreamId(text).ok) accepted++;
    }
    // Guards the generator: a soup nothing passes would not exercise the accept path.
    assert.ok(accepted > 50, `only ${accepted} accepted`);
  });

  it("cuts #!:: items at ',', '?', '&' and ';' as a split would (params, user, mode and refusals over token soup)", () => {
    const random = mulberry32(0x17e5);
    let accepted = 0;
    let refusedInItems = 0;
    for (let n = 0; n < 5000; n++) {
      const count = 1 + Math.floor(random() * 12);
      let body = '';
      for (let i = 0; i < count; i++) {
        body += tokens[Math.floor(random() * tokens.length)];
        // A resource now and then, so that the accept path is taken too.
        if (random() < 0.15) body += ',r=live/s,';
      }
      // The oracle: split, drop empty items, key before the first '=', routing keys once each, others kept in order.
      const routing = new Map<string, string>();
      const params: [string, string][] = [];
      let itemError = false;
      for (const item of body.split(/[,?&;]/)) {
        if (item === '') continue;
        const eq = item.indexOf('=');
        const key = eq < 0 ? item : item.slice(0, eq);
        const value = eq < 0 ? '' : item.slice(eq + 1);
        if (['r', 'h', 'm', 'u'].includes(key)) {
          if (routing.has(key)) {
            itemError = true;
            break;
          }
          routing.set(key, value);
        } else if (!/^[A-Za-z0-9._~-]+$/.test(key)) {
          itemError = true;
          break;
        } else {
          params.push([key, value]);
        }
      }
      const result = parseStreamId(`#!::${body}`);
      if (itemError) {
        refusedInItems++;
        assert.equal(result.ok, false, body);
        continue;
      }
      if (!result.ok) continue;
      accepted++;
      assert.deepEqual(result.value.params, params, body);
      const user = routing.get('u');
      assert.equal(result.value.user, user === '' ? undefined : user, body);
      assert.equal(result.value.mode, routing.get('m')?.toLowerCase() ?? 'request', body);
    }
    assert.ok(accepted > 100 && refusedInItems > 100, `${accepted} accepted, ${refusedInItems} refused in their items`);
  });

  it('never throws on random code units, including long ones', () => {
    const random = mulberry32(42);
    for (let n = 0; n < 3000; n++) {
      const length = Math.floor(random() * (n % 10 === 0 ? 700 : 40));
      let text = '';
      for (let i = 0; i < length; i++) {
        const r = random();
        const code = r < 0.7 ? 0x20 + Math.floor(random() * 0x5f) : Math.floor(random() * 0x10000);
        text += String.fromCharCode(code);
      }
      check(text);
    }
  });

  it('mode, user and params never change the key', () => {
    const random = mulberry32(7);
    const alphabet = 'abcXYZ019._~-';
    const word = (): string => {
      let s = '';
      const length = 1 + Math.floor(random() * 8);
      for (let i = 0; i < length; i++) s += alphabet[Math.floor(random() * alphabet.length)];
      return /^\.+$/.test(s) ? `${s}a` : s;
    };
    for (let n = 0; n < 500; n++) {
      const app = word();
      const stream = word();
      const key = `${D}/${app}/${stream}`;
      const extra = `k${n}=${word()}`;
      const forms = [
        `${app}/${stream}`,
        `${app}/${stream}?${extra}`,
        `#!::r=${app}/${stream}`,
        `#!::r=${app}/${stream},m=publish,${extra}`,
        `#!::m=request,u=${word()},r=${app}/${stream}?${extra}`,
        `#!::h=${app}/${stream},m=publish`,
        `#!::h=${app}/${stream}?${extra},m=request`,
      ];
      for (const text of forms) assert.equal(parsed(text).key, key, text);
    }
  });
});

describe('parseStreamId: the character and length checks', () => {
  // The rule as a pattern (what the single pass replaced), with Buffer.byteLength for the length.
  const UNSAFE =
    /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
  const POOL = [
    'a', 'b', '/', '=', ',', '#', '!', ':', 'é', '€', '😀', '\ud83d', '\ude00', '\u0000', '\u001f', ' ', '\u007f', '\u0080',
    '\u009f', '\u00a0', '\u200d', '\u200e', '\u200f', '\u2027', '\u2028', '\u202e', '\u202f', '\u2065', '\u2066', '\u2069',
    '\u206a', '\ufeff', '\ufffe', '\ud7ff', '\ue000',
  ];

  it('refuses exactly what the pattern names, and TOO_LONG before it, over 20,000 seeded random texts', () => {
    const rng = createRng(0x5713_0001);
    const seen = new Map<string, number>();
    for (let i = 0; i < 20_000; i++) {
      let text = rng.bool() ? '#!::r=live/' : '';
      const n = rng.int(1, rng.int(0, 9) === 0 ? 300 : 12);
      for (let j = 0; j < n; j++) text += rng.pick(POOL);
      const expected =
        text.length > MAX_STREAM_ID_BYTES || Buffer.byteLength(text) > MAX_STREAM_ID_BYTES ? 'TOO_LONG' : UNSAFE.test(text) ? 'INVALID_CHARACTERS' : 'other';
      const result = parseStreamId(text);
      // INVALID_CHARACTERS also comes from the name checks later; this check's own message tells them apart.
      const got =
        result.ok ? 'other'
        : result.error.code === 'TOO_LONG' ? 'TOO_LONG'
        : result.error.message === 'stream id contains control, separator or bidi characters' ? 'INVALID_CHARACTERS'
        : 'other';
      assert.equal(got, expected, JSON.stringify(text));
      seen.set(expected, (seen.get(expected) ?? 0) + 1);
    }
    for (const outcome of ['TOO_LONG', 'INVALID_CHARACTERS', 'other']) assert.ok((seen.get(outcome) ?? 0) > 100, `${outcome}: ${seen.get(outcome)}`);
  });
});
