/**
 * DataPath conformance: every implementation in test/support/data-paths.ts against node:dgram peers on loopback,
 * standing in for a caller and an origin. What the session logic relies on: relay both ways once started (and not
 * before), source pinning, links sharing an origin socket id, SHUTDOWN and ICMP ends, caller addresses as node
 * reports them, counters, telemetry, and that links and the public socket free their sockets.
 */
import assert from 'node:assert/strict';
import type { RemoteInfo, Socket } from 'node:dgram';
import { after, describe, it } from 'node:test';
import {
  emptyLinkCounters,
  type DataPath,
  type DataPathEvents,
  type LinkEnd,
  type LinkId,
} from '../../src/srt/transport/data-path.js';
import { DATA_PATHS } from '../support/data-paths.js';
import { bindUdp, closeUdp, freeUdpPort } from '../support/net.js';
import { fdCount, isUdpPortBound } from '../support/procfs.js';
import { sleep, waitFor } from '../support/process.js';
import {
  buildDataPacket,
  buildFullAck,
  buildLightAck,
  buildNak,
  buildShutdown,
  callerInduction,
  isShutdown,
  tsNullPayload,
} from '../support/srt-packets.js';

const CALLER_SID = 0x1111;
const ORIGIN_SID = 0x2222;
const WAIT_MS = 5000;

interface Received {
  readonly msg: Buffer;
  readonly from: RemoteInfo;
}

/** A loopback UDP peer that keeps what it receives. */
class Peer {
  readonly received: Received[] = [];
  private constructor(readonly socket: Socket) {
    socket.on('message', (msg, from) => this.received.push({ msg, from }));
  }

  static async bind(host: string): Promise<Peer> {
    return new Peer(await bindUdp(host));
  }

  get port(): number {
    return this.socket.address().port;
  }

  send(msg: Buffer, port: number, host: string): Promise<void> {
    return new Promise((resolve, reject) => this.socket.send(msg, port, host, (error) => (error ? reject(error) : resolve())));
  }

  /** Waits for a datagram matching `match` among those received since index `from`; returns it. */
  expect(what: string, match: (msg: Buffer) => boolean, from = 0): Promise<Received> {
    return waitFor(what, () => this.received.slice(from).find((r) => match(r.msg)), WAIT_MS, 10);
  }

  private closed = false;

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return closeUdp(this.socket);
  }
}

/** What the data path told the session logic. */
class Recorder implements DataPathEvents {
  readonly handshakes: { msg: Buffer; address: string; port: number }[] = [];
  readonly originHandshakes: { link: LinkId; msg: Buffer }[] = [];
  readonly errors: { link: LinkId; code: string }[] = [];
  readonly ended: { link: LinkId; why: LinkEnd }[] = [];
  onHandshake(msg: Buffer, address: string, port: number): void {
    this.handshakes.push({ msg: Buffer.from(msg), address, port });
  }
  onOriginHandshake(link: LinkId, msg: Buffer): void {
    this.originHandshakes.push({ link, msg: Buffer.from(msg) });
  }
  onLinkError(link: LinkId, code: string): void {
    this.errors.push({ link, code });
  }
  onLinkEnded(link: LinkId, why: LinkEnd): void {
    this.ended.push({ link, why });
  }
}

function marked(destination: number, marker: string, sequence = 1): Buffer {
  return buildDataPacket(sequence, 1, 0, destination, tsNullPayload(marker));
}

function hasMarker(marker: string): (msg: Buffer) => boolean {
  return (msg) => msg.length > 16 && msg.subarray(16).includes(marker);
}

