/**
 * What only the native data path has (the shared behaviour is in data-path.test.ts): receive slots that detect
 * truncation, bounded queues under a blast, teardown in worker threads, SO_REUSEPORT sharing, exceptions thrown by
 * the session logic's handlers, and survival of any garbage. Fails (never skips) when the addon is not built.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { createSocket, type Socket } from 'node:dgram';
import { after, describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { emptyLinkCounters, type DataPath, type DataPathEvents, type DataPathListenOptions, type LinkId } from '../../src/srt/transport/data-path.js';
import { checkNativeAddonFile, loadNativeAddon, loadNativeDataPath } from '../../src/srt/transport/native/load-native-data-path.js';
import { NativeDataPath } from '../../src/srt/transport/native/native-data-path.js';
import type { NativeAddon } from '../../src/srt/transport/native/native-addon.js';
import { bindUdp, closeUdp, freeUdpPort } from '../support/net.js';
import { fdCount, isUdpPortBound, udpDropsByPort } from '../support/procfs.js';
import { sleep, waitFor } from '../support/process.js';
import { buildDataPacket, buildShutdown, callerConclusion, callerInduction, tsNullPayload } from '../support/srt-packets.js';
import { buildInductionResponse } from '../../src/srt/protocol/handshake-builders.js';
import { SynCookie } from '../../src/srt/protocol/syn-cookie.js';

const WAIT_MS = 10_000;
const ORIGIN_SID = 0x3333;

class Events implements DataPathEvents {
  handshakes = 0;
  readonly originHandshakes: Buffer[] = [];
  readonly ended: string[] = [];
  lastAddress = '';
  lastVerified: boolean | undefined;
  onHandshake(_msg: Buffer, address: string, _port: number, cookieVerified?: boolean): void {
    this.handshakes++;
    this.lastAddress = address;
    this.lastVerified = cookieVerified;
  }
  onOriginHandshake(_link: LinkId, msg: Buffer): void {
    this.originHandshakes.push(Buffer.from(msg));
  }
  readonly errors: { link: LinkId; code: string }[] = [];
  onLinkError(link: LinkId, code: string): void {
    this.errors.push({ link, code });
  }
  onLinkEnded(_link: LinkId, why: string): void {
    this.ended.push(why);
  }
}

function send(socket: Socket, msg: Buffer, port: number, host = '127.0.0.1'): Promise<void> {
  return new Promise((resolve, reject) => socket.send(msg, port, host, (error) => (error ? reject(error) : resolve())));
}

const OPTIONS: DataPathListenOptions = { host: '127.0.0.1', port: 0, receiveBufferBytes: 0, sendBufferBytes: 0, originBufferBytes: 0, reusePort: false };

describe('native data path', () => {
  const cleanups: (() => Promise<void>)[] = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  async function listen(events: DataPathEvents = new Events(), options = OPTIONS): Promise<{ dp: NativeDataPath; port: number }> {
    const dp = loadNativeDataPath() as NativeDataPath;
    const binding = await dp.listen(options, events);
    cleanups.push(() => dp.close());
    return { dp, port: binding.port };
  }

  async function udp(host = '127.0.0.1'): Promise<Socket> {
    const s = await bindUdp(host);
    cleanups.push(() => closeUdp(s));
    return s;
  }

  /** A caller and an origin (given, or bound here) with a relaying link between them; `toCaller` collects what the
   * caller receives. */
  async function relayingLink(dp: DataPath, given: { caller?: Socket; origin?: Socket } = {}) {
    const caller = given.caller ?? (await udp());
    const origin = given.origin ?? (await udp());
    const toCaller: Buffer[] = [];
    caller.on('message', (m) => toCaller.push(m));
    let linkPort = 0;
    origin.on('message', (_m, from) => (linkPort = from.port));
    const link = dp.openLink('127.0.0.1', origin.address().port, '127.0.0.1', caller.address().port);
    assert.equal(dp.sendToOrigin(link, callerInduction(1)), true);
    await waitFor('the link socket at the origin', () => (linkPort > 0 ? true : undefined), WAIT_MS, 10);
    dp.startRelay(link, ORIGIN_SID, false);
    return { caller, origin, link, linkPort, toCaller };
  }

  it('loads from the package root, or says what to install', () => {
    // The suite fails here, loudly, when npm ci could not build the addon.
    assert.doesNotThrow(() => loadNativeAddon(), 'build the addon: npm ci with python3, make and g++ installed');
    const saved = process.env.SRT_PROXY_NATIVE_ADDON;
    process.env.SRT_PROXY_NATIVE_ADDON = '/nonexistent/srt_datapath.node';
    try {
      assert.throws(() => checkNativeAddonFile(), /nonexistent\/srt_datapath.node is not built; run npm ci with python3, make and g\+\+ installed/);
    } finally {
      if (saved === undefined) delete process.env.SRT_PROXY_NATIVE_ADDON;
      else process.env.SRT_PROXY_NATIVE_ADDON = saved;
    }
  });

  it('answers INDUCTIONs and checks CONCLUSION cookies itself with the handshake engine\'s secret, and hands on the rest', async () => {
    const secret = randomBytes(32);
    const cookie = new SynCookie(secret);
    // The listen host decides how the caller's address is spelled: dual stack gives IPv4 callers as ::ffff:a.b.c.d.
    for (const [listenHost, callerHost, spelled] of [
      ['127.0.0.1', '127.0.0.1', '127.0.0.1'],
      ['::', '127.0.0.1', '::ffff:127.0.0.1'],
      ['::1', '::1', '::1'],
    ] as const) {
      const events = new Events();
      const { dp, port } = await listen(events, { ...OPTIONS, host: listenHost, cookieSecret: secret });
      const caller = await udp(callerHost);
      const answers: Buffer[] = [];
      caller.on('message', (m) => answers.push(m));
      const induction = callerInduction(0x1234, 777);
      await send(caller, induction, port, callerHost === '::1' ? '::1' : '127.0.0.1');
      await waitFor(`${spelled}: the INDUCTION answer`, () => (answers.length > 0 ? true : undefined), WAIT_MS, 10);
      const answer = answers[0]!;
      const issued = answer.readUInt32BE(44);
      assert.equal(cookie.verify(spelled, caller.address().port, issued), true, `${spelled}: the engine verifies the cookie`);
      assert.deepEqual(answer, buildInductionResponse(induction, issued), `${spelled}: the engine's answer`);
      assert.equal(dp.counters.inductions, 1, spelled);
      assert.equal(events.handshakes, 0, `${spelled}: JS never saw the INDUCTION`);
      const target = callerHost === '::1' ? '::1' : '127.0.0.1';
      // A wrong cookie is dropped unanswered and counted, as the engine does, without reaching JS.
      await send(caller, callerConclusion(0x1234, (issued ^ 0x5a5a) >>> 0 || 1, 'live/x'), port, target);
      await waitFor(`${spelled}: the bad cookie counted`, () => (dp.counters.badCookie === 1 ? true : undefined), WAIT_MS, 10);
      await send(caller, callerConclusion(0x1234, issued, 'live/x'), port, target);
      await waitFor(`${spelled}: the CONCLUSION handed to JS`, () => (events.handshakes === 1 ? true : undefined), WAIT_MS, 10);
      assert.equal(events.lastAddress, spelled);
      assert.equal(events.lastVerified, true, `${spelled}: handed over as verified`);
      assert.equal(dp.counters.badCookie, 1, spelled);
      assert.equal(answers.length, 1, `${spelled}: nothing answered either CONCLUSION in C`);
    }
  });

  it('hands INDUCTIONs and CONCLUSIONs to JS unchecked without a cookie secret', async () => {
    const events = new Events();
    const { dp, port } = await listen(events);
    const caller = await udp();
    await send(caller, callerInduction(0x1234), port);
    await waitFor('the INDUCTION handed to JS', () => (events.handshakes === 1 ? true : undefined), WAIT_MS, 10);
    assert.equal(dp.counters.inductions, 0);
    await send(caller, callerConclusion(0x1234, 0xbad, 'live/x'), port);
    await waitFor('the CONCLUSION handed to JS', () => (events.handshakes === 2 ? true : undefined), WAIT_MS, 10);
    assert.equal(events.lastVerified, false, 'not verified without a secret');
    assert.equal(dp.counters.badCookie, 0);
  });

  it('drops and counts a datagram larger than the receive slot, from a caller and from an origin', async () => {
    const events = new Events();
    const { dp, port } = await listen(events);
    const { caller, origin, link, linkPort, toCaller } = await relayingLink(dp);
    const big = Buffer.alloc(4000);
    big.writeUInt32BE(ORIGIN_SID, 12);
    await send(caller, big, port);
    await waitFor('truncated caller datagram counted', () => (dp.counters.truncated === 1 ? true : undefined), WAIT_MS, 10);
    assert.equal(dp.counters.malformed, 1);
    await send(origin, big, linkPort);
    await waitFor('truncated origin datagram counted', () => (dp.counters.truncated === 2 ? true : undefined), WAIT_MS, 10);
    const small = buildDataPacket(1, 1, 0, 0x77, tsNullPayload('after'));
    await send(origin, small, linkPort);
    await waitFor('the next datagram relayed', () => (toCaller.length === 1 ? true : undefined), WAIT_MS, 10);
    assert.equal(toCaller[0]!.length, small.length, 'the truncated one never reached the caller');
    const c = emptyLinkCounters();
    assert.equal(dp.readLink(link, c), true);
    assert.equal(c.drops, 1);
    assert.equal(c.packetsFromCaller, 0);
    assert.equal(c.packetsFromOrigin, 1);
  });

  it('accounts for every datagram of an origin blast (delivered, refused by the kernel or dropped in it), holding none back', async () => {
    const events = new Events();
    const { dp } = await listen(events, { ...OPTIONS, sendBufferBytes: 4096, originBufferBytes: 4 << 20 });
    const { origin, link, linkPort, toCaller, caller } = await relayingLink(dp);
    const total = 20_000;
    const packet = buildDataPacket(1, 1, 0, 0x77, tsNullPayload('blast'));
    for (let sent = 0; sent < total; sent += 200) {
      await Promise.all(Array.from({ length: 200 }, () => send(origin, packet, linkPort)));
    }
    const c = emptyLinkCounters();
    const kernelDrops = (p: number): number => udpDropsByPort().get(p) ?? 0;
    // Every datagram sent reached the link or was dropped by the kernel on its socket; every one the link read
    // reached the caller, or was refused (counted) or dropped by the kernel on the caller's socket.
    await waitFor(
      'the blast accounted for',
      () => {
        dp.readLink(link, c);
        const atLink = c.packetsFromOrigin + kernelDrops(linkPort) === total;
        const atCaller = toCaller.length + kernelDrops(caller.address().port) + c.sendQueueDrops + c.sendErrors === c.packetsFromOrigin;
        return atLink && atCaller ? true : undefined;
      },
      WAIT_MS,
      20,
    );
    assert.ok(toCaller.length > 0);
    // The queue is a fixed array flushed every turn (DP_OUT_SLOTS): nothing is held back to leave later.
    const delivered = toCaller.length;
    await sleep(300);
    assert.equal(toCaller.length, delivered);
  });

  async function boundUdp(options: { reuseAddr?: boolean; recvBufferSize?: number }): Promise<Socket> {
    const s = createSocket({ type: 'udp4', ...options });
    await new Promise<void>((resolve, reject) => (s.once('error', reject), s.bind(0, '127.0.0.1', () => resolve())));
    cleanups.push(() => closeUdp(s));
    return s;
  }

  /**
   * Sends backlogs from a child process while this thread's loop is blocked (spawnSync), so every datagram waits in
   * its socket before the addon reads any. Each flow goes from a port bound here with SO_REUSEADDR (the child binds
   * it too: a link's socket is connected to its origin and takes datagrams from it only); datagram i carries i in
   * its first 4 bytes and `dst` as destination socket id.
   */
  function sendBacklogs(flows: { from: number; to: number; n: number; dst: number }[]): void {
    const child = spawnSync(
      process.execPath,
      [
        '-e',
        `const dgram = require('node:dgram');
         const flows = JSON.parse(process.argv[1]);
         for (const f of flows) {
           const s = dgram.createSocket({ type: 'udp4', reuseAddr: true });
           s.bind(f.from, '127.0.0.1', () => {
             let done = 0;
             for (let i = 0; i < f.n; i++) {
               const m = Buffer.alloc(20);
               m.writeUInt32BE(i, 0);
               m.writeUInt32BE(f.dst, 12);
               s.send(m, f.to, '127.0.0.1', () => { if (++done === f.n) s.close(); });
             }
           });
         }`,
        JSON.stringify(flows),
      ],
      { encoding: 'utf8', timeout: 30_000 },
    );
    assert.equal(child.status, 0, `the backlog sender failed: ${child.stderr}`);
  }

  it('reads an origin backlog larger than the outgoing queue in one turn, flushing the queue as it fills, losing none', async () => {
    const { dp } = await listen(new Events(), { ...OPTIONS, originBufferBytes: 4 << 20 });
    const origin = await boundUdp({ reuseAddr: true });
    const caller = await boundUdp({ recvBufferSize: 4 << 20 });
    const { link, linkPort, toCaller } = await relayingLink(dp, { caller, origin });
    const total = 900; // above the queue's 512 slots, within one wake's 16 batches of 64
    const dropsBefore = udpDropsByPort().get(linkPort) ?? 0;
    sendBacklogs([{ from: origin.address().port, to: linkPort, n: total, dst: 0x77 }]);
    const queued = total - ((udpDropsByPort().get(linkPort) ?? 0) - dropsBefore);
    assert.ok(queued > 600, `the link's socket held only ${queued} of ${total} datagrams: raise net.core.rmem_max to 4194304 (sysctl)`);
    const c = emptyLinkCounters();
    // The first turn that reads anything reads the whole backlog (it was all there before the loop ran again).
    const firstRead = await new Promise<number>((resolve) => {
      const look = (): void => {
        dp.readLink(link, c);
        if (c.packetsFromOrigin > 0) resolve(c.packetsFromOrigin);
        else setImmediate(look);
      };
      setImmediate(look);
    });
    assert.equal(firstRead, queued);
    await waitFor('the backlog at the caller', () => (toCaller.length >= queued ? true : undefined), WAIT_MS, 10);
    assert.equal(toCaller.length, queued);
    assert.equal(new Set(toCaller.map((m) => m.readUInt32BE(0))).size, queued, 'each datagram once');
    dp.readLink(link, c);
    assert.equal(c.sendQueueDrops, 0);
    assert.equal(c.sendErrors, 0);
    assert.equal(c.drops, 0);
  });

  it('relays backlogs both ways at once, larger than the outgoing queue, each datagram once', async () => {
    const { dp, port } = await listen(new Events(), { ...OPTIONS, receiveBufferBytes: 4 << 20, originBufferBytes: 4 << 20 });
    const origin = await boundUdp({ reuseAddr: true, recvBufferSize: 4 << 20 });
    const caller = await boundUdp({ reuseAddr: true, recvBufferSize: 4 << 20 });
    const toOrigin: Buffer[] = [];
    const { link, linkPort, toCaller } = await relayingLink(dp, { caller, origin });
    origin.on('message', (m) => toOrigin.push(m));
    // A first downstream burst: the link relays both ways before the backlogs arrive.
    sendBacklogs([{ from: origin.address().port, to: linkPort, n: 32, dst: 0x77 }]);
    await waitFor('the first burst at the caller', () => (toCaller.length === 32 ? true : undefined), WAIT_MS, 10);
    toCaller.length = 0;
    const drops = (): number => (udpDropsByPort().get(linkPort) ?? 0) + (udpDropsByPort().get(port) ?? 0);
    const dropsBefore = drops();
    const up = 1500; // several public batches
    const down = 700;
    sendBacklogs([
      { from: caller.address().port, to: port, n: up, dst: ORIGIN_SID },
      { from: origin.address().port, to: linkPort, n: down, dst: 0x77 },
    ]);
    assert.equal(drops() - dropsBefore, 0, 'the kernel kept both backlogs: raise net.core.rmem_max to 4194304 (sysctl)');
    await waitFor('both backlogs relayed', () => (toOrigin.length >= up && toCaller.length >= down ? true : undefined), WAIT_MS, 10);
    await sleep(100);
    assert.equal(toOrigin.length, up);
    assert.equal(toCaller.length, down);
    assert.equal(new Set(toOrigin.map((m) => m.readUInt32BE(0))).size, up, 'each upstream datagram once');
    assert.equal(new Set(toCaller.map((m) => m.readUInt32BE(0))).size, down, 'each downstream datagram once');
    const c = emptyLinkCounters();
    dp.readLink(link, c);
    assert.equal(c.packetsFromCaller, up);
    assert.equal(c.packetsFromOrigin, 32 + down);
    assert.equal(c.sendQueueDrops + c.sendErrors + c.drops, 0);
  });

  /** A data path whose addon records the count of every onLinkEvents call (one per pass unless it overflows). */
  async function listenCountingLinkEvents(events: DataPathEvents): Promise<{ dp: NativeDataPath; port: number; calls: number[] }> {
    const addon = loadNativeAddon();
    const calls: number[] = [];
    const counting = Object.create(addon, {
      listen: {
        value: (...args: Parameters<NativeAddon['listen']>) => {
          const given = args[6];
          args[6] = { ...given, onLinkEvents: (count: number) => (calls.push(count), given.onLinkEvents(count)) };
          return addon.listen(...args);
        },
      },
    }) as NativeAddon;
    const dp = new NativeDataPath(counting);
    const binding = await dp.listen(OPTIONS, events);
    cleanups.push(() => dp.close());
    return { dp, port: binding.port, calls };
  }

  /**
   * Sends `datagrams` (hex), in order and each after the last left, from a child process while this thread's loop is
   * blocked (spawnSync): they all wait in the public socket and the addon reads them in one turn. Each goes from a
   * port bound here with SO_REUSEADDR (a link is pinned to its caller's address and port).
   */
  function sendInOneTurn(datagrams: { from: number; to: number; msg: Buffer }[]): void {
    const child = spawnSync(
      process.execPath,
      [
        '-e',
        `const dgram = require('node:dgram');
         const list = JSON.parse(process.argv[1]);
         const sockets = new Map();
         const bind = (port) => new Promise((resolve, reject) => {
           if (sockets.has(port)) return resolve(sockets.get(port));
           const s = dgram.createSocket({ type: 'udp4', reuseAddr: true });
           s.once('error', reject);
           s.bind(port, '127.0.0.1', () => (sockets.set(port, s), resolve(s)));
         });
         (async () => {
           for (const d of list) {
             const s = await bind(d.from);
             await new Promise((resolve, reject) => s.send(Buffer.from(d.hex, 'hex'), d.to, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
           }
           for (const s of sockets.values()) s.close();
         })().catch((e) => { console.error(e); process.exit(1); });`,
        JSON.stringify(datagrams.map((d) => ({ from: d.from, to: d.to, hex: d.msg.toString('hex') }))),
      ],
      { encoding: 'utf8', timeout: 30_000 },
    );
    assert.equal(child.status, 0, `the sender failed: ${child.stderr}`);
  }

  /** `n` relaying links, each with its own caller (bound with SO_REUSEADDR, for sendInOneTurn) and origin. */
  async function relayingLinks(dp: DataPath, n: number) {
    const links = [];
    for (let i = 0; i < n; i++) links.push(await relayingLink(dp, { caller: await boundUdp({ reuseAddr: true }) }));
    return links;
  }

  it("tells a turn's link ends to JS in one call, in the order they happened", async () => {
    const events = new Events();
    const ended: { link: LinkId; why: string }[] = [];
    events.onLinkEnded = (link, why) => void ended.push({ link, why });
    const { dp, port, calls } = await listenCountingLinkEvents(events);
    const links = await relayingLinks(dp, 5);
    const order = [3, 1, 4, 0, 2];
    sendInOneTurn(order.map((k) => ({ from: links[k]!.caller.address().port, to: port, msg: buildShutdown(ORIGIN_SID, k) })));
    await waitFor('five link ends', () => (ended.length === 5 ? true : undefined), WAIT_MS, 10);
    await sleep(50);
    assert.deepEqual(ended, order.map((k) => ({ link: links[k]!.link, why: 'caller-shutdown' })));
    assert.deepEqual(calls, [5], 'one JS call for the five');
  });

  it('leaves out the events of links closed before the call (by the same turn\'s handshakes) and during it (by an earlier event)', async () => {
    const events = new Events();
    const ended: LinkId[] = [];
    const { dp, port, calls } = await listenCountingLinkEvents(events);
    const [a, b, c, d] = await relayingLinks(dp, 4);
    // The handshake call comes first in the turn: it closes c, whose SHUTDOWN the same batch read.
    events.onHandshake = () => dp.closeLink(c!.link);
    // a's end closes b, whose end is next in the same call.
    events.onLinkEnded = (link) => {
      ended.push(link);
      if (link === a!.link) dp.closeLink(b!.link);
    };
    const caller = await boundUdp({ reuseAddr: true });
    sendInOneTurn([
      { from: a!.caller.address().port, to: port, msg: buildShutdown(ORIGIN_SID, 1) },
      { from: c!.caller.address().port, to: port, msg: buildShutdown(ORIGIN_SID, 2) },
      { from: b!.caller.address().port, to: port, msg: buildShutdown(ORIGIN_SID, 3) },
      { from: d!.caller.address().port, to: port, msg: buildShutdown(ORIGIN_SID, 4) },
      { from: caller.address().port, to: port, msg: callerInduction(0x99) },
    ]);
    await waitFor("d's end", () => (ended.includes(d!.link) ? true : undefined), WAIT_MS, 10);
    await sleep(50);
    assert.deepEqual(ended, [a!.link, d!.link], 'c closed before the call, b during it');
    assert.deepEqual(calls, [3], "c's event left out by the addon, b's handed over and skipped");
    assert.equal(dp.counters.callbackErrors, 0);
  });

  it('tells an error that an openLink inside the event pass raises in that same pass, after the events before it', async () => {
    const events = new Events();
    const told: string[] = [];
    let failing: LinkId = 0;
    let immediateRan = false;
    const { dp, port, calls } = await listenCountingLinkEvents(events);
    const [a, b] = await relayingLinks(dp, 2);
    events.onLinkEnded = (link) => {
      told.push(`ended ${link}`);
      if (link !== a!.link) return;
      // Fails at once (not an address): the error is pushed while this pass runs.
      failing = dp.openLink('127.0.0.1', 9, 'not-an-address', 1);
      setImmediate(() => (immediateRan = true));
    };
    events.onLinkError = (link, code) => void told.push(`error ${link} ${code} ${immediateRan ? 'next turn' : 'same pass'}`);
    sendInOneTurn([
      { from: a!.caller.address().port, to: port, msg: buildShutdown(ORIGIN_SID, 1) },
      { from: b!.caller.address().port, to: port, msg: buildShutdown(ORIGIN_SID, 2) },
    ]);
    await waitFor('the error', () => (told.length === 3 ? true : undefined), WAIT_MS, 10);
    await sleep(50);
    assert.deepEqual(told, [`ended ${a!.link}`, `ended ${b!.link}`, `error ${failing} EINVAL same pass`]);
    assert.deepEqual(calls, [2, 1], 'the pass made a second call for the event its handler caused');
  });

  it("sends a turn's origin handshakes in one burst at the turn's end: a link closed in the turn sends nothing", async () => {
    const { dp } = await listen();
    const origin = await udp();
    // Room for the whole burst (about 300 small datagrams land at once; the default buffer holds fewer).
    origin.setRecvBufferSize(4 << 20);
    const got: { id: number; port: number }[] = [];
    origin.on('message', (m, from) => got.push({ id: m.readUInt32BE(40), port: from.port }));
    const port = origin.address().port;
    // More than the burst queue's 256 slots in one turn: a full queue leaves early, nothing is lost or grown.
    const n = 300;
    // Closed in the same turn, after their datagram was accepted: a send() at the call (the old behaviour) would
    // have delivered it; queued, it goes with the session. 7 and 99 close before the early flush, the rest after it.
    const closed = new Set([7, 99, 280, n]);
    const links: LinkId[] = [];
    for (let i = 1; i <= n; i++) {
      const link = dp.openLink('127.0.0.1', port, '127.0.0.1', 40000 + i);
      assert.equal(dp.sendToOrigin(link, callerInduction(i)), true, `queued for link ${i}`);
      links.push(link);
      if (i < 256 && closed.has(i)) dp.closeLink(link);
    }
    for (const i of closed) if (i > 256) dp.closeLink(links[i - 1]!);
    // A marker queued after them all, on a link that stays: once it arrives, everything before it has.
    const last = dp.openLink('127.0.0.1', port, '127.0.0.1', 39999);
    assert.equal(dp.sendToOrigin(last, callerInduction(0xfeed)), true);
    await waitFor('the marker at the origin', () => (got.some((g) => g.id === 0xfeed) ? true : undefined), WAIT_MS, 10);
    const ids = got.map((g) => g.id);
    const expected = [...Array(n).keys()].map((i) => i + 1).filter((i) => !closed.has(i));
    assert.deepEqual(ids, [...expected, 0xfeed], 'every open link once, in the order sent; none of the closed links');
    assert.equal(new Set(got.map((g) => g.port)).size, expected.length + 1, "each from its own link's socket");
    assert.equal(dp.counters.sendErrors, 0);
  });

  it('tells JS of an ICMP error that a send of the burst collected (the socket reports it no more)', async () => {
    const events = new Events();
    const errors = events.errors;
    const { dp } = await listen(events);
    const nobody = await freeUdpPort();
    const link = dp.openLink('127.0.0.1', nobody, '127.0.0.1', 40000);
    // Two in one burst: the first draws a port unreachable, which loopback delivers while that send runs; the second
    // send then returns ECONNREFUSED and so clears the error from the socket, which epoll never reports.
    assert.equal(dp.sendToOrigin(link, callerInduction(1)), true);
    assert.equal(dp.sendToOrigin(link, callerInduction(2)), true);
    await waitFor('the link error', () => (errors.length > 0 ? true : undefined), WAIT_MS, 10);
    await sleep(50);
    assert.deepEqual(errors, [{ link, code: 'ECONNREFUSED' }], 'told once');
    assert.equal(dp.counters.originErrors, 1);
  });

  it("sends a relaying link's datagram at once, behind the turn's queued handshakes, so closeLink right after loses nothing", async () => {
    const { dp } = await listen();
    const origin = await udp();
    const ids: number[] = [];
    origin.on('message', (m) => ids.push(m.length >= 44 ? m.readUInt32BE(40) : -1));
    const relaying = await relayingLink(dp, { origin });
    await waitFor('the relaying link up', () => (ids.length === 1 ? true : undefined), WAIT_MS, 10);
    const opening = dp.openLink('127.0.0.1', origin.address().port, '127.0.0.1', 40001);
    assert.equal(dp.sendToOrigin(opening, callerInduction(0x51)), true);
    // What a closing session does: its SHUTDOWN (here a marked handshake), then closeLink in the same turn.
    assert.equal(dp.sendToOrigin(relaying.link, callerInduction(0x52)), true);
    dp.closeLink(relaying.link);
    await waitFor('both at the origin', () => (ids.length === 3 ? true : undefined), WAIT_MS, 10);
    assert.deepEqual(ids.slice(1), [0x51, 0x52]);
  });

  it('counts relay sends the kernel rejects on the link, and keeps flushing the others', async () => {
    const { dp } = await listen();
    const good = await relayingLink(dp);
    // A caller address the kernel refuses to send to (broadcast without SO_BROADCAST: EACCES).
    const origin = await udp();
    let linkPort = 0;
    origin.on('message', (_m, from) => (linkPort = from.port));
    const bad = dp.openLink('127.0.0.1', origin.address().port, '255.255.255.255', 9);
    dp.sendToOrigin(bad, callerInduction(2));
    await waitFor('the second link socket at its origin', () => (linkPort > 0 ? true : undefined), WAIT_MS, 10);
    dp.startRelay(bad, ORIGIN_SID + 1, false);
    const packet = buildDataPacket(1, 1, 0, 0x77, tsNullPayload('x'));
    for (let i = 0; i < 5; i++) {
      await Promise.all([send(origin, packet, linkPort), send(good.origin, packet, good.linkPort)]);
    }
    const c = emptyLinkCounters();
    await waitFor('five failed sends counted', () => (dp.readLink(bad, c) && c.sendErrors === 5 ? true : undefined), WAIT_MS, 10);
    await waitFor('the good link delivered', () => (good.toCaller.length === 5 ? true : undefined), WAIT_MS, 10);
    assert.equal(c.packetsFromOrigin, 5);
  });

  it("keeps a closed link's origin socket for the next link of its family: its port freed at once, the next link on a new one", async () => {
    const { dp } = await listen();
    const [caller1, caller2, origin4, origin6] = [await udp(), await udp(), await udp(), await udp('::1')];
    const sockets = (): number => fdCount(process.pid).sockets;
    const baseline = sockets();
    const first = await relayingLink(dp, { caller: caller1, origin: origin4 });
    assert.equal(sockets(), baseline + 1);
    dp.closeLink(first.link);
    assert.equal(sockets(), baseline + 1, 'kept, not closed');
    assert.equal(isUdpPortBound(first.linkPort), false, 'its port released at closeLink');
    // Held here, the old port cannot fall to the next link by chance: what the old origin sends there reaches no link.
    const holder = await bindUdp('127.0.0.1', first.linkPort);
    cleanups.push(() => closeUdp(holder));
    const second = await relayingLink(dp, { caller: caller2, origin: origin4 });
    assert.equal(sockets(), baseline + 2, 'the holder; the second link took the kept socket');
    assert.notEqual(second.linkPort, first.linkPort);
    await send(origin4, buildDataPacket(1, 1, 0, 0x77, tsNullPayload('second')), second.linkPort);
    await waitFor('the second link relaying', () => (second.toCaller.length === 1 ? true : undefined), WAIT_MS, 10);
    assert.equal(first.toCaller.length, 0);

    // Per family: a kept IPv4 socket is not an IPv6 link's, and the reverse.
    dp.closeLink(second.link);
    const toOrigin6: number[] = [];
    origin6.on('message', (_m, from) => toOrigin6.push(from.port));
    const v6 = dp.openLink('::1', origin6.address().port, '127.0.0.1', 40000);
    assert.equal(sockets(), baseline + 3, 'a new IPv6 socket beside the kept IPv4 one');
    assert.equal(dp.sendToOrigin(v6, callerInduction(6)), true);
    await waitFor('the IPv6 link at its origin', () => (toOrigin6.length === 1 ? true : undefined), WAIT_MS, 10);
    dp.closeLink(v6);
    assert.equal(isUdpPortBound(toOrigin6[0]!), false);
    const again6 = dp.openLink('::1', origin6.address().port, '127.0.0.1', 40001);
    const again4 = dp.openLink('127.0.0.1', origin4.address().port, '127.0.0.1', 40002);
    assert.equal(sockets(), baseline + 3, 'each took its family\'s kept socket');
    assert.equal(dp.sendToOrigin(again6, callerInduction(7)), true);
    await waitFor('the IPv6 socket working again', () => (toOrigin6.length === 2 ? true : undefined), WAIT_MS, 10);
    assert.equal(dp.openLinks, 2);
    dp.closeLink(again6);
    dp.closeLink(again4);
    assert.equal(sockets(), baseline + 3);
    await dp.close();
    assert.equal(sockets(), baseline, 'close() closes the kept sockets and the public one; the holder is left');
  });

  it("closes, rather than keeps, a socket holding the old session's datagrams: the next link reads none of them", async () => {
    const events = new Events();
    const { dp } = await listen(events);
    const origin = await boundUdp({ reuseAddr: true });
    const first = await relayingLink(dp, { origin });
    const sockets = (): number => fdCount(process.pid).sockets;
    const before = sockets();
    sendBacklogs([{ from: origin.address().port, to: first.linkPort, n: 20, dst: 0x77 }]);
    // Still unread (the loop has not run since): closed with the socket, not handed to the next link.
    dp.closeLink(first.link);
    assert.equal(sockets(), before - 1);
    const next = dp.openLink('127.0.0.1', origin.address().port, '127.0.0.1', 40000);
    assert.equal(sockets(), before);
    let nextPort = 0;
    origin.on('message', (_m, from) => (nextPort = from.port));
    assert.equal(dp.sendToOrigin(next, callerInduction(9)), true);
    await waitFor('the next link at the origin', () => (nextPort !== 0 ? true : undefined), WAIT_MS, 10);
    await send(origin, callerInduction(0xabc), nextPort);
    await waitFor("the origin's answer on the next link", () => (events.originHandshakes.length > 0 ? true : undefined), WAIT_MS, 10);
    await sleep(50);
    assert.deepEqual(events.originHandshakes.map((m) => (m.length >= 44 ? m.readUInt32BE(40) : -1)), [0xabc], 'only its own origin datagram');
  });

  it('keeps the socket of a link its origin refused (ICMP), for the wave of callers that reconnect', async () => {
    const events = new Events();
    const { dp, port } = await listen(events);
    const gone = await bindUdp('127.0.0.1'); // closed below, by the test
    const first = await relayingLink(dp, { origin: gone });
    await closeUdp(gone);
    // Relayed to a closed port: port unreachable, the link ends; later ones leave errors pending on the socket.
    for (let i = 0; i < 5; i++) await send(first.caller, buildDataPacket(i, i, 0, ORIGIN_SID, tsNullPayload('x')), port);
    await waitFor('the link ended', () => (events.ended.includes('origin-unreachable') ? true : undefined), WAIT_MS, 10);
    const sockets = (): number => fdCount(process.pid).sockets;
    const before = sockets();
    // What the closing session does: a SHUTDOWN to the origin, whose port unreachable (loopback answers it within
    // the send) leaves an error pending on the socket at closeLink.
    assert.equal(dp.sendToOrigin(first.link, buildShutdown(ORIGIN_SID, 0)), true);
    dp.closeLink(first.link);
    assert.equal(sockets(), before, 'kept: the pending error was the old origin\'s, cleared');
    const origin = await udp();
    const next = await relayingLink(dp, { origin });
    assert.equal(sockets(), before + 2, 'the new origin and caller; the link took the kept socket');
    await send(origin, buildDataPacket(1, 1, 0, 0x77, tsNullPayload('back')), next.linkPort);
    await waitFor('the next link relaying', () => (next.toCaller.length === 1 ? true : undefined), WAIT_MS, 10);
    assert.deepEqual(events.errors, [], 'no error of the old origin reaches the next link');
  });

  it('tears down in a terminated worker thread: no crash, every socket closed (kept ones too)', async () => {
    const origin = await udp();
    const before = fdCount(process.pid).sockets;
    const workers = [0, 1].map(
      () =>
        new Worker(new URL('../support/native-data-path-worker.js', import.meta.url), {
          workerData: { originPort: origin.address().port, links: 20, spares: 5 },
        }),
    );
    // A failed assertion below must not leave the threads running (the file would hang until its timeout).
    cleanups.push(async () => void (await Promise.all(workers.map((w) => w.terminate()))));
    const ready = await Promise.all(
      workers.map((w) => new Promise<{ port: number; openLinks: number }>((resolve, reject) => (w.once('message', resolve), w.once('error', reject)))),
    );
    for (const r of ready) {
      assert.equal(r.openLinks, 20);
      assert.equal(isUdpPortBound(r.port), true);
    }
    assert.equal(fdCount(process.pid).sockets, before + 2 * 26, 'each worker: a public socket, 20 origin sockets and 5 kept');
    await Promise.all(workers.map((w) => w.terminate()));
    await waitFor('the workers sockets closed', () => (fdCount(process.pid).sockets === before ? true : undefined), WAIT_MS, 20);
    for (const r of ready) assert.equal(isUdpPortBound(r.port), false);
    // This thread's addon still works after the workers' went.
    const { dp } = await listen();
    assert.equal(dp.openLinks, 0);
  });

  it('shares one port between two data paths with reusePort, each caller sticking to one', async () => {
    const port = await freeUdpPort();
    const a = new Events();
    const b = new Events();
    await listen(a, { ...OPTIONS, port, reusePort: true });
    await listen(b, { ...OPTIONS, port, reusePort: true });
    await assert.rejects(() => loadNativeDataPath().listen({ ...OPTIONS, port }, new Events()), { code: 'EADDRINUSE' });
    const callers = await Promise.all(Array.from({ length: 16 }, () => udp()));
    for (let round = 0; round < 3; round++) {
      for (const c of callers) await send(c, callerInduction(round + 1), port);
    }
    await waitFor('every handshake delivered', () => (a.handshakes + b.handshakes === 48 ? true : undefined), WAIT_MS, 10);
    assert.equal(a.handshakes % 3, 0, 'a caller lands on the same data path every time');
    assert.equal(b.handshakes % 3, 0);
  });

  it('adopts a listen socket another thread opened, one data path at a time, and leaves it open and queueing at close', async () => {
    const addon = loadNativeAddon();
    const opened = addon.openListenSocket('127.0.0.1', 0, 1 << 20, 0);
    let closed = false;
    cleanups.push(async () => {
      if (!closed) addon.closeListenSocket(opened.fd);
    });
    assert.equal(opened.address, '127.0.0.1');
    assert.equal(isUdpPortBound(opened.port), true);
    // SO_REUSEPORT: a second socket joins the same port (the worker pool opens one per worker).
    const second = addon.openListenSocket('127.0.0.1', opened.port, 0, 0);
    addon.closeListenSocket(second.fd);
    // Never closes or adopts an fd it did not open: this one stays open (closeSync below would throw otherwise).
    const foreignFd = openSync('/dev/null', 'r');
    try {
      assert.throws(() => addon.closeListenSocket(foreignFd), { code: 'EBADF' });
      await assert.rejects(() => loadNativeDataPath().listen({ ...OPTIONS, socketFd: foreignFd }, new Events()), { code: 'EBADF' });
    } finally {
      closeSync(foreignFd);
    }
    assert.throws(() => addon.closeListenSocket(second.fd), { code: 'EBADF' }, 'closed once, never twice');

    const caller = await udp();
    const first = new Events();
    // host and port are the adopted socket's, whatever the options say.
    const { dp } = await listen(first, { ...OPTIONS, port: 1, socketFd: opened.fd });
    assert.equal(dp.counters.malformed, 0);
    await assert.rejects(() => loadNativeDataPath().listen({ ...OPTIONS, socketFd: opened.fd }, new Events()), { code: 'EBUSY' }, 'one reader at a time');
    assert.throws(() => addon.closeListenSocket(opened.fd), { code: 'EBUSY' }, 'not closed under a data path');
    await send(caller, callerInduction(1), opened.port);
    await waitFor('the adopting data path reads the socket', () => (first.handshakes === 1 ? true : undefined), WAIT_MS, 10);

    await dp.close();
    assert.equal(isUdpPortBound(opened.port), true, 'the adopted socket stays open after the data path closed');
    // Nobody reads it now: datagrams wait in its receive buffer for the next data path.
    await send(caller, callerInduction(2), opened.port);
    await send(caller, callerInduction(3), opened.port);
    const next = new Events();
    await listen(next, { ...OPTIONS, socketFd: opened.fd });
    await waitFor('the next data path reads what queued meanwhile', () => (next.handshakes === 2 ? true : undefined), WAIT_MS, 10);
    assert.equal(first.handshakes, 1);
  });

  it('a shared listen socket outlives a terminated worker thread that adopted it, and the next adopter reads it', async () => {
    const addon = loadNativeAddon();
    const origin = await udp();
    const opened = addon.openListenSocket('127.0.0.1', 0, 0, 0);
    cleanups.push(async () => addon.closeListenSocket(opened.fd));
    const before = fdCount(process.pid).sockets;
    const worker = new Worker(new URL('../support/native-data-path-worker.js', import.meta.url), {
      workerData: { originPort: origin.address().port, links: 3, socketFd: opened.fd },
    });
    cleanups.push(async () => void (await worker.terminate()));
    const ready = await new Promise<{ port: number; openLinks: number }>((resolve, reject) => (worker.once('message', resolve), worker.once('error', reject)));
    assert.equal(ready.port, opened.port, 'the worker listens on the adopted socket');
    assert.equal(fdCount(process.pid).sockets, before + 3, 'the worker opened its 3 origin sockets and no public one');
    await worker.terminate();
    await waitFor('the worker\'s origin sockets closed', () => (fdCount(process.pid).sockets === before ? true : undefined), WAIT_MS, 20);
    assert.equal(isUdpPortBound(opened.port), true, 'the shared socket survived the worker');
    const caller = await udp();
    await send(caller, callerInduction(1), opened.port);
    const events = new Events();
    await listen(events, { ...OPTIONS, socketFd: opened.fd });
    await waitFor('this thread adopts it after the worker', () => (events.handshakes === 1 ? true : undefined), WAIT_MS, 10);
  });

  it('survives handlers that throw, counting them, and runs the promises they schedule', async () => {
    let resolved = 0;
    const events = new Events();
    events.onHandshake = () => {
      void Promise.resolve().then(() => resolved++);
      throw new Error('handler bug');
    };
    const { dp, port } = await listen(events);
    const caller = await udp();
    for (let i = 0; i < 3; i++) await send(caller, callerInduction(i + 1), port);
    await waitFor('three handler failures counted', () => (dp.counters.callbackErrors === 3 ? true : undefined), WAIT_MS, 10);
    assert.equal(resolved, 3);
  });

  it('lives through a blast of random datagrams and counts every one', async () => {
    const events = new Events();
    const { dp, port } = await listen(events, { ...OPTIONS, receiveBufferBytes: 4 << 20 });
    const { caller, link } = await relayingLink(dp);
    const blaster = await udp();
    const total = 6000;
    const sent = { malformed: 0, handshake: 0, toLink: 0, foreign: 0, unknown: 0 };
    for (let n = 0; n < total; n += 100) {
      const batch: Promise<void>[] = [];
      for (let i = 0; i < 100; i++) {
        const msg = randomBytes(randomInt(0, 2001));
        const kind = randomInt(0, 4);
        let from = blaster;
        if (msg.length < 16) {
          sent.malformed++;
        } else if (kind === 0) {
          msg.writeUInt32BE(0, 12);
          sent.handshake++;
        } else if (kind === 1) {
          // The link's id, half from its caller and half from a foreign port (pinned away).
          msg.writeUInt32BE(ORIGIN_SID, 12);
          // Never a SHUTDOWN (control type 5, 1 in 65,536 random headers): it would end the link mid-blast.
          if (msg.readUInt16BE(0) === 0x8005) msg.writeUInt16BE(0x8006, 0);
          if (i % 2 === 0) {
            from = caller;
            sent.toLink++;
          } else {
            sent.foreign++;
          }
        } else {
          if (msg.readUInt32BE(12) === 0 || msg.readUInt32BE(12) === ORIGIN_SID) msg.writeUInt32BE(0x7777, 12);
          sent.unknown++;
        }
        batch.push(send(from, msg, port));
      }
      await Promise.all(batch);
      await sleep(1);
    }
    const c = emptyLinkCounters();
    const k = dp.counters;
    await waitFor(
      'every datagram counted',
      () => {
        dp.readLink(link, c);
        const seen = k.malformed + k.unknownSession + k.foreignAddress + events.handshakes + k.handshakesShed + c.packetsFromCaller;
        return seen + (udpDropsByPort().get(port) ?? 0) === total ? true : undefined;
      },
      WAIT_MS,
      20,
    );
    // The kernel may drop some on a loaded machine (counted above); what arrived is classified exactly.
    assert.ok(k.malformed <= sent.malformed && k.malformed > 0);
    assert.ok(events.handshakes + k.handshakesShed <= sent.handshake && events.handshakes > 0);
    assert.ok(c.packetsFromCaller <= sent.toLink && c.packetsFromCaller > 0);
    assert.ok(k.foreignAddress <= sent.foreign && k.foreignAddress > 0);
    assert.ok(k.unknownSession <= sent.unknown && k.unknownSession > 0);
    assert.equal(c.drops, k.foreignAddress, 'foreign datagrams are charged to the only link with that id');
  });
});
