import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:dgram';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import type { Origin } from '../../../../src/origins/origin.js';
import { handshakeCookieOf, handshakeSocketIdOf, handshakeTypeOf } from '../../../../src/srt/protocol/handshake.js';
import { HandshakeType } from '../../../../src/srt/protocol/handshake-type.js';
import { controlTypeOf, ControlType, destinationSocketIdOf } from '../../../../src/srt/protocol/packet-header.js';
import { parseStreamId } from '../../../../src/srt/protocol/stream-id.js';
import { CoarseClock } from '../../../../src/srt/session/coarse-clock.js';
import { ProxyCounters } from '../../../../src/srt/session/proxy-counters.js';
import { Session } from '../../../../src/srt/session/session.js';
import type { SessionHost } from '../../../../src/srt/session/session-host.js';
import { ORIGIN_SOCKET_SEND_QUEUE_LIMIT, PUBLIC_SOCKET_SEND_QUEUE_LIMIT } from '../../../../src/srt/transport/send-queue-limits.js';
import { packet } from '../../../support/vectors.js';

// Capture t12: a caller's CONCLUSION, and the origin's INDUCTION and CONCLUSION answers to a relay.
const CALLER_CONCLUSION = packet('t12', 2);
const ORIGIN_INDUCTION_RESPONSE = packet('t12', 4);
const ORIGIN_CONCLUSION_RESPONSE = packet('t12', 6);
const ORIGIN: Origin = { id: '127.0.0.1:9000', host: '127.0.0.1', port: 9000, source: '127.0.0.1:9000' };

/** Stands in for a dgram socket: records what is sent, lets the test deliver datagrams and errors. */
class FakeSocket extends EventEmitter {
  readonly sent: Buffer[] = [];
  connected: ((error?: Error) => void) | undefined;
  closed = false;
  /** What getSendQueueCount() reports: datagrams dgram holds because the kernel did not take them yet. */
  queued = 0;
  /** The error the next sends report through their callback (a kernel refusal). */
  failWith: Error | undefined;
  send(msg: Buffer, ...rest: unknown[]): void {
    if (this.closed) throw new Error('send after close');
    this.sent.push(Buffer.from(msg));
    const callback = rest.at(-1);
    if (typeof callback === 'function') callback(this.failWith ?? null);
  }
  getSendQueueCount(): number {
    return this.queued;
  }
  connect(_port: number, _host: string, callback: (error?: Error) => void): void {
    this.connected = callback;
  }
  close(): void {
    this.closed = true;
  }
}

interface Harness {
  host: SessionHost;
  publicSocket: FakeSocket;
  toCaller: Buffer[];
  originSockets: FakeSocket[];
  failed: Origin[];
  succeeded: Origin[];
  connected: Session[];
  closed: Session[];
}