for (const impl of DATA_PATHS) {
  describe(`DataPath ${impl.kind}`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    after(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup();
    });

    async function listen(host = '::'): Promise<{ dp: DataPath; events: Recorder; port: number }> {
      const dp = impl.create();
      const events = new Recorder();
      const binding = await dp.listen({ host, port: 0, receiveBufferBytes: 0, sendBufferBytes: 0, originBufferBytes: 0, reusePort: false }, events);
      cleanups.push(() => dp.close());
      return { dp, events, port: binding.port };
    }

    async function peer(host: string): Promise<Peer> {
      const p = await Peer.bind(host);
      cleanups.push(() => p.close());
      return p;
    }

    /**
     * A caller's handshake datagram through the public socket (the address string as the data path reports it),
     * a link to `origin`, and one handshake exchange over it; relaying once `relay` says so.
     */
    async function linkUp(
      h: { dp: DataPath; events: Recorder; port: number },
      caller: Peer,
      origin: Peer,
      options: { proxyHost?: string; originHost?: string; relay?: boolean; telemetry?: boolean } = {},
    ): Promise<{ link: LinkId; address: string }> {
      const proxyHost = options.proxyHost ?? '127.0.0.1';
      const before = h.events.handshakes.length;
      const id = Math.floor(Math.random() * 0x7fffffff);
      await caller.send(callerInduction(id), h.port, proxyHost);
      const hs = await waitFor('the caller handshake', () => h.events.handshakes.slice(before).find((e) => e.msg.readUInt32BE(40) === id), WAIT_MS, 10);
      assert.equal(hs.port, caller.port);
      const link = h.dp.openLink(options.originHost ?? '127.0.0.1', origin.port, hs.address, hs.port);
      assert.ok(link > 0);
      const fromOrigin = origin.received.length;
      assert.equal(h.dp.sendToOrigin(link, Buffer.from(hs.msg)), true);
      const got = await origin.expect('the handshake at the origin', (m) => m.readUInt32BE(40) === id, fromOrigin);
      const answered = h.events.originHandshakes.length;
      await origin.send(Buffer.from(hs.msg), got.from.port, got.from.address);
      await waitFor('the origin answer', () => (h.events.originHandshakes.length > answered ? true : undefined), WAIT_MS, 10);
      assert.equal(h.events.originHandshakes.at(-1)!.link, link);
      if (options.relay !== false) h.dp.startRelay(link, ORIGIN_SID, options.telemetry ?? false);
      return { link, address: hs.address };
    }

    /** Where the origin sees the link's socket (its datagrams come from there). */
    function linkSocketOf(origin: Peer): RemoteInfo {
      return origin.received.at(-1)!.from;
    }

    it('relays both ways after startRelay, and hands origin datagrams to the session logic before', async () => {
      const h = await listen();
      const caller = await peer('127.0.0.1');
      const origin = await peer('127.0.0.1');
      const { link } = await linkUp(h, caller, origin, { relay: false });
      const linkSocket = linkSocketOf(origin);

      // Before startRelay: the caller's data has no link to go to, the origin's goes to onOriginHandshake.
      await caller.send(marked(ORIGIN_SID, 'early'), h.port, '127.0.0.1');
      await waitFor('unknown session counted', () => (h.dp.counters.unknownSession === 1 ? true : undefined), WAIT_MS, 10);
      const answered = h.events.originHandshakes.length;
      await origin.send(marked(CALLER_SID, 'early-origin'), linkSocket.port, linkSocket.address);
      await waitFor('origin datagram to the session logic', () => (h.events.originHandshakes.length > answered ? true : undefined), WAIT_MS, 10);
      assert.ok(hasMarker('early-origin')(h.events.originHandshakes.at(-1)!.msg));

      h.dp.startRelay(link, ORIGIN_SID, false);
      await caller.send(marked(ORIGIN_SID, 'to-origin'), h.port, '127.0.0.1');
      const up = await origin.expect('data at the origin', hasMarker('to-origin'));
      assert.equal(up.from.port, linkSocket.port, 'the origin sees one source port for the whole session');
      await origin.send(marked(CALLER_SID, 'to-caller'), linkSocket.port, linkSocket.address);
      const down = await caller.expect('data at the caller', hasMarker('to-caller'));
      assert.equal(down.from.port, h.port, 'the caller hears the public socket');
      assert.equal(h.events.originHandshakes.length, answered + 1, 'relayed datagrams never reach the session logic');
      assert.equal(origin.received.filter((r) => hasMarker('early')(r.msg)).length, 0, 'nothing relayed before startRelay');
    });

    it('pins the caller: a foreign address using the link socket id is dropped, counted and charged to the link', async () => {
      const h = await listen();
      const caller = await peer('127.0.0.1');
      const origin = await peer('127.0.0.1');
      const spoofer = await peer('127.0.0.1');
      const { link } = await linkUp(h, caller, origin);
      await spoofer.send(marked(ORIGIN_SID, 'spoofed'), h.port, '127.0.0.1');
      await waitFor('foreign address counted', () => (h.dp.counters.foreignAddress === 1 ? true : undefined), WAIT_MS, 10);
      await caller.send(marked(ORIGIN_SID, 'genuine'), h.port, '127.0.0.1');
      await origin.expect('the genuine datagram', hasMarker('genuine'));
      assert.equal(origin.received.filter((r) => hasMarker('spoofed')(r.msg)).length, 0);
      const c = emptyLinkCounters();
      assert.equal(h.dp.readLink(link, c), true);
      assert.equal(c.drops, 1);
      assert.equal(c.packetsFromCaller, 1);
    });

    it('keeps two links with the same origin socket id apart by caller address and port', async () => {
      const h = await listen();
      const callerA = await peer('127.0.0.1');
      const callerB = await peer('127.0.0.1');
      const originA = await peer('127.0.0.1');
      const originB = await peer('127.0.0.1');
      const a = await linkUp(h, callerA, originA);
      const sockA = linkSocketOf(originA);
      const b = await linkUp(h, callerB, originB);
      const sockB = linkSocketOf(originB);
      assert.notEqual(a.link, b.link);
      await callerA.send(marked(ORIGIN_SID, 'from-a'), h.port, '127.0.0.1');
      await callerB.send(marked(ORIGIN_SID, 'from-b'), h.port, '127.0.0.1');
      await originA.expect('A at origin A', hasMarker('from-a'));
      await originB.expect('B at origin B', hasMarker('from-b'));
      await originA.send(marked(CALLER_SID, 'to-a'), sockA.port, sockA.address);
      await originB.send(marked(CALLER_SID, 'to-b'), sockB.port, sockB.address);
      await callerA.expect('origin A at A', hasMarker('to-a'));
      await callerB.expect('origin B at B', hasMarker('to-b'));
      await sleep(100);
      assert.equal(originA.received.filter((r) => hasMarker('from-b')(r.msg)).length, 0);
      assert.equal(originB.received.filter((r) => hasMarker('from-a')(r.msg)).length, 0);
      assert.equal(callerA.received.filter((r) => hasMarker('to-b')(r.msg)).length, 0);
      assert.equal(callerB.received.filter((r) => hasMarker('to-a')(r.msg)).length, 0);
      assert.equal(h.dp.counters.foreignAddress, 0);
      // Closing one leaves the other relaying.
      h.dp.closeLink(a.link);
      await callerB.send(marked(ORIGIN_SID, 'b-again'), h.port, '127.0.0.1');
      await originB.expect('B still relayed', hasMarker('b-again'));
    });

    it("relays the caller's SHUTDOWN, then reports caller-shutdown and relays nothing more", async () => {
      const h = await listen();
      const caller = await peer('127.0.0.1');
      const origin = await peer('127.0.0.1');
      const { link } = await linkUp(h, caller, origin);
      await caller.send(buildShutdown(ORIGIN_SID, 0), h.port, '127.0.0.1');
      await origin.expect('SHUTDOWN at the origin', isShutdown);
      await waitFor('link ended', () => h.events.ended.find((e) => e.link === link), WAIT_MS, 10);
      assert.deepEqual(h.events.ended, [{ link, why: 'caller-shutdown' }]);
      await caller.send(marked(ORIGIN_SID, 'after-end'), h.port, '127.0.0.1');
      await sleep(100);
      assert.equal(origin.received.filter((r) => hasMarker('after-end')(r.msg)).length, 0);
    });

    it("relays the origin's SHUTDOWN, then reports origin-shutdown", async () => {
      const h = await listen();
      const caller = await peer('127.0.0.1');
      const origin = await peer('127.0.0.1');
      const { link } = await linkUp(h, caller, origin);
      const sock = linkSocketOf(origin);
      await origin.send(buildShutdown(CALLER_SID, 0), sock.port, sock.address);
      await caller.expect('SHUTDOWN at the caller', isShutdown);
      await waitFor('link ended', () => h.events.ended.find((e) => e.link === link), WAIT_MS, 10);
      assert.deepEqual(h.events.ended, [{ link, why: 'origin-shutdown' }]);
    });

    it('reports ECONNREFUSED before the relay as a link error, and while relaying as origin-unreachable', async () => {
      const h = await listen();
      const nobody = await freeUdpPort();
      const refused = h.dp.openLink('127.0.0.1', nobody, '127.0.0.1', 40000);
      h.dp.sendToOrigin(refused, buildShutdown(1, 0));
      const error = await waitFor('link error', () => h.events.errors.find((e) => e.link === refused), WAIT_MS, 10);
      assert.equal(error.code, 'ECONNREFUSED');
      assert.equal(h.events.ended.length, 0);

      const caller = await peer('127.0.0.1');
      const origin = await peer('127.0.0.1');
      const { link } = await linkUp(h, caller, origin);
      await origin.close();
      // Each datagram to the closed port draws an ICMP port unreachable.
      for (let i = 0; i < 3 && !h.events.ended.some((e) => e.link === link); i++) {
        await caller.send(marked(ORIGIN_SID, `to-nowhere-${i}`), h.port, '127.0.0.1');
        await sleep(50);
      }
      await waitFor('link ended', () => h.events.ended.find((e) => e.link === link), WAIT_MS, 10);
      assert.deepEqual(h.events.ended, [{ link, why: 'origin-unreachable' }]);
      assert.equal(h.events.errors.filter((e) => e.link === link).length, 0);
      assert.ok(h.dp.counters.originErrors >= 2);
    });

    it('reports caller addresses as node does (::1, ::ffff:127.0.0.1 on dual stack) and relays to both', async () => {
      const h = await listen('::');
      const origin6 = await peer('::1');
      const caller6 = await peer('::1');
      const six = await linkUp(h, caller6, origin6, { proxyHost: '::1', originHost: '::1' });
      assert.equal(six.address, '::1');
      const origin4 = await peer('127.0.0.1');
      const caller4 = await peer('127.0.0.1');
      const four = await linkUp(h, caller4, origin4, { proxyHost: '127.0.0.1' });
      assert.equal(four.address, '::ffff:127.0.0.1');
      for (const [caller, origin, proxyHost, name] of [
        [caller6, origin6, '::1', 'six'],
        [caller4, origin4, '127.0.0.1', 'four'],
      ] as const) {
        await caller.send(marked(ORIGIN_SID, `up-${name}`), h.port, proxyHost);
        await origin.expect(`up ${name}`, hasMarker(`up-${name}`));
        const sock = linkSocketOf(origin);
        await origin.send(marked(CALLER_SID, `down-${name}`), sock.port, sock.address);
        await caller.expect(`down ${name}`, hasMarker(`down-${name}`));
      }
      // The handshake path answers both too.
      assert.equal(h.dp.sendToCaller(marked(CALLER_SID, 'hs-four'), four.address, caller4.port), true);
      await caller4.expect('handshake answer on IPv4', hasMarker('hs-four'));
      assert.equal(h.dp.sendToCaller(marked(CALLER_SID, 'hs-six'), six.address, caller6.port), true);
      await caller6.expect('handshake answer on IPv6', hasMarker('hs-six'));
    });

    it('counts packets, bytes and idle time per side, and malformed datagrams', async () => {
      const h = await listen();
      const caller = await peer('127.0.0.1');
      const origin = await peer('127.0.0.1');
      const { link } = await linkUp(h, caller, origin);
      const sock = linkSocketOf(origin);
      const up = marked(ORIGIN_SID, 'count-up');
      for (let i = 0; i < 5; i++) await caller.send(up, h.port, '127.0.0.1');
      const down = marked(CALLER_SID, 'count-down');
      for (let i = 0; i < 3; i++) await origin.send(down, sock.port, sock.address);
      await waitFor('all relayed', () => (caller.received.filter((r) => hasMarker('count-down')(r.msg)).length === 3 && origin.received.filter((r) => hasMarker('count-up')(r.msg)).length === 5 ? true : undefined), WAIT_MS, 10);
      const c = emptyLinkCounters();
      assert.equal(h.dp.readLink(link, c), true);
      assert.equal(c.packetsFromCaller, 5);
      assert.equal(c.bytesFromCaller, 5 * up.length);
      assert.equal(c.packetsFromOrigin, 3);
      assert.equal(c.bytesFromOrigin, 3 * down.length);
      assert.equal(c.drops, 0);
      assert.equal(c.sendQueueDrops, 0);
      assert.equal(c.sendErrors, 0);
      // Idle times grow while a side is silent, and restart when it speaks (coarse: a clock tick or two).
      const quiet = performance.now();
      await sleep(1000);
      await origin.send(down, sock.port, sock.address);
      await waitFor('one more down', () => (caller.received.filter((r) => hasMarker('count-down')(r.msg)).length === 4 ? true : undefined), WAIT_MS, 10);
      assert.equal(h.dp.readLink(link, c), true);
      // Never less than the real silence; the origin's just spoke (a loaded machine may add a few hundred ms).
      assert.ok(c.callerIdleMs >= Math.floor(performance.now() - quiet) - 5, `caller idle ${c.callerIdleMs} ms`);
      assert.ok(c.originIdleMs < 700, `origin idle ${c.originIdleMs} ms`);
      assert.equal(h.dp.readLink(9999, c), false);

      await caller.send(Buffer.alloc(10), h.port, '127.0.0.1');
      await waitFor('malformed counted', () => (h.dp.counters.malformed === 1 ? true : undefined), WAIT_MS, 10);
    });

    it('counts ACKs, NAKs and retransmissions only with telemetry on', async () => {
      const h = await listen();
      for (const telemetry of [true, false]) {
        const caller = await peer('127.0.0.1');
        const origin = await peer('127.0.0.1');
        const { link } = await linkUp(h, caller, origin, { telemetry });
        const sock = linkSocketOf(origin);
        await origin.send(buildFullAck(CALLER_SID, 1, { sequence: 100, rttUs: 20_000, rttVarUs: 5_000 }), sock.port, sock.address);
        await origin.send(buildFullAck(CALLER_SID, 2, { sequence: 120, rttUs: 21_000, rttVarUs: 4_000 }), sock.port, sock.address);
        await origin.send(buildNak(CALLER_SID, [5], [[10, 14]]), sock.port, sock.address);
        await caller.send(buildLightAck(ORIGIN_SID, 64), h.port, '127.0.0.1');
        const retransmitted = marked(ORIGIN_SID, 'again');
        retransmitted[4] = retransmitted[4]! | 0x04;
        await caller.send(retransmitted, h.port, '127.0.0.1');
        const c = emptyLinkCounters();
        await waitFor('all relayed', () => (h.dp.readLink(link, c) && c.packetsFromOrigin === 3 && c.packetsFromCaller === 2 ? true : undefined), WAIT_MS, 10);
        if (telemetry) {
          assert.equal(c.byOrigin.fullAcks, 2);
          assert.equal(c.byOrigin.naks, 1);
          assert.equal(c.byOrigin.lossReported, 6);
          assert.equal(c.byOrigin.rttUs, 21_000);
          assert.equal(c.byOrigin.rttVarUs, 4_000);
          assert.equal(c.byOrigin.lastAckedSequence, 120);
          assert.ok(c.byOrigin.fullAckAgeMs >= 0 && c.byOrigin.fullAckAgeMs < 2000, `age ${c.byOrigin.fullAckAgeMs}`);
          assert.equal(c.byCaller.lightAcks, 1);
          assert.equal(c.byCaller.fullAcks, 0);
          assert.equal(c.byCaller.fullAckAgeMs, -1);
          assert.equal(c.retransmittedFromCaller, 1);
        } else {
          assert.deepEqual([c.byOrigin.fullAcks, c.byOrigin.naks, c.byOrigin.lossReported, c.byCaller.lightAcks, c.retransmittedFromCaller], [0, 0, 0, 0, 0]);
        }
        h.dp.closeLink(link);
      }
    });

    it('frees each link on closeLink (its port at once, its socket for good or for the next link) and everything on close()', async () => {
      const h = await listen();
      const origin = await peer('127.0.0.1');
      await sleep(50);
      const baseline = fdCount(process.pid).sockets;
      const openEight = async (round: string): Promise<{ links: LinkId[]; ports: number[] }> => {
        const from = origin.received.length;
        const links: LinkId[] = [];
        for (let i = 0; i < 8; i++) {
          const link = h.dp.openLink('127.0.0.1', origin.port, '127.0.0.1', 40000 + i);
          h.dp.sendToOrigin(link, marked(1, `${round}-${i}`));
          links.push(link);
        }
        await waitFor(`every ${round} link sent`, () => (origin.received.length === from + 8 ? true : undefined), WAIT_MS, 10);
        return { links, ports: origin.received.slice(from).map((r) => r.from.port) };
      };
      const first = await openEight('open');
      assert.equal(h.dp.openLinks, 8);
      assert.equal(new Set(first.ports).size, 8, 'a socket, and so a port, per link');
      assert.equal(fdCount(process.pid).sockets, baseline + 8);
      for (const link of first.links) h.dp.closeLink(link);
      h.dp.closeLink(first.links[0]!); // idempotent
      await waitFor('links closed', () => (h.dp.openLinks === 0 ? true : undefined), WAIT_MS, 10);
      // The port goes at closeLink whether the socket is closed (js) or kept for the next link (native): the origin's
      // late datagrams for the old session can reach no later one.
      for (const port of first.ports) assert.equal(isUdpPortBound(port), false, `port ${port} of a closed link`);
      assert.equal(h.dp.readLink(first.links[0]!, emptyLinkCounters()), false);
      assert.equal(h.dp.sendToOrigin(first.links[0]!, marked(1, 'closed')), false);
      // Closing and opening again never grows the fds: closed sockets are gone or are the ones the new links use.
      const second = await openEight('again');
      assert.equal(fdCount(process.pid).sockets, baseline + 8);
      for (const link of second.links) h.dp.closeLink(link);
      await h.dp.close();
      await waitFor('fds back', () => (fdCount(process.pid).sockets === baseline - 1 ? true : undefined), WAIT_MS, 10);

      // close(): open links and the public socket go too.
      const other = impl.create();
      const binding = await other.listen({ host: '127.0.0.1', port: 0, receiveBufferBytes: 0, sendBufferBytes: 0, originBufferBytes: 0, reusePort: false }, new Recorder());
      assert.equal(isUdpPortBound(binding.port), true);
      other.openLink('127.0.0.1', origin.port, '127.0.0.1', 40000);
      other.openLink('127.0.0.1', origin.port, '127.0.0.1', 40001);
      assert.equal(other.openLinks, 2);
      await other.close();
      assert.equal(other.openLinks, 0);
      assert.equal(isUdpPortBound(binding.port), false);
      await waitFor('fds back after close()', () => (fdCount(process.pid).sockets === baseline - 1 ? true : undefined), WAIT_MS, 10);
    });
  });
}
