/**
 * Writes the fuzzer's seed corpus (one datagram per file) into the directory given as the first argument: every
 * captured libsrt handshake and shutdown in test/fixtures/srt-handshakes.json, and data, control, ACK and NAK
 * packets built with test/support/srt-packets.ts's layouts, at the lengths where srt_packet.h's readers change
 * their answer (15/16 bytes, the ACK forms' CIF lengths, a NAK range cut after its start). Run by scripts/fuzz.sh.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildDataPacket, buildKeepalive, buildShutdown, callerConclusion, callerInduction, ControlType, HEADER_SIZE, tsNullPayload } from '../test/support/srt-packets.js';

interface Capture {
  readonly capture: string;
  readonly packets: readonly { readonly hex: string }[];
}

function control(type: number, destination: number, cifWords: readonly number[]): Buffer {
  const packet = Buffer.alloc(HEADER_SIZE + 4 * cifWords.length);
  packet.writeUInt32BE((0x80000000 | (type << 16)) >>> 0, 0);
  packet.writeUInt32BE(7, 4);
  packet.writeUInt32BE(1000, 8);
  packet.writeUInt32BE(destination >>> 0, 12);
  cifWords.forEach((word, i) => packet.writeUInt32BE(word >>> 0, HEADER_SIZE + 4 * i));
  return packet;
}

function seeds(fixtures: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const captures = (JSON.parse(readFileSync(fixtures, 'utf8')) as { captures: Capture[] }).captures;
  for (const capture of captures) {
    capture.packets.forEach((packet, i) => out.set(`capture-${capture.capture}-${i}`, Buffer.from(packet.hex, 'hex')));
  }
  const dst = 0x1a2b3c4d;
  out.set('induction', callerInduction(0x11223344));
  out.set('conclusion', callerConclusion(0x11223344, 0xdeadbeef, '#!::r=live/fuzz,m=publish'));
  const data = buildDataPacket(12345, 1, 5000, dst, tsNullPayload('fuzz'));
  out.set('data-1332', data);
  const retransmitted = Buffer.from(data);
  retransmitted[4] = retransmitted[4]! | 0x04;
  out.set('data-retransmitted', retransmitted);
  out.set('data-header-only', buildDataPacket(1, 1, 0, dst, Buffer.alloc(0)));
  out.set('data-dst-0', buildDataPacket(1, 1, 0, 0, Buffer.alloc(4)));
  out.set('short-15', data.subarray(0, 15));
  out.set('empty', Buffer.alloc(0));
  out.set('shutdown', buildShutdown(dst, 1));
  out.set('keepalive', buildKeepalive(dst, 1));
  out.set('ack-light', control(ControlType.ACK, dst, [0x00001234]));
  out.set('ack-small', control(ControlType.ACK, dst, [0x00001234, 20000, 5000, 8192]));
  out.set('ack-full-udt4', control(ControlType.ACK, dst, [0x80001234, 20000, 5000, 8192, 4000, 100000]));
  out.set('ack-full', control(ControlType.ACK, dst, [0x00001234, 20000, 5000, 8192, 4000, 100000, 5_000_000]));
  out.set('nak-single', control(ControlType.NAK, dst, [100]));
  out.set('nak-range', control(ControlType.NAK, dst, [0x80000000 | 100, 199, 300]));
  out.set('nak-range-wraps', control(ControlType.NAK, dst, [0xfffffff0, 5]));
  out.set('nak-range-too-wide', control(ControlType.NAK, dst, [0x80000000, 0x7fffffff]));
  out.set('nak-range-cut', control(ControlType.NAK, dst, [7, 0x80000000 | 100]));
  out.set('nak-odd-length', Buffer.concat([control(ControlType.NAK, dst, [100]), Buffer.from([0x80, 0, 0])]));
  return out;
}

const dir = process.argv[2];
if (dir === undefined) {
  console.error('usage: node dist/fuzz/seeds.js DIR');
  process.exit(2);
}
mkdirSync(dir, { recursive: true });
const fixtures = path.join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'srt-handshakes.json');
const all = seeds(fixtures);
for (const [name, packet] of all) writeFileSync(path.join(dir, name), packet);
console.log(`fuzz seeds: ${all.size} datagrams in ${dir}`);
