import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import type { Origin } from '../../../../src/origins/origin.js';
import { handshakeCookieOf, handshakeSocketIdOf, handshakeTypeOf } from '../../../../src/srt/protocol/handshake.js';
import { buildRejection } from '../../../../src/srt/protocol/handshake-builders.js';
import { HandshakeType } from '../../../../src/srt/protocol/handshake-type.js';
import { controlTypeOf, ControlType, destinationSocketIdOf } from '../../../../src/srt/protocol/packet-header.js';
import { parseStreamId } from '../../../../src/srt/protocol/stream-id.js';
import { HandshakeTimers } from '../../../../src/srt/session/handshake-timers.js';
import { ProxyCounters } from '../../../../src/srt/session/proxy-counters.js';
import { Session } from '../../../../src/srt/session/session.js';
import type { SessionHost } from '../../../../src/srt/session/session-host.js';
import { emptyLinkCounters, type LinkId } from '../../../../src/srt/transport/data-path.js';
import { packet } from '../../../support/vectors.js';

// Capture t12: a caller's CONCLUSION, and the origin's INDUCTION and CONCLUSION answers to a relay.
const CALLER_CONCLUSION = packet('t12', 2);
const ORIGIN_INDUCTION_RESPONSE = packet('t12', 4);
const ORIGIN_CONCLUSION_RESPONSE = packet('t12', 6);
const ORIGIN: Origin = { id: '127.0.0.1:9000', host: '127.0.0.1', port: 9000, source: '127.0.0.1:9000' };

/** Stands in for the data path: records the handshake-path sends and what the session asks of its link. */
class FakeDataPath {
  readonly toCaller: Buffer[] = [];
  readonly toOrigin: Buffer[] = [];
  readonly relays: { link: LinkId; originSocketId: number; telemetry: boolean }[] = [];
  readonly closed: LinkId[] = [];
  sendToCaller(msg: Uint8Array): boolean {
    this.toCaller.push(Buffer.from(msg));
    return true;
  }
  sendToOrigin(_link: LinkId, msg: Uint8Array): boolean {
    this.toOrigin.push(Buffer.from(msg));
    return true;
  }
  startRelay(link: LinkId, originSocketId: number, telemetry: boolean): void {
    this.relays.push({ link, originSocketId, telemetry });
  }
  closeLink(link: LinkId): void {
    this.closed.push(link);
  }
}

interface Harness {
  host: SessionHost;
  dp: FakeDataPath;
  toCaller: Buffer[];
  toOrigin: Buffer[];
  links: number;
  failed: Origin[];
  succeeded: Origin[];
  connected: Session[];
  closed: Session[];
  /** Links still open when the host heard of each close (the host reads the final counters then). */
  closedLinksAtClose: number[];
  timers: HandshakeTimers;
}

function harness(telemetry = true): Harness {
  const dp = new FakeDataPath();
  const h: Harness = {
    dp,
    toCaller: dp.toCaller,
    toOrigin: dp.toOrigin,
    links: 0,
    failed: [],
    succeeded: [],
    connected: [],
    closed: [],
    closedLinksAtClose: [],
    timers: new HandshakeTimers(),
    host: undefined as never,
  };
  h.host = {
    dataPath: dp,
    counters: new ProxyCounters(),
    handshakeTimers: h.timers,
    config: { originHandshakeTimeoutMs: 2000, originRetryIntervalMs: 250, telemetry },
    rejections: { originDown: 2503, overload: 2402 },
    openLink: () => ++h.links,
    onConnected: (s) => void h.connected.push(s),
    onClosed: (s) => {
      h.closed.push(s);
      h.closedLinksAtClose.push(dp.closed.length);
    },
    onOriginFailed: (o) => void h.failed.push(o),
    onOriginSucceeded: (o) => void h.succeeded.push(o),
  };
  return h;
}

function newSession(h: Harness, callerAddress = '127.0.0.1'): Session {
  const id = parseStreamId('#!::r=live/x,m=request');
  assert.ok(id.ok);
  return new Session(h.host, callerAddress, 37737, handshakeSocketIdOf(CALLER_CONCLUSION), id.value, CALLER_CONCLUSION);
}

