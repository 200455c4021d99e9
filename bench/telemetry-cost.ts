// Telemetry cost on the relay path, in process: `npm run bench:telemetry` (run from the repo root).
//
// Two connected Sessions on fake sockets whose send() does nothing, one with SRT_TELEMETRY on and one off, relay the
// same traffic: 1316-byte data packets from the caller (1 in 100 retransmitted) and, per 100 of them, 10 full ACKs
// and 1 NAK from the origin (a full ACK every 10 ms at ~1000 packets/s, i.e. ~12 Mbit/s). Rounds alternate
// (ABAB...). The difference is what telemetry adds per relayed data packet with no kernel and no other process in
// the figure; bench:relay gives the whole relay's cost per packet to compare it with.

import { EventEmitter } from 'node:events';
import type { Socket } from 'node:dgram';
import { parseStreamId } from '../src/srt/protocol/stream-id.js';
import { handshakeSocketIdOf } from '../src/srt/protocol/handshake.js';
import { CoarseClock } from '../src/srt/session/coarse-clock.js';
import { ProxyCounters } from '../src/srt/session/proxy-counters.js';
import { Session } from '../src/srt/session/session.js';
import type { SessionHost } from '../src/srt/session/session-host.js';
import { packet } from '../test/support/vectors.js';

const ROUNDS = 6;
const PACKETS_PER_ROUND = 3_000_000;

class NullSocket extends EventEmitter {
  send(): void {}
  connect(_port: number, _host: string, callback: () => void): void {
    callback();
  }
  close(): void {}
}

function connected(telemetry: boolean): { session: Session; origin: NullSocket } {
  let origin: NullSocket | undefined;
  const host: SessionHost = {
    publicSocket: new NullSocket() as unknown as Socket,
    counters: new ProxyCounters(),
    clock: new CoarseClock(),
    config: { originHandshakeTimeoutMs: 2000, originRetryIntervalMs: 250, telemetry },
    rejections: { originDown: 2503, overload: 2402 },
    createOriginSocket: () => (origin = new NullSocket()) as unknown as Socket,
    tuneSocket: () => undefined,
    onConnected: () => undefined,
    onClosed: () => undefined,
    onOriginFailed: () => undefined,
    onOriginSucceeded: () => undefined,
  };
  const id = parseStreamId('#!::r=live/bench,m=publish');
  if (!id.ok) throw new Error('stream id');
  const conclusion = packet('t12', 2);
  const session = new Session(host, '127.0.0.1', 40000, handshakeSocketIdOf(conclusion), id.value, conclusion);
  session.connect({ id: 'o', host: '127.0.0.1', port: 9, source: 'o' });
  origin!.emit('message', Buffer.from(packet('t12', 4)));
  origin!.emit('message', Buffer.from(packet('t12', 6)));
  if (session.state !== 'connected') throw new Error('the bench session did not connect');
  return { session, origin: origin! };
}

const data = Buffer.concat([Buffer.from('11f180c4e000001b0005ba86180da77f', 'hex'), Buffer.alloc(1316, 0x47)]);
const retransmitted = Buffer.from(data);
retransmitted[4] = 0xe4;
const fullAck = Buffer.from('80020000000000010002ced1379f9b8111f180ab000186a00000c35000001ffe00000002000003e800000624', 'hex');
const nak = Buffer.from('80030000000000000005af0a379f9b8111f180c3', 'hex');

function round(s: { session: Session; origin: NullSocket }, control: boolean): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < PACKETS_PER_ROUND; i++) {
    const k = i % 100;
    s.session.fromCaller(k === 50 ? retransmitted : data);
    if (control && k % 10 === 0) s.origin.emit('message', fullAck);
    if (control && k === 99) s.origin.emit('message', nak);
  }
  return Number(process.hrtime.bigint() - start) / PACKETS_PER_ROUND;
}

const on = connected(true);
const off = connected(false);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const control of [false, true]) {
  round(on, control);
  round(off, control);
  const ns: { on: number[]; off: number[] } = { on: [], off: [] };
  for (let r = 0; r < ROUNDS; r++) {
    ns.on.push(round(on, control));
    ns.off.push(round(off, control));
  }
  console.log(
    `telemetry-cost: ns per relayed data packet, ${control ? 'with 0.1 full ACK and 0.01 NAK from the origin each' : 'data packets only'}, ` +
      `${ROUNDS} rounds of ${PACKETS_PER_ROUND}`,
  );
  console.log(`  on : ${ns.on.map((x) => x.toFixed(1)).join(', ')} ns (median ${median(ns.on).toFixed(1)})`);
  console.log(`  off: ${ns.off.map((x) => x.toFixed(1)).join(', ')} ns (median ${median(ns.off).toFixed(1)})`);
  console.log(`  telemetry adds ${(median(ns.on) - median(ns.off)).toFixed(1)} ns per data packet`);
}
const t = on.session.telemetry!;
console.log(`  (check: on counted ${on.session.retransmittedFromCaller} retransmissions, ${t.byOrigin.fullAcks} full ACKs, ${t.byOrigin.lossReported} lost; off ${off.session.retransmittedFromCaller})`);
