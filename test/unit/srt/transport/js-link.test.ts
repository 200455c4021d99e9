import assert from 'node:assert/strict';
import type { Socket } from 'node:dgram';
import { describe, it } from 'node:test';
import { controlTypeOf, ControlType } from '../../../../src/srt/protocol/packet-header.js';
import { emptyLinkCounters, type DataPathCounters, type LinkEnd } from '../../../../src/srt/transport/data-path.js';
import { JsLink, LinkState, type JsLinkHost } from '../../../../src/srt/transport/js-link.js';
import { ORIGIN_SOCKET_SEND_QUEUE_LIMIT, PUBLIC_SOCKET_SEND_QUEUE_LIMIT } from '../../../../src/srt/transport/send-queue-limits.js';
import { packet } from '../../../support/vectors.js';

/** Stands in for a dgram socket: records what is sent, reports a queue length and send errors as told. */
class FakeSocket {
  readonly sent: { msg: Buffer; port?: number; address?: string }[] = [];
  /** What getSendQueueCount() reports: datagrams dgram holds because the kernel did not take them yet. */
  queued = 0;
  /** The error the next sends report through their callback (a kernel refusal). */
  failWith: Error | undefined;
  send(msg: Buffer, ...rest: unknown[]): void {
    const [port, address] = typeof rest[0] === 'number' ? (rest as [number, string]) : [undefined, undefined];
    this.sent.push({ msg: Buffer.from(msg), port, address });
    const callback = rest.at(-1);
    if (typeof callback === 'function') callback(this.failWith ?? null);
  }
  getSendQueueCount(): number {
    return this.queued;
  }
  closed = 0;
  close(): void {
    this.closed++;
  }
}

const ORIGIN_SOCKET_ID = 0x379f9b81;

function relayingLink(telemetry = true) {
  const pub = new FakeSocket();
  const origin = new FakeSocket();
  const counters: DataPathCounters = { malformed: 0, unknownSession: 0, foreignAddress: 0, sendErrors: 0, socketErrors: 0, originErrors: 0, handshakesShed: 0 };
  const ended: LinkEnd[] = [];
  const errors: string[] = [];
  const handshakes: Buffer[] = [];
  const host: JsLinkHost = {
    publicSocket: pub as unknown as Socket,
    counters,
    events: {
      onHandshake: () => assert.fail('no handshake on a link'),
      onOriginHandshake: (_link, msg) => void handshakes.push(msg),
      onLinkError: (_link, code) => void errors.push(code),
      onLinkEnded: (_link, why) => void ended.push(why),
    },
    now: 1000,
  };
  const link = new JsLink(3, origin as unknown as Socket, '::ffff:127.0.0.1', 37737, host);
  link.state = LinkState.Handshake;
  link.fromOrigin(Buffer.from(packet('t12', 6)));
  link.startRelay(ORIGIN_SOCKET_ID, telemetry, 1000);
  return { link, pub, origin, counters, ended, errors, handshakes, host: host as { now: number } };
}

function data(): Buffer {
  const d = Buffer.alloc(1332, 7);
  d[0] = 0x11;
  d[4] = 0xe0;
  d.writeUInt32BE(ORIGIN_SOCKET_ID, 12);
  return d;
}