/** A session that completed its origin handshake. */
function connectedSession(h: Harness, callerAddress?: string): Session {
  const s = newSession(h, callerAddress);
  s.connect(ORIGIN);
  s.onOriginHandshake(Buffer.from(ORIGIN_INDUCTION_RESPONSE));
  s.onOriginHandshake(Buffer.from(ORIGIN_CONCLUSION_RESPONSE));
  assert.equal(s.state, 'connected');
  return s;
}

describe('Session', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setInterval', 'Date'] }));
  afterEach(() => mock.timers.reset());

  it('replays the handshake to the origin with its cookie, starts the relay and answers the caller as a listener would', () => {
    const h = harness();
    const s = newSession(h);
    s.connect(ORIGIN);
    assert.equal(s.link, 1);
    assert.equal(handshakeTypeOf(h.toOrigin[0]!), HandshakeType.INDUCTION);
    assert.equal(destinationSocketIdOf(h.toOrigin[0]!), 0);

    s.onOriginHandshake(Buffer.from(ORIGIN_INDUCTION_RESPONSE));
    const conclusion = h.toOrigin[1]!;
    assert.equal(handshakeTypeOf(conclusion), HandshakeType.CONCLUSION);
    assert.equal(handshakeCookieOf(conclusion), handshakeCookieOf(ORIGIN_INDUCTION_RESPONSE), "the origin's cookie");
    assert.equal(conclusion.length, CALLER_CONCLUSION.length);
    assert.deepEqual(h.dp.relays, [], 'no relay before the origin accepted');

    s.onOriginHandshake(Buffer.from(ORIGIN_CONCLUSION_RESPONSE));
    assert.equal(s.state, 'connected');
    assert.equal(s.originSocketId, handshakeSocketIdOf(ORIGIN_CONCLUSION_RESPONSE));
    assert.deepEqual(h.dp.relays, [{ link: 1, originSocketId: s.originSocketId, telemetry: true }]);
    assert.deepEqual(h.connected, [s]);
    assert.deepEqual(h.succeeded, [ORIGIN]);
    const answer = h.toCaller[0]!;
    assert.equal(handshakeTypeOf(answer), HandshakeType.CONCLUSION);
    assert.equal(handshakeCookieOf(answer), handshakeCookieOf(CALLER_CONCLUSION), "the caller's own cookie echoed");
  });

  it("keeps its own copy of the origin's answer (the data path reuses its receive memory)", () => {
    const h = harness(false);
    const s = newSession(h);
    s.connect(ORIGIN);
    s.onOriginHandshake(Buffer.from(ORIGIN_INDUCTION_RESPONSE));
    const lent = Buffer.from(ORIGIN_CONCLUSION_RESPONSE);
    s.onOriginHandshake(lent);
    assert.deepEqual(h.dp.relays[0]!.telemetry, false);
    lent.fill(0xee);
    s.onCallerConclusionRepeated();
    assert.deepEqual(h.toCaller[1], h.toCaller[0]);
    assert.equal(handshakeTypeOf(h.toCaller[1]!), HandshakeType.CONCLUSION);
  });

  it('resends on silence, answers repeated CONCLUSIONs from the session, and never opens a second link', () => {
    const h = harness();
    const s = newSession(h);
    s.connect(ORIGIN);
    mock.timers.tick(250);
    mock.timers.tick(250);
    assert.equal(h.toOrigin.length, 3, 'INDUCTION resent every 250 ms');
    s.onOriginHandshake(Buffer.from(ORIGIN_INDUCTION_RESPONSE));
    mock.timers.tick(250);
    assert.equal(handshakeTypeOf(h.toOrigin.at(-1)!), HandshakeType.CONCLUSION);
    s.onCallerConclusionRepeated();
    assert.equal(h.toCaller.length, 0, 'nothing to answer yet');
    s.onOriginHandshake(Buffer.from(ORIGIN_CONCLUSION_RESPONSE));
    s.onCallerConclusionRepeated();
    assert.equal(h.toCaller.length, 2, 'the cached answer again');
    assert.deepEqual(h.toCaller[0], h.toCaller[1]);
    const sentBefore = h.toOrigin.length;
    assert.equal(h.timers.size, 0, 'off the handshake ticker once connected');
    mock.timers.tick(5000);
    assert.equal(h.toOrigin.length, sentBefore, 'no resend once connected');
    assert.equal(h.links, 1);
  });

  it('rejects with 2503 and reports the origin when it stays silent for the budget', () => {
    const h = harness();
    const s = newSession(h);
    s.connect(ORIGIN);
    mock.timers.tick(1999);
    assert.equal(h.toCaller.length, 0);
    mock.timers.tick(1);
    assert.equal(handshakeTypeOf(h.toCaller[0]!), 2503);
    assert.equal(destinationSocketIdOf(h.toCaller[0]!), s.callerSocketId);
    assert.equal(s.state, 'closed');
    assert.deepEqual(h.failed, [ORIGIN]);
    assert.deepEqual(h.closed, [s]);
    assert.deepEqual(h.dp.closed, [1]);
    assert.deepEqual(h.closedLinksAtClose, [0], 'the host hears of the close while the link is still open');
    assert.equal(h.host.counters.rejected.get(2503), 1);
    assert.equal(h.timers.size, 0, 'the handshake ticker lets the session go');
  });

  it("rejects with the caller's own CIF and cookie also after the origin's INDUCTION, and the caller's buffer is its own", () => {
    const expected = buildRejection(CALLER_CONCLUSION, 2503);
    for (const answered of [false, true]) {
      const h = harness();
      const lent = Buffer.from(CALLER_CONCLUSION);
      const id = parseStreamId('#!::r=live/x,m=request');
      assert.ok(id.ok);
      const s = new Session(h.host, '127.0.0.1', 37737, handshakeSocketIdOf(lent), id.value, lent);
      lent.fill(0xee);
      s.connect(ORIGIN);
      if (answered) s.onOriginHandshake(Buffer.from(ORIGIN_INDUCTION_RESPONSE));
      assert.equal(h.toOrigin.length, answered ? 2 : 1);
      if (answered) {
        const conclusion = h.toOrigin[1]!;
        assert.deepEqual(conclusion.subarray(0, 44), CALLER_CONCLUSION.subarray(0, 44));
        assert.deepEqual(conclusion.subarray(48), CALLER_CONCLUSION.subarray(48), "only the cookie is the origin's");
      }
      mock.timers.tick(2000);
      assert.deepEqual(h.toCaller, [expected], answered ? 'after the INDUCTION' : 'before the INDUCTION');
    }
  });

  it("forwards the origin's rejection unchanged and does not blame the origin", () => {
    const h = harness();
    const s = newSession(h);
    s.connect(ORIGIN);
    s.onOriginHandshake(Buffer.from(ORIGIN_INDUCTION_RESPONSE));
    const rejection = Buffer.from(ORIGIN_CONCLUSION_RESPONSE.subarray(0, 64));
    rejection.writeUInt32BE(1010, 36);
    s.onOriginHandshake(rejection);
    assert.deepEqual(h.toCaller[0], rejection);
    assert.equal(s.state, 'closed');
    assert.equal(s.rejectCode, 1010);
    assert.deepEqual(h.failed, []);
  });

  it('rejects at once when the link cannot connect or reports unreachable', () => {
    for (const code of ['EACCES', 'ECONNREFUSED', 'EHOSTUNREACH']) {
      const h = harness();
      const s = newSession(h);
      s.connect(ORIGIN);
      s.onLinkError(code);
      assert.equal(handshakeTypeOf(h.toCaller[0]!), 2503, code);
      assert.equal(s.state, 'closed');
      assert.equal(s.closeReason, 'origin-unreachable');
      assert.deepEqual(h.failed, [ORIGIN]);
      assert.deepEqual(h.dp.closed, [1]);
    }
  });

  it('answers 2402 when this proxy runs out of sockets, without blaming the origin', () => {
    for (const code of ['EMFILE', 'EADDRNOTAVAIL', 'ENOSPC']) {
      const h = harness();
      const s = newSession(h);
      s.connect(ORIGIN);
      s.onLinkError(code);
      assert.equal(handshakeTypeOf(h.toCaller[0]!), 2402, code);
      assert.equal(s.closeReason, 'proxy-exhausted');
      assert.deepEqual(h.failed, []);
    }
  });

  it('counts stray origin datagrams during the handshake as its drops', () => {
    const h = harness();
    const s = newSession(h);
    s.connect(ORIGIN);
    s.onOriginHandshake(Buffer.alloc(20));
    assert.equal(h.host.counters.originStray, 1);
    const link = emptyLinkCounters();
    link.drops = 2;
    link.packetsFromCaller = 7;
    s.absorb(link);
    assert.equal(s.drops, 3, "the handshake's stray datagram and the link's drops");
    assert.equal(s.packetsFromCaller, 7);
  });

  it("ignores the origin's second INDUCTION answer (to a resent INDUCTION): not stray, not a drop", () => {
    const h = harness();
    const s = newSession(h);
    s.connect(ORIGIN);
    s.onOriginHandshake(ORIGIN_INDUCTION_RESPONSE);
    assert.equal(h.toOrigin.length, 2, 'INDUCTION, then CONCLUSION');
    s.onOriginHandshake(ORIGIN_INDUCTION_RESPONSE);
    assert.equal(h.toOrigin.length, 2, 'no CONCLUSION sent again');
    assert.equal(h.host.counters.originStray, 0);
    assert.equal(s.drops, 0);
    s.onOriginHandshake(ORIGIN_CONCLUSION_RESPONSE);
    assert.equal(s.state, 'connected');
  });

  it('ends when the link ends: quietly after a relayed SHUTDOWN, telling the caller when the origin is unreachable', () => {
    for (const why of ['caller-shutdown', 'origin-shutdown', 'origin-unreachable'] as const) {
      const h = harness();
      const s = connectedSession(h);
      const toCaller = h.toCaller.length;
      s.onLinkEnded(why);
      assert.equal(s.state, 'closed');
      assert.equal(s.closeReason, why);
      assert.deepEqual(h.dp.closed, [1]);
      if (why === 'origin-unreachable') {
        assert.equal(h.toCaller.length, toCaller + 1);
        assert.equal(controlTypeOf(h.toCaller.at(-1)!), ControlType.SHUTDOWN);
      } else {
        assert.equal(h.toCaller.length, toCaller, 'the SHUTDOWN was relayed already');
      }
    }
  });

  it('on idle close tells only the side still alive', () => {
    const h = harness();
    const s = connectedSession(h);
    const toCallerBefore = h.toCaller.length;
    const toOriginBefore = h.toOrigin.length;
    s.close('origin-idle', true);
    assert.equal(h.toOrigin.length, toOriginBefore, 'no SHUTDOWN to the silent origin');
    assert.equal(h.toCaller.length, toCallerBefore + 1);
    assert.equal(controlTypeOf(h.toCaller.at(-1)!), ControlType.SHUTDOWN);
    assert.equal(destinationSocketIdOf(h.toCaller.at(-1)!), s.callerSocketId);
  });

  it('on an admin end tells both sides, the origin by its socket id', () => {
    const h = harness();
    const s = connectedSession(h);
    const toOriginBefore = h.toOrigin.length;
    s.close('ended-by-admin', true);
    assert.equal(h.toOrigin.length, toOriginBefore + 1);
    assert.equal(controlTypeOf(h.toOrigin.at(-1)!), ControlType.SHUTDOWN);
    assert.equal(destinationSocketIdOf(h.toOrigin.at(-1)!), s.originSocketId);
  });

  it("answers with the caller's address as the peer address, a scoped IPv6 caller's without its zone", () => {
    const cases: [string, string][] = [
      ['127.0.0.1', '0100007f000000000000000000000000'],
      ['::ffff:10.1.2.3', '0302010a000000000000000000000000'],
      // fe80::1 is fe80:0000:...:0001; each 4-byte word goes on the wire reversed.
      ['fe80::1%eth0', '000080fe000000000000000001000000'],
      ['fe80::1', '000080fe000000000000000001000000'],
    ];
    for (const [caller, wire] of cases) {
      const h = harness();
      connectedSession(h, caller);
      assert.equal(h.toCaller[0]!.subarray(48, 64).toString('hex'), wire, caller);
    }
  });

  it("never leaves the origin's address in the answer when the caller's cannot be encoded", () => {
    const h = harness();
    assert.notEqual(ORIGIN_CONCLUSION_RESPONSE.subarray(48, 64).toString('hex'), '0'.repeat(32), 'the capture has an address to hide');
    connectedSession(h, 'not-an-address');
    assert.equal(h.toCaller[0]!.subarray(48, 64).toString('hex'), '0'.repeat(32));
  });
});
