import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseHeartbeat, type Heartbeat } from '../../../src/origins/heartbeat.js';
import { SRS7_HEARTBEAT_DEVICE_IP, SRS7_HEARTBEAT_NO_DEVICE_IP } from '../../support/srs-heartbeats.js';

const BASE = { ip: '10.1.2.3', server: 'vid-abc', service: 'svc1', pid: '42' };

function accepted(body: unknown): Heartbeat {
  const result = parseHeartbeat(body);
  assert.ok(result.ok, `expected the body to be accepted, got: ${result.ok ? '' : result.error}`);
  return result.value;
}

function refused(body: unknown, pattern: RegExp): string {
  const result = parseHeartbeat(body);
  assert.equal(result.ok, false, `expected the body to be refused, got ${result.ok ? JSON.stringify(result.value) : ''}`);
  const error = (result as { error: string }).error;
  assert.match(error, pattern);
  assert.ok(error.length < 300, `error too long (${error.length}): ${error.slice(0, 100)}`);
  return error;
}

function srtOf(srt: unknown, extra: Record<string, unknown> = {}): Heartbeat['srt'] {
  return accepted({ ...BASE, ...extra, srt }).srt;
}

describe('parseHeartbeat: the real SRS 7 bodies', () => {
  it('takes the body sent without SRS_DEVICE_IP: SRT on the ip field, port from the wildcard srt entry', () => {
    assert.deepEqual(accepted(JSON.parse(SRS7_HEARTBEAT_NO_DEVICE_IP)), {
      serverId: 'vid-64z89y9',
      serviceId: '027kqm67',
      pid: '19929',
      deviceId: 'srs-a',
      ip: '192.0.2.2',
      srt: { host: '192.0.2.2', port: 10090 },
    });
  });

  it('takes the body sent with SRS_DEVICE_IP=127.0.0.1', () => {
    assert.deepEqual(accepted(JSON.parse(SRS7_HEARTBEAT_DEVICE_IP)), {
      serverId: 'vid-o9t7407',
      serviceId: '75040969',
      pid: '20869',
      deviceId: 'srs-b',
      ip: '127.0.0.1',
      srt: { host: '127.0.0.1', port: 10091 },
    });
  });
});

describe('parseHeartbeat: SRS 5/6/8 endpoint forms in "srt"', () => {
  it('a bare port', () => assert.deepEqual(srtOf(['10080']), { host: '10.1.2.3', port: 10080 }));
  it('ip:port with a concrete host: that host', () => assert.deepEqual(srtOf(['10.9.9.9:10081']), { host: '10.9.9.9', port: 10081 }));
  it('0.0.0.0:port: the ip field', () => assert.deepEqual(srtOf(['0.0.0.0:10082']), { host: '10.1.2.3', port: 10082 }));
  it('udp://0.0.0.0:port', () => assert.deepEqual(srtOf(['udp://0.0.0.0:10083']), { host: '10.1.2.3', port: 10083 }));
  it('udp://:port', () => assert.deepEqual(srtOf(['udp://:10084']), { host: '10.1.2.3', port: 10084 }));
  it('udp://port', () => assert.deepEqual(srtOf(['udp://10085']), { host: '10.1.2.3', port: 10085 }));
  it('udp://ip:port', () => assert.deepEqual(srtOf(['udp://10.7.7.7:10086']), { host: '10.7.7.7', port: 10086 }));
  it('legacy udp:ip:port', () => assert.deepEqual(srtOf(['udp:10.6.6.6:10087']), { host: '10.6.6.6', port: 10087 }));
  it('legacy udp:port', () => assert.deepEqual(srtOf(['udp:10088']), { host: '10.1.2.3', port: 10088 }));
  it('srt:// scheme, any case', () => assert.deepEqual(srtOf(['SRT://10.5.5.5:10089']), { host: '10.5.5.5', port: 10089 }));
  it('udp://[::1]:port: the IPv6 host', () => assert.deepEqual(srtOf(['udp://[::1]:10090']), { host: '::1', port: 10090 }));
  it('udp://[::]:port: wildcard, so the ip field', () => assert.deepEqual(srtOf(['udp://[::]:10091']), { host: '10.1.2.3', port: 10091 }));
  it('[0:0::0]:port is a wildcard too', () => assert.deepEqual(srtOf(['[0:0::0]:10092']), { host: '10.1.2.3', port: 10092 }));
  it('port 1 and 65535 are valid', () => {
    assert.deepEqual(srtOf(['1']), { host: '10.1.2.3', port: 1 });
    assert.deepEqual(srtOf(['udp://65535']), { host: '10.1.2.3', port: 65535 });
  });
  it('only the first srt entry is used; later entries are not even read', () => {
    assert.deepEqual(srtOf(['udp://0.0.0.0:10093', 'udp://0.0.0.0:10094', 42, { bad: true }]), { host: '10.1.2.3', port: 10093 });
  });
  it('an IPv6 ip field (bare or bracketed) is the SRT host', () => {
    assert.deepEqual(srtOf(['udp://0.0.0.0:10095'], { ip: 'fd00::5' }), { host: 'fd00::5', port: 10095 });
    assert.deepEqual(accepted({ ...BASE, ip: '[fd00::6]', srt: ['10096'] }), {
      serverId: 'vid-abc', serviceId: 'svc1', pid: '42', ip: 'fd00::6', srt: { host: 'fd00::6', port: 10096 },
    });
  });
  it('a wildcard ip is fine when the srt entry names a concrete host', () => {
    assert.deepEqual(srtOf(['udp://10.4.4.4:10097'], { ip: '0.0.0.0' }), { host: '10.4.4.4', port: 10097 });
  });
});

