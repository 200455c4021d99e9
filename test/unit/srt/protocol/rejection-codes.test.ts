import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isRejectionType, HandshakeType, handshakeTypeName } from '../../../../src/srt/protocol/handshake-type.js';
import { ProxyRejection, REJECTION_CODES, rejectionFromWire, rejectionToWire, SRT_REJ, SRT_REJX } from '../../../../src/srt/protocol/rejection-codes.js';

describe('rejection codes', () => {
  it('SRT_REJ_* are 0..17 in libsrt order', () => {
    assert.deepEqual(Object.keys(SRT_REJ), [
      'UNKNOWN', 'SYSTEM', 'PEER', 'RESOURCE', 'ROGUE', 'BACKLOG', 'IPE', 'CLOSE', 'VERSION', 'RDVCOOKIE',
      'BADSECRET', 'UNSECURE', 'MESSAGEAPI', 'CONGESTION', 'FILTER', 'GROUP', 'TIMEOUT', 'CRYPTO',
    ]);
    assert.deepEqual(Object.values(SRT_REJ), Array.from({ length: 18 }, (_, i) => i));
  });

  it('SRT_REJX_* match access_control.h', () => {
    assert.deepEqual(SRT_REJX, {
      FALLBACK: 1000, KEY_NOTSUP: 1001, FILEPATH: 1002, HOSTNOTFOUND: 1003, BAD_REQUEST: 1400, UNAUTHORIZED: 1401,
      OVERLOAD: 1402, FORBIDDEN: 1403, NOTFOUND: 1404, BAD_MODE: 1405, UNACCEPTABLE: 1406, CONFLICT: 1409,
      NOTSUP_MEDIA: 1415, LOCKED: 1423, FAILED_DEPEND: 1424, ISE: 1500, UNIMPLEMENTED: 1501, GW: 1502, DOWN: 1503,
      VERSION: 1505, NOROOM: 1507,
    });
  });

  it('wire = api + 1000 for every named code, and maps back to its name', () => {
    assert.equal(REJECTION_CODES.length, 18 + 21);
    for (const code of REJECTION_CODES) {
      assert.equal(code.wire, code.api + 1000);
      assert.equal(rejectionToWire(code.api), code.wire);
      assert.deepEqual(rejectionFromWire(code.wire), { api: code.api, name: code.name });
      assert.ok(isRejectionType(code.wire));
    }
    assert.deepEqual(rejectionFromWire(2403), { api: 1403, name: 'SRT_REJX_FORBIDDEN' });
    assert.deepEqual(rejectionFromWire(1010), { api: 10, name: 'SRT_REJ_BADSECRET' });
  });

  it('user range: API 2000..2999 is wire 3000..3999', () => {
    assert.equal(rejectionToWire(2000), 3000);
    assert.equal(rejectionToWire(2999), 3999);
    assert.deepEqual(rejectionFromWire(3042), { api: 2042, name: 'SRT_REJC_USERDEFINED(2042)' });
    assert.deepEqual(rejectionFromWire(2407), { api: 1407, name: 'SRT_REJC_PREDEFINED(1407)' });
    assert.deepEqual(rejectionFromWire(1018), { api: 18, name: 'SRT_REJC_INTERNAL(18)' });
  });

  it('out of range', () => {
    for (const wire of [0, 1, 999, 4000, 0xffffffff, 1000.5]) assert.equal(rejectionFromWire(wire), undefined, String(wire));
    for (const api of [-1, 3000, 1.5, NaN]) assert.throws(() => rejectionToWire(api), RangeError);
  });

  it('the proxy sends the SRT_REJX wire values', () => {
    assert.deepEqual(ProxyRejection, {
      BAD_REQUEST: rejectionToWire(SRT_REJX.BAD_REQUEST),
      UNAUTHORIZED: rejectionToWire(SRT_REJX.UNAUTHORIZED),
      OVERLOAD: rejectionToWire(SRT_REJX.OVERLOAD),
      FORBIDDEN: rejectionToWire(SRT_REJX.FORBIDDEN),
      NOT_FOUND: rejectionToWire(SRT_REJX.NOTFOUND),
      BAD_GATEWAY: rejectionToWire(SRT_REJX.GW),
      DOWN: rejectionToWire(SRT_REJX.DOWN),
    });
    assert.equal(ProxyRejection.FORBIDDEN, 2403);
    assert.equal(ProxyRejection.NOT_FOUND, 2404);
  });

  it('handshake types: rejections are not confused with CONCLUSION/AGREEMENT/DONE', () => {
    for (const t of Object.values(HandshakeType)) assert.equal(isRejectionType(t), false, handshakeTypeName(t));
    assert.equal(isRejectionType(999), false);
    assert.equal(isRejectionType(1000), true);
    assert.equal(handshakeTypeName(0xffffffff), 'CONCLUSION');
    assert.equal(handshakeTypeName(2403), 'REJECTION(2403)');
    assert.equal(handshakeTypeName(7), 'UNKNOWN(7)');
  });
});