function harness(telemetry = true): Harness {
  const publicSocket = new FakeSocket();
  const toCaller = publicSocket.sent;
  const originSockets: FakeSocket[] = [];
  const h: Harness = { toCaller, publicSocket, originSockets, failed: [], succeeded: [], connected: [], closed: [], host: undefined as never };
  h.host = {
    publicSocket: publicSocket as unknown as Socket,
    counters: new ProxyCounters(),
    clock: new CoarseClock(),
    config: { originHandshakeTimeoutMs: 2000, originRetryIntervalMs: 250, telemetry },
    rejections: { originDown: 2503, overload: 2402 },
    createOriginSocket: () => {
      const socket = new FakeSocket();
      originSockets.push(socket);
      return socket as unknown as Socket;
    },
    tuneSocket: () => undefined,
    onConnected: (s) => void h.connected.push(s),
    onClosed: (s) => void h.closed.push(s),
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

/** A session that completed its origin handshake, with its fake origin socket. */
function connectedSession(h: Harness, callerAddress?: string): { s: Session; socket: FakeSocket } {
  const s = newSession(h, callerAddress);
  s.connect(ORIGIN);
  const socket = h.originSockets[0]!;
  socket.connected!();
  socket.emit('message', Buffer.from(ORIGIN_INDUCTION_RESPONSE));
  socket.emit('message', Buffer.from(ORIGIN_CONCLUSION_RESPONSE));
  assert.equal(s.state, 'connected');
  return { s, socket };
}

describe('Session', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'setImmediate'] }));
  afterEach(() => mock.timers.reset());

  it('replays the handshake to the origin with its cookie and answers the caller as a listener would', () => {
    const h = harness();
    const s = newSession(h);
    s.connect(ORIGIN);
    const socket = h.originSockets[0]!;
    socket.connected!();
    assert.equal(handshakeTypeOf(socket.sent[0]!), HandshakeType.INDUCTION);
    assert.equal(destinationSocketIdOf(socket.sent[0]!), 0);

    socket.emit('message', Buffer.from(ORIGIN_INDUCTION_RESPONSE));
    const conclusion = socket.sent[1]!;
    assert.equal(handshakeTypeOf(conclusion), HandshakeType.CONCLUSION);
    assert.equal(handshakeCookieOf(conclusion), handshakeCookieOf(ORIGIN_INDUCTION_RESPONSE), "the origin's cookie");
    assert.equal(conclusion.length, CALLER_CONCLUSION.length);

    socket.emit('message', Buffer.from(ORIGIN_CONCLUSION_RESPONSE));
    assert.equal(s.state, 'connected');
    assert.equal(s.originSocketId, handshakeSocketIdOf(ORIGIN_CONCLUSION_RESPONSE));
    assert.deepEqual(h.connected, [s]);
    assert.deepEqual(h.succeeded, [ORIGIN]);
    const answer = h.toCaller[0]!;
    assert.equal(handshakeTypeOf(answer), HandshakeType.CONCLUSION);
    assert.equal(handshakeCookieOf(answer), handshakeCookieOf(CALLER_CONCLUSION), "the caller's own cookie echoed");
  });

  it('resends on silence, answers repeated CONCLUSIONs from the session, and never opens a second socket', () => {
    const h = harness();
    const s = newSession(h);
    s.connect(ORIGIN);
    const socket = h.originSockets[0]!;
    socket.connected!();
    mock.timers.tick(250);
    mock.timers.tick(250);
    assert.equal(socket.sent.length, 3, 'INDUCTION resent every 250 ms');
    socket.emit('message', Buffer.from(ORIGIN_INDUCTION_RESPONSE));
    mock.timers.tick(250);
    assert.equal(handshakeTypeOf(socket.sent.at(-1)!), HandshakeType.CONCLUSION);
    s.onCallerConclusionRepeated();
    assert.equal(h.toCaller.length, 0, 'nothing to answer yet');
    socket.emit('message', Buffer.from(ORIGIN_CONCLUSION_RESPONSE));
    s.onCallerConclusionRepeated();
    assert.equal(h.toCaller.length, 2, 'the cached answer again');
    assert.deepEqual(h.toCaller[0], h.toCaller[1]);
    const sentBefore = socket.sent.length;
    mock.timers.tick(5000);
    assert.equal(socket.sent.length, sentBefore, 'no resend once connected');
    assert.equal(h.originSockets.length, 1);
  });

  it('rejects with 2503 and reports the origin when it stays silent for the budget', () => {
    const h = harness();
    const s = newSession(h);
    s.connect(ORIGIN);
    h.originSockets[0]!.connected!();
    mock.timers.tick(1999);
    assert.equal(h.toCaller.length, 0);
    mock.timers.tick(1);
    assert.equal(handshakeTypeOf(h.toCaller[0]!), 2503);
    assert.equal(destinationSocketIdOf(h.toCaller[0]!), s.callerSocketId);
    assert.equal(s.state, 'closed');
    assert.deepEqual(h.failed, [ORIGIN]);
    assert.deepEqual(h.closed, [s]);
    mock.timers.tick(1);
    assert.equal(h.originSockets[0]!.closed, true);
    assert.equal(h.host.counters.rejected.get(2503), 1);
  });

  it("forwards the origin's rejection unchanged and does not blame the origin", () => {
    const h = harness();
    const s = newSession(h);
    s.connect(ORIGIN);
    const socket = h.originSockets[0]!;
    socket.connected!();
    socket.emit('message', Buffer.from(ORIGIN_INDUCTION_RESPONSE));
    const rejection = Buffer.from(ORIGIN_CONCLUSION_RESPONSE.subarray(0, 64));
    rejection.writeUInt32BE(1010, 36);
    socket.emit('message', rejection);
    assert.deepEqual(h.toCaller[0], rejection);
    assert.equal(s.state, 'closed');
    assert.equal(s.rejectCode, 1010);
    assert.deepEqual(h.failed, []);
  });

  it('rejects at once when the origin socket cannot connect or reports unreachable', () => {
    for (const fail of [
      (socket: FakeSocket) => socket.connected!(Object.assign(new Error('connect EACCES'), { code: 'EACCES' })),
      (socket: FakeSocket) => socket.emit('error', Object.assign(new Error('ECONNREFUSED'), { code: 'ECONNREFUSED' })),
    ]) {
      const h = harness();
      const s = newSession(h);
      s.connect(ORIGIN);
      fail(h.originSockets[0]!);
      assert.equal(handshakeTypeOf(h.toCaller[0]!), 2503);
      assert.equal(s.state, 'closed');
      assert.deepEqual(h.failed, [ORIGIN]);
    }
  });

  it('answers 2402 when this proxy runs out of sockets, without blaming the origin', () => {
    const h = harness();
    const s = newSession(h);
    s.connect(ORIGIN);
    h.originSockets[0]!.connected!(Object.assign(new Error('EMFILE'), { code: 'EMFILE' }));
    assert.equal(handshakeTypeOf(h.toCaller[0]!), 2402);
    assert.equal(s.closeReason, 'proxy-exhausted');
    assert.deepEqual(h.failed, []);
  });

  it('relays both ways unchanged and ends on SHUTDOWN from either side', () => {
    for (const side of ['caller', 'origin'] as const) {
      const h = harness();
      const { s, socket } = connectedSession(h);
      const data = Buffer.alloc(1332, 7);
      data.writeUInt32BE(s.originSocketId, 12);
      s.fromCaller(data);
      assert.deepEqual(socket.sent.at(-1), data);
      const back = Buffer.alloc(44, 9);
      socket.emit('message', back);
      assert.deepEqual(h.toCaller.at(-1), back);
      assert.equal(s.packetsFromCaller, 1);
      assert.equal(s.bytesFromOrigin, 44);

      const shutdown = Buffer.from(packet('t12', 8));
      if (side === 'caller') s.fromCaller(shutdown);
      else socket.emit('message', shutdown);
      const forwarded = side === 'caller' ? socket.sent.at(-1)! : h.toCaller.at(-1)!;
      assert.equal(controlTypeOf(forwarded), ControlType.SHUTDOWN);
      assert.equal(s.state, 'closed');
      assert.equal(s.closeReason, `${side}-shutdown`);
    }
  });

  it('on idle close tells only the side still alive', () => {
    const h = harness();
    const { s, socket } = connectedSession(h);
    const toCallerBefore = h.toCaller.length;
    const toOriginBefore = socket.sent.length;
    s.close('origin-idle', true);
    assert.equal(socket.sent.length, toOriginBefore, 'no SHUTDOWN to the silent origin');
    assert.equal(h.toCaller.length, toCallerBefore + 1);
    assert.equal(controlTypeOf(h.toCaller.at(-1)!), ControlType.SHUTDOWN);
    assert.equal(destinationSocketIdOf(h.toCaller.at(-1)!), s.callerSocketId);
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

  it('drops and counts relay datagrams while a send queue is at its bound, and counts refused sends', () => {
    const h = harness();
    const { s, socket } = connectedSession(h);
    const data = Buffer.alloc(1332, 7);
    data.writeUInt32BE(s.originSocketId, 12);
    const toOrigin = socket.sent.length;
    const toCaller = h.toCaller.length;

    socket.queued = ORIGIN_SOCKET_SEND_QUEUE_LIMIT;
    h.publicSocket.queued = PUBLIC_SOCKET_SEND_QUEUE_LIMIT;
    s.fromCaller(data);
    socket.emit('message', Buffer.alloc(44, 9));
    assert.equal(socket.sent.length, toOrigin, 'nothing handed to a full origin socket');
    assert.equal(h.toCaller.length, toCaller, 'nothing handed to a full public socket');
    assert.equal(s.sendQueueDrops, 2);
    assert.equal(s.packetsFromCaller, 1, 'still counted as received');

    socket.queued = ORIGIN_SOCKET_SEND_QUEUE_LIMIT - 1;
    h.publicSocket.queued = PUBLIC_SOCKET_SEND_QUEUE_LIMIT - 1;
    s.fromCaller(data);
    socket.emit('message', Buffer.alloc(44, 9));
    assert.equal(socket.sent.length, toOrigin + 1);
    assert.equal(h.toCaller.length, toCaller + 1);
    assert.equal(s.sendQueueDrops, 2);
    assert.equal(s.sendErrors, 0);

    socket.failWith = Object.assign(new Error('ENOBUFS'), { code: 'ENOBUFS' });
    h.publicSocket.failWith = Object.assign(new Error('EPERM'), { code: 'EPERM' });
    s.fromCaller(data);
    socket.emit('message', Buffer.alloc(44, 9));
    assert.equal(s.sendErrors, 2);
    assert.equal(s.state, 'connected', 'a refused send does not end the session');
  });
});