describe('JsLink', () => {
  it('hands origin datagrams to the session logic before the relay, then relays both ways unchanged', () => {
    const { link, pub, origin, handshakes } = relayingLink();
    assert.equal(handshakes.length, 1, 'the handshake answer before startRelay');
    const up = data();
    link.fromCaller(up);
    assert.deepEqual(origin.sent.at(-1)!.msg, up);
    const back = Buffer.alloc(44, 9);
    link.fromOrigin(back);
    assert.deepEqual(pub.sent.at(-1), { msg: back, port: 37737, address: '::ffff:127.0.0.1' });
    assert.equal(handshakes.length, 1, 'relayed datagrams never reach the session logic');
    const c = emptyLinkCounters();
    link.read(c, 1000);
    assert.deepEqual([c.packetsFromCaller, c.bytesFromCaller, c.packetsFromOrigin, c.bytesFromOrigin], [1, 1332, 1, 44]);
  });

  it('relays a SHUTDOWN from either side, then ends and relays nothing more', () => {
    for (const side of ['caller', 'origin'] as const) {
      const { link, pub, origin, ended } = relayingLink();
      const shutdown = Buffer.from(packet('t12', 8));
      if (side === 'caller') link.fromCaller(shutdown);
      else link.fromOrigin(shutdown);
      const forwarded = side === 'caller' ? origin.sent.at(-1)!.msg : pub.sent.at(-1)!.msg;
      assert.equal(controlTypeOf(forwarded), ControlType.SHUTDOWN);
      assert.deepEqual(ended, [`${side}-shutdown`]);
      const before = origin.sent.length + pub.sent.length;
      link.fromCaller(data());
      link.fromOrigin(Buffer.alloc(44, 9));
      assert.equal(origin.sent.length + pub.sent.length, before);
    }
  });

  it('tells an error raised inside openLink (dgram: a bind failure, synchronous) on the next turn, and closes the socket at once', async () => {
    const { host, counters, errors } = relayingLink();
    const socket = new FakeSocket();
    const link = new JsLink(4, socket as unknown as Socket, '127.0.0.1', 5000, host as unknown as JsLinkHost);
    assert.equal(link.state, LinkState.Connecting);
    link.opening = true;
    link.onError(Object.assign(new Error('bind EMFILE'), { code: 'EMFILE', syscall: 'bind' }));
    link.opening = false;
    assert.equal(socket.closed, 1, 'closed before connect() queues itself behind the failed bind');
    assert.deepEqual([errors, counters.originErrors], [[], 0], 'openLink has not returned the id yet');
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual([errors, counters.originErrors], [['EMFILE'], 1]);
  });

  it('reports ICMP unreachable while relaying as origin-unreachable, other errors only as counts', () => {
    const { link, ended, errors, counters } = relayingLink();
    link.onError(Object.assign(new Error('EPERM'), { code: 'EPERM' }));
    assert.deepEqual(ended, []);
    link.onError(Object.assign(new Error('ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    assert.deepEqual(ended, ['origin-unreachable']);
    assert.deepEqual(errors, []);
    assert.equal(counters.originErrors, 2);
  });

  it('drops and counts relay datagrams while a send queue is at its bound, and counts refused sends', () => {
    const { link, pub, origin } = relayingLink();
    const toOrigin = origin.sent.length;
    const toCaller = pub.sent.length;
    origin.queued = ORIGIN_SOCKET_SEND_QUEUE_LIMIT;
    pub.queued = PUBLIC_SOCKET_SEND_QUEUE_LIMIT;
    link.fromCaller(data());
    link.fromOrigin(Buffer.alloc(44, 9));
    assert.equal(origin.sent.length, toOrigin, 'nothing handed to a full origin socket');
    assert.equal(pub.sent.length, toCaller, 'nothing handed to a full public socket');
    const c = emptyLinkCounters();
    link.read(c, 1000);
    assert.equal(c.sendQueueDrops, 2);
    assert.equal(c.packetsFromCaller, 1, 'still counted as received');

    origin.queued = ORIGIN_SOCKET_SEND_QUEUE_LIMIT - 1;
    pub.queued = PUBLIC_SOCKET_SEND_QUEUE_LIMIT - 1;
    link.fromCaller(data());
    link.fromOrigin(Buffer.alloc(44, 9));
    assert.equal(origin.sent.length, toOrigin + 1);
    assert.equal(pub.sent.length, toCaller + 1);

    origin.failWith = Object.assign(new Error('ENOBUFS'), { code: 'ENOBUFS' });
    pub.failWith = Object.assign(new Error('EPERM'), { code: 'EPERM' });
    link.fromCaller(data());
    link.fromOrigin(Buffer.alloc(44, 9));
    link.read(c, 1000);
    assert.equal(c.sendQueueDrops, 2);
    assert.equal(c.sendErrors, 2);
  });

  it('measures idle time per side from the coarse clock, and drops short origin datagrams', () => {
    const { link, host } = relayingLink();
    host.now = 1500;
    link.fromCaller(data());
    link.fromOrigin(Buffer.alloc(8));
    const c = emptyLinkCounters();
    link.read(c, 2600);
    assert.equal(c.callerIdleMs, 1100);
    assert.equal(c.originIdleMs, 1600, 'a short datagram is no sign of life');
    assert.equal(c.drops, 1);
  });
});

describe('JsLink telemetry', () => {
  // The origin's first full ACK and a NAK of one packet, captured from srt-live-transmit 1.5.1 (see ack.test.ts).
  const FULL_ACK = Buffer.from('80020000000000010002ced1379f9b8111f180ab000186a00000c35000001ffe00000002000003e800000624', 'hex');
  const NAK_ONE = Buffer.from('80030000000000000005af0a379f9b8111f180c3', 'hex');
  const RETRANSMITTED = Buffer.concat([Buffer.from('11f180c3e400001a0005ba86180da77f', 'hex'), Buffer.alloc(1316, 0x47)]);
  const FRESH = Buffer.concat([Buffer.from('11f180c4e000001b0005ba86180da77f', 'hex'), Buffer.alloc(1316, 0x47)]);

  it("reads the origin's ACKs and NAKs and counts the caller's retransmissions, relaying every byte unchanged", () => {
    const { link, pub, origin, host } = relayingLink();
    link.fromOrigin(Buffer.from(FULL_ACK));
    link.fromOrigin(Buffer.from(NAK_ONE));
    link.fromCaller(Buffer.from(FRESH));
    link.fromCaller(Buffer.from(RETRANSMITTED));
    assert.deepEqual(pub.sent.slice(-2).map((s) => s.msg), [FULL_ACK, NAK_ONE], 'control packets reach the caller unaltered');
    assert.deepEqual(origin.sent.slice(-2).map((s) => s.msg), [FRESH, RETRANSMITTED]);
    const c = emptyLinkCounters();
    host.now = 1000;
    link.read(c, 1250);
    assert.deepEqual([c.byOrigin.fullAcks, c.byOrigin.rttUs, c.byOrigin.naks, c.byOrigin.lossReported, c.byOrigin.fullAckAgeMs], [1, 100_000, 1, 1, 250]);
    assert.deepEqual([c.byCaller.fullAcks, c.byCaller.lossReported, c.byCaller.fullAckAgeMs], [0, 0, -1]);
    assert.deepEqual([c.retransmittedFromCaller, c.retransmittedFromOrigin], [1, 0]);
  });

  it("reads a player's ACKs on the caller side and the origin's retransmissions", () => {
    const { link } = relayingLink();
    link.fromCaller(Buffer.from(FULL_ACK));
    link.fromOrigin(Buffer.from(RETRANSMITTED));
    const c = emptyLinkCounters();
    link.read(c, 1000);
    assert.equal(c.byCaller.fullAcks, 1);
    assert.equal(c.byOrigin.fullAcks, 0);
    assert.deepEqual([c.retransmittedFromCaller, c.retransmittedFromOrigin], [0, 1]);
  });

  it('with telemetry off reads nothing but still ends on SHUTDOWN', () => {
    const { link, ended } = relayingLink(false);
    link.fromOrigin(Buffer.from(FULL_ACK));
    link.fromCaller(Buffer.from(RETRANSMITTED));
    const c = emptyLinkCounters();
    link.read(c, 1000);
    assert.equal(c.byOrigin.fullAcks, 0);
    assert.equal(c.retransmittedFromCaller, 0);
    link.fromOrigin(Buffer.from(packet('t12', 8)));
    assert.deepEqual(ended, ['origin-shutdown']);
  });
});
