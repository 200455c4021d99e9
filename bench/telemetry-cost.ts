// Telemetry cost on the relay path, in process: `npm run bench:telemetry` (run from the repo root).
//
// Two relaying links of the TypeScript data path (JsLink) on fake sockets whose send() does nothing, one with
// telemetry on and one off, relay the same traffic: 1316-byte data packets from the caller (1 in 100 retransmitted)
// and, per 100 of them, 10 full ACKs and 1 NAK from the origin (a full ACK every 10 ms at ~1000 packets/s, i.e.
// ~12 Mbit/s). Rounds alternate (ABAB...). The difference is what telemetry adds per relayed data packet with no
// kernel and no other process in the figure; bench:relay gives the whole relay's cost per packet to compare it with.

import type { Socket } from 'node:dgram';
import { emptyLinkCounters, type DataPathCounters, type DataPathEvents } from '../src/srt/transport/data-path.js';
import { JsLink, LinkState, type JsLinkHost } from '../src/srt/transport/js-link.js';

const ROUNDS = 6;
const PACKETS_PER_ROUND = 3_000_000;

/** A dgram socket that takes every datagram and sends nothing. */
const nullSocket = {
  send(): void {},
  getSendQueueCount(): number {
    return 0;
  },
} as unknown as Socket;

function relaying(telemetry: boolean): JsLink {
  const counters: DataPathCounters = { malformed: 0, unknownSession: 0, foreignAddress: 0, sendErrors: 0, socketErrors: 0, originErrors: 0, handshakesShed: 0 };
  const events: DataPathEvents = {
    onHandshake: () => undefined,
    onOriginHandshake: () => undefined,
    onLinkError: () => undefined,
    onLinkEnded: () => undefined,
  };
  const host: JsLinkHost = { publicSocket: nullSocket, counters, events, now: Date.now() };
  const link = new JsLink(1, nullSocket, '127.0.0.1', 40000, host);
  link.state = LinkState.Handshake;
  link.startRelay(0x379f9b81, telemetry, Date.now());
  return link;
}

const data = Buffer.concat([Buffer.from('11f180c4e000001b0005ba86180da77f', 'hex'), Buffer.alloc(1316, 0x47)]);
const retransmitted = Buffer.from(data);
retransmitted[4] = 0xe4;
const fullAck = Buffer.from('80020000000000010002ced1379f9b8111f180ab000186a00000c35000001ffe00000002000003e800000624', 'hex');
const nak = Buffer.from('80030000000000000005af0a379f9b8111f180c3', 'hex');

function round(link: JsLink, control: boolean): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < PACKETS_PER_ROUND; i++) {
    const k = i % 100;
    link.fromCaller(k === 50 ? retransmitted : data);
    if (control && k % 10 === 0) link.fromOrigin(fullAck);
    if (control && k === 99) link.fromOrigin(nak);
  }
  return Number(process.hrtime.bigint() - start) / PACKETS_PER_ROUND;
}

const on = relaying(true);
const off = relaying(false);
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
const t = emptyLinkCounters();
const o = emptyLinkCounters();
on.read(t, Date.now());
off.read(o, Date.now());
console.log(`  (check: on counted ${t.retransmittedFromCaller} retransmissions, ${t.byOrigin.fullAcks} full ACKs, ${t.byOrigin.lossReported} lost; off ${o.retransmittedFromCaller})`);