describe('parseHeartbeat: optional parts', () => {
  it('rtmp absent (an SRT-only origin) is fine', () => {
    const hb = accepted({ ...BASE, srt: ['udp://0.0.0.0:10080'] });
    assert.deepEqual(hb.srt, { host: '10.1.2.3', port: 10080 });
  });

  it('an RTMP-only body (no srt) is a valid heartbeat with no SRT endpoint', () => {
    const hb = accepted({ ...BASE, rtmp: ['1935'] });
    assert.equal(hb.srt, undefined);
    assert.equal('srt' in hb, false);
  });

  it('srt: [] or null means no SRT endpoint', () => {
    assert.equal(srtOf([]), undefined);
    assert.equal(srtOf(null), undefined);
  });

  it('device_id absent, null or "" is left out', () => {
    for (const device_id of [undefined, null, '']) {
      const hb = accepted({ ...BASE, device_id });
      assert.equal('deviceId' in hb, false);
    }
  });

  it('a numeric pid is accepted as its decimal string', () => {
    assert.equal(accepted({ ...BASE, pid: 1234 }).pid, '1234');
  });

  it('unknown and unused fields (summaries, rtc, http) are ignored whatever their type', () => {
    const hb = accepted({ ...BASE, summaries: { ok: true }, rtc: 'weird', http: [1, 2], api: null, srt: ['10080'] });
    assert.deepEqual(hb.srt, { host: '10.1.2.3', port: 10080 });
  });
});

describe('parseHeartbeat: missing required fields name the field', () => {
  for (const field of ['ip', 'server', 'service', 'pid'] as const) {
    it(`missing "${field}"`, () => {
      const body: Record<string, unknown> = { ...BASE, srt: ['10080'] };
      delete body[field];
      refused(body, new RegExp(`missing "${field}"`));
    });
    it(`empty "${field}"`, () => { refused({ ...BASE, [field]: '' }, new RegExp(`missing "${field}"`)); });
  }
  it('an empty object fails on ip first, like the reference', () => { refused({}, /missing "ip"/); });
  it('fields inherited from the prototype do not count', () => {
    const body = Object.create({ ip: '10.0.0.1', server: 'a', service: 'b', pid: '1' }) as object;
    refused(body, /missing "ip"/);
  });
});