describe('Session telemetry', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'setImmediate'] }));
  afterEach(() => mock.timers.reset());

  // The origin's first full ACK and a NAK of one packet, captured from srt-live-transmit 1.5.1 (see ack.test.ts).
  const FULL_ACK = Buffer.from('80020000000000010002ced1379f9b8111f180ab000186a00000c35000001ffe00000002000003e800000624', 'hex');
  const NAK_ONE = Buffer.from('80030000000000000005af0a379f9b8111f180c3', 'hex');
  const RETRANSMITTED = Buffer.concat([Buffer.from('11f180c3e400001a0005ba86180da77f', 'hex'), Buffer.alloc(1316, 0x47)]);
  const FRESH = Buffer.concat([Buffer.from('11f180c4e000001b0005ba86180da77f', 'hex'), Buffer.alloc(1316, 0x47)]);

  it("reads the origin's ACKs and NAKs and counts the caller's retransmissions, relaying every byte unchanged", () => {
    const h = harness();
    const { s, socket } = connectedSession(h);
    socket.emit('message', Buffer.from(FULL_ACK));
    socket.emit('message', Buffer.from(NAK_ONE));
    s.fromCaller(Buffer.from(FRESH));
    s.fromCaller(Buffer.from(RETRANSMITTED));
    assert.deepEqual(h.toCaller.slice(-2), [FULL_ACK, NAK_ONE], 'control packets reach the caller unaltered');
    assert.deepEqual(socket.sent.slice(-2), [FRESH, RETRANSMITTED]);
    const t = s.telemetry!;
    assert.equal(t.receiver, t.byOrigin);
    assert.deepEqual([t.byOrigin.fullAcks, t.byOrigin.ack.rttUs, t.byOrigin.naks, t.byOrigin.lossReported], [1, 100_000, 1, 1]);
    assert.deepEqual([t.byCaller.fullAcks, t.byCaller.lossReported], [0, 0]);
    assert.deepEqual([s.retransmittedFromCaller, s.retransmittedFromOrigin], [1, 0]);
  });

  it("reads a player's ACKs on the caller side and the origin's retransmissions", () => {
    const h = harness();
    const { s, socket } = connectedSession(h);
    s.fromCaller(Buffer.from(FULL_ACK));
    socket.emit('message', Buffer.from(RETRANSMITTED));
    const t = s.telemetry!;
    assert.equal(t.receiver, t.byCaller);
    assert.deepEqual([s.retransmittedFromCaller, s.retransmittedFromOrigin], [0, 1]);
    assert.equal(t.byOrigin.fullAcks, 0);
  });

  it('with SRT_TELEMETRY off reads nothing but still ends on SHUTDOWN', () => {
    const h = harness(false);
    const { s, socket } = connectedSession(h);
    socket.emit('message', Buffer.from(FULL_ACK));
    s.fromCaller(Buffer.from(RETRANSMITTED));
    assert.equal(s.telemetry, undefined);
    assert.equal(s.retransmittedFromCaller, 0);
    socket.emit('message', Buffer.from(packet('t12', 8)));
    assert.equal(s.closeReason, 'origin-shutdown');
  });
});