describe('parseHeartbeat: wrong types and hostile values get an error, never a throw', () => {
  it('non-object bodies', () => {
    refused(undefined, /JSON object, not nothing/);
    refused(null, /JSON object, not null/);
    refused('{"ip":"1.2.3.4"}', /JSON object, not a string/);
    refused(42, /JSON object, not a number/);
    refused(true, /JSON object, not a boolean/);
    refused([BASE], /JSON object, not an array/);
  });

  for (const [field, value, kind] of [
    ['ip', 167772161, 'a number'],
    ['server', ['vid'], 'an array'],
    ['service', { id: 1 }, 'an object'],
    ['pid', true, 'a boolean'],
    ['device_id', 7, 'a number'],
  ] as const) {
    it(`"${field}" as ${kind}`, () => { refused({ ...BASE, [field]: value }, new RegExp(`"${field}" must be a string, not ${kind}`)); });
  }

  it('bad pid numbers', () => {
    refused({ ...BASE, pid: -1 }, /"pid" "-1" is not a process id/);
    refused({ ...BASE, pid: 1.5 }, /"pid"/);
    refused({ ...BASE, pid: Number.NaN }, /"pid"/);
  });

  it('ip that is not an IP literal', () => {
    refused({ ...BASE, ip: 'origin-a.example.com' }, /"ip" "origin-a.example.com" is not an IPv4 or IPv6 address/);
    refused({ ...BASE, ip: '999.1.1.1' }, /"ip"/);
    refused({ ...BASE, ip: '10.0.0.1:1935' }, /"ip"/);
    refused({ ...BASE, ip: '[10.0.0.1]x' }, /"ip"/);
  });

  it('huge strings are refused without echoing them whole', () => {
    const huge = 'x'.repeat(100_000);
    for (const field of ['ip', 'server', 'service', 'pid', 'device_id']) {
      const error = refused({ ...BASE, [field]: huge }, new RegExp(`"${field}" is longer than`));
      assert.ok(!error.includes(huge.slice(0, 200)));
    }
    const error = refused({ ...BASE, srt: [`udp://${huge}:10080`] }, /"srt\[0\]".*longer than 300/);
    assert.ok(error.length < 300);
  });

  it('control characters, spaces and non-ASCII in identifiers', () => {
    refused({ ...BASE, server: 'a\nb' }, /"server" .* printable ASCII/);
    refused({ ...BASE, service: 'a b' }, /"service"/);
    refused({ ...BASE, device_id: 'caf\u00e9' }, /"device_id"/);
    refused({ ...BASE, pid: '\u0000' }, /"pid"/);
  });

  it('srt that is not an array of strings', () => {
    refused({ ...BASE, srt: 'udp://0.0.0.0:10080' }, /"srt" must be an array of endpoints, not a string/);
    refused({ ...BASE, srt: { port: 10080 } }, /"srt" must be an array/);
    refused({ ...BASE, srt: [10080] }, /"srt\[0\]" must be a string, not a number/);
    refused({ ...BASE, srt: [null] }, /"srt\[0\]" must be a string, not null/);
  });

  it('srt ports out of range or not numbers', () => {
    refused({ ...BASE, srt: ['0'] }, /port 0 is out of range/);
    refused({ ...BASE, srt: ['65536'] }, /port 65536 is out of range/);
    refused({ ...BASE, srt: ['udp://0.0.0.0:99999'] }, /port "99999" is not a number|out of range/);
    refused({ ...BASE, srt: ['udp://0.0.0.0:-1'] }, /port "-1"/);
    refused({ ...BASE, srt: ['udp://0.0.0.0:'] }, /port ""/);
    refused({ ...BASE, srt: ['udp://0.0.0.0:1e3'] }, /port "1e3"/);
    refused({ ...BASE, srt: [''] }, /"srt\[0\]"/);
    refused({ ...BASE, srt: ['udp://'] }, /"srt\[0\]"/);
  });

  it('srt entries of another protocol or with a bad host', () => {
    refused({ ...BASE, srt: ['tcp://0.0.0.0:10080'] }, /must be UDP, not "tcp"/);
    refused({ ...BASE, srt: ['http://10.0.0.1:10080'] }, /must be UDP/);
    refused({ ...BASE, srt: ['udp://origin-a:10080'] }, /"origin-a" is not an IPv4 or IPv6 address/);
    refused({ ...BASE, srt: ['::1:10080'] }, /\[brackets\]/);
    refused({ ...BASE, srt: ['udp://[::1:10080'] }, /"srt\[0\]"/);
  });

  it('a wildcard ip with a wildcard srt entry has no address to route to', () => {
    refused({ ...BASE, ip: '0.0.0.0', srt: ['udp://0.0.0.0:10080'] }, /wildcard/);
    refused({ ...BASE, ip: '::', srt: ['10080'] }, /wildcard/);
  });

  it('deeply nested and prototype-polluting JSON is harmless', () => {
    let nested: unknown = {};
    for (let i = 0; i < 10_000; i++) nested = { a: nested };
    const hb = accepted({ ...BASE, summaries: nested });
    assert.equal(hb.serverId, 'vid-abc');
    const polluted = JSON.parse('{"__proto__":{"ip":"10.0.0.1"},"server":"s","service":"v","pid":"1"}') as unknown;
    refused(polluted, /missing "ip"/);
    assert.equal(({} as Record<string, unknown>).ip, undefined);
  });

  it('a non-JSON value with a throwing getter gives an error, not a throw', () => {
    const body = { ...BASE };
    Object.defineProperty(body, 'srt', { enumerable: true, get: () => { throw new Error('boom'); } });
    refused(body, /could not be read/);
  });
});
