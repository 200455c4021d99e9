/**
 * Hand-built SRT packets for the raw test peers (test/e2e) and the benchmarks (bench): the one set of builders both
 * use. Deliberately independent of src/srt/protocol so that a codec bug in the proxy cannot hide itself in the tests. Layouts follow the captures in
 * test/fixtures/srt-handshakes.json (t1, t3), which harness.test.ts checks them against byte for byte.
 */
import net from 'node:net';

export const HEADER_SIZE = 16;
export const HS_CIF_SIZE = 48;

export const HandshakeType = {
  WAVEAHAND: 0,
  INDUCTION: 1,
  CONCLUSION: 0xffffffff,
  AGREEMENT: 0xfffffffe,
  DONE: 0xfffffffd,
} as const;

export const ControlType = {
  HANDSHAKE: 0,
  KEEPALIVE: 1,
  ACK: 2,
  NAK: 3,
  SHUTDOWN: 5,
  ACKACK: 6,
} as const;

export const ExtType = { HSREQ: 1, HSRSP: 2, KMREQ: 3, KMRSP: 4, SID: 5 } as const;

export const SRT_MAGIC = 0x4a17;
export const SRT_VERSION = 0x010501;
/** HSREQ flags ffmpeg 5.1 / libsrt 1.5.1 send (TSBPD both ways, crypt, TLPKTDROP, NAK report, rexmit flag...). */
export const SRT_FLAGS = 0xbf;

/**
 * KMREQ extension (type 3, 14 words, AES-128) copied from capture t3 (ffmpeg caller with a passphrase that the
 * listener did not share). Offered to any listener with a different passphrase it must produce rejection 1010.
 */
export const KMREQ_AES128_T3 = Buffer.from(
  '0003000e12202901000000000200020000000404820dd5030cbf7c7c4016098a6a48c7a99abf47b49a70b5fea93aeb4797c488f0d5a2c0555cdaf4ca',
  'hex',
);

export interface Extension {
  readonly type: number;
  readonly body: Buffer;
}

export interface Handshake {
  readonly destinationSocketId: number;
  readonly timestamp: number;
  readonly version: number;
  readonly encryption: number;
  readonly extensionField: number;
  readonly isn: number;
  readonly mtu: number;
  readonly flowWindow: number;
  readonly type: number;
  readonly socketId: number;
  readonly cookie: number;
  readonly peerIp: Buffer;
  readonly extensions: readonly Extension[];
}

export function randomSocketId(): number {
  return 1 + Math.floor(Math.random() * 0x7ffffffe);
}

export function randomSequence(): number {
  return Math.floor(Math.random() * 0x7fffffff);
}

export function isControl(packet: Buffer): boolean {
  return packet.length >= HEADER_SIZE && (packet[0]! & 0x80) !== 0;
}

export function controlTypeOf(packet: Buffer): number {
  return packet.readUInt16BE(0) & 0x7fff;
}

export function destinationOf(packet: Buffer): number {
  return packet.readUInt32BE(12);
}

/** Handshake CIF fields read in place (no decode), for the benchmarks' timed loops. */
export function handshakeTypeOf(packet: Buffer): number {
  return packet.readUInt32BE(36);
}

export function handshakeSocketIdOf(packet: Buffer): number {
  return packet.readUInt32BE(40);
}

export function handshakeCookieOf(packet: Buffer): number {
  return packet.readUInt32BE(44);
}

export function isShutdown(packet: Buffer): boolean {
  return isControl(packet) && controlTypeOf(packet) === ControlType.SHUTDOWN;
}

export function isHandshake(packet: Buffer): boolean {
  return isControl(packet) && controlTypeOf(packet) === ControlType.HANDSHAKE && packet.length >= HEADER_SIZE + HS_CIF_SIZE;
}

/** Each 32-bit word byte-reversed: how libsrt puts strings (and the peer IP) on the wire. */
export function reverseWords(input: Buffer): Buffer {
  const padded = Buffer.alloc(Math.ceil(input.length / 4) * 4);
  input.copy(padded);
  for (let i = 0; i < padded.length; i += 4) {
    const a = padded[i]!;
    const b = padded[i + 1]!;
    padded[i] = padded[i + 3]!;
    padded[i + 1] = padded[i + 2]!;
    padded[i + 2] = b;
    padded[i + 3] = a;
  }
  return padded;
}

export function encodeStreamId(text: string): Buffer {
  return reverseWords(Buffer.from(text, 'utf8'));
}

export function decodeStreamId(body: Buffer): string {
  return reverseWords(body).toString('utf8').replace(/\0+$/, '');
}

/** The 16-byte Peer IP field: IPv4 in word 0, IPv6 in all four words, each word byte-reversed. */
export function encodePeerIp(address: string): Buffer {
  const raw = Buffer.alloc(16);
  if (net.isIPv4(address)) {
    Buffer.from(address.split('.').map(Number)).copy(raw, 0);
  } else if (net.isIPv6(address)) {
    const [head = '', tail = ''] = address.split('::');
    const h = head.length > 0 ? head.split(':') : [];
    const t = tail.length > 0 ? tail.split(':') : [];
    const groups = address.includes('::') ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t] : h;
    groups.forEach((g, i) => raw.writeUInt16BE(parseInt(g, 16), i * 2));
  }
  return reverseWords(raw);
}

export function encodeHandshake(hs: Handshake): Buffer {
  const extLength = hs.extensions.reduce((n, e) => n + 4 + Math.ceil(e.body.length / 4) * 4, 0);
  const packet = Buffer.alloc(HEADER_SIZE + HS_CIF_SIZE + extLength);
  packet.writeUInt32BE(0x80000000, 0); // control, type 0 = handshake
  packet.writeUInt32BE(0, 4);
  packet.writeUInt32BE(hs.timestamp >>> 0, 8);
  packet.writeUInt32BE(hs.destinationSocketId >>> 0, 12);
  packet.writeUInt32BE(hs.version, 16);
  packet.writeUInt16BE(hs.encryption, 20);
  packet.writeUInt16BE(hs.extensionField, 22);
  packet.writeUInt32BE(hs.isn >>> 0, 24);
  packet.writeUInt32BE(hs.mtu, 28);
  packet.writeUInt32BE(hs.flowWindow, 32);
  packet.writeUInt32BE(hs.type >>> 0, 36);
  packet.writeUInt32BE(hs.socketId >>> 0, 40);
  packet.writeUInt32BE(hs.cookie >>> 0, 44);
  hs.peerIp.copy(packet, 48, 0, 16);
  let offset = HEADER_SIZE + HS_CIF_SIZE;
  for (const ext of hs.extensions) {
    const words = Math.ceil(ext.body.length / 4);
    packet.writeUInt16BE(ext.type, offset);
    packet.writeUInt16BE(words, offset + 2);
    ext.body.copy(packet, offset + 4);
    offset += 4 + words * 4;
  }
  return packet;
}

export function decodeHandshake(packet: Buffer): Handshake | undefined {
  if (!isHandshake(packet)) return undefined;
  const extensions: Extension[] = [];
  let offset = HEADER_SIZE + HS_CIF_SIZE;
  while (offset + 4 <= packet.length) {
    const type = packet.readUInt16BE(offset);
    const words = packet.readUInt16BE(offset + 2);
    const end = offset + 4 + words * 4;
    if (end > packet.length) break;
    extensions.push({ type, body: packet.subarray(offset + 4, end) });
    offset = end;
  }
  return {
    destinationSocketId: packet.readUInt32BE(12),
    timestamp: packet.readUInt32BE(8),
    version: packet.readUInt32BE(16),
    encryption: packet.readUInt16BE(20),
    extensionField: packet.readUInt16BE(22),
    isn: packet.readUInt32BE(24),
    mtu: packet.readUInt32BE(28),
    flowWindow: packet.readUInt32BE(32),
    type: packet.readUInt32BE(36),
    socketId: packet.readUInt32BE(40),
    cookie: packet.readUInt32BE(44),
    peerIp: Buffer.from(packet.subarray(48, 64)),
    extensions,
  };
}

export function streamIdOf(hs: Handshake): string | undefined {
  const ext = hs.extensions.find((e) => e.type === ExtType.SID);
  return ext ? decodeStreamId(ext.body) : undefined;
}

function hsExtensionBody(flags: number, rcvDelay: number, sndDelay: number): Buffer {
  const body = Buffer.alloc(12);
  body.writeUInt32BE(SRT_VERSION, 0);
  body.writeUInt32BE(flags, 4);
  body.writeUInt16BE(rcvDelay, 8);
  body.writeUInt16BE(sndDelay, 10);
  return body;
}

/** Caller INDUCTION request: v4, ext 2 (UDT_DGRAM), cookie 0, dst 0 (capture t1 packet 0). */
export function buildInduction(socketId: number, isn: number, peerAddress: string, timestamp: number): Buffer {
  return encodeHandshake({
    destinationSocketId: 0,
    timestamp,
    version: 4,
    encryption: 0,
    extensionField: 2,
    isn,
    mtu: 1500,
    flowWindow: 8192,
    type: HandshakeType.INDUCTION,
    socketId,
    cookie: 0,
    peerIp: encodePeerIp(peerAddress),
    extensions: [],
  });
}

export interface ConclusionOptions {
  readonly socketId: number;
  readonly isn: number;
  readonly cookie: number;
  readonly peerAddress: string;
  readonly timestamp: number;
  /** undefined: no SID extension at all. */
  readonly streamId?: string | undefined;
  /** Raw extension blocks (type+length+body) appended after SID, e.g. {@link KMREQ_AES128_T3}. */
  readonly rawExtensions?: readonly Buffer[];
}

/** Caller CONCLUSION request: v5, HSREQ [+ SID] [+ raw extensions], dst 0 (capture t1 packet 2). */
export function buildConclusion(options: ConclusionOptions): Buffer {
  const extensions: Extension[] = [{ type: ExtType.HSREQ, body: hsExtensionBody(SRT_FLAGS, 120, 0) }];
  let extensionField = 0x1;
  if (options.streamId !== undefined) {
    extensions.push({ type: ExtType.SID, body: encodeStreamId(options.streamId) });
    extensionField |= 0x4;
  }
  for (const raw of options.rawExtensions ?? []) {
    if (raw.readUInt16BE(0) === ExtType.KMREQ) extensionField |= 0x2;
  }
  const base = encodeHandshake({
    destinationSocketId: 0,
    timestamp: options.timestamp,
    version: 5,
    encryption: 0,
    extensionField,
    isn: options.isn,
    mtu: 1500,
    flowWindow: 8192,
    type: HandshakeType.CONCLUSION,
    socketId: options.socketId,
    cookie: options.cookie,
    peerIp: encodePeerIp(options.peerAddress),
    extensions,
  });
  return Buffer.concat([base, ...(options.rawExtensions ?? [])]);
}

/** An ISN for callers that do not care (the benchmarks): the one libsrt picked in capture t1. */
const DEFAULT_ISN = 0x16243a2b;

/** A caller's INDUCTION from 127.0.0.1 with `socketId`, ready to send (the benchmarks' caller). */
export function callerInduction(socketId: number, timestamp = 0, isn = DEFAULT_ISN): Buffer {
  return buildInduction(socketId, isn, '127.0.0.1', timestamp);
}

/** The matching CONCLUSION with the listener's `cookie` (patch it in place when it is only known later). */
export function callerConclusion(socketId: number, cookie: number, streamId: string, timestamp = 0, isn = DEFAULT_ISN): Buffer {
  return buildConclusion({ socketId, isn, cookie, peerAddress: '127.0.0.1', timestamp, streamId });
}

/** A listener's answer to `request`: v5, unencrypted, addressed to the caller's socket id, with `fields` on top. */
function listenerResponse(
  request: Handshake,
  peerAddress: string,
  timestamp: number,
  fields: Pick<Handshake, 'extensionField' | 'extensions'> & Partial<Handshake>,
): Buffer {
  return encodeHandshake({
    ...request,
    destinationSocketId: request.socketId,
    timestamp,
    version: 5,
    encryption: 0,
    peerIp: encodePeerIp(peerAddress),
    ...fields,
  });
}

/** Listener INDUCTION response: v5, magic 0x4A17, caller's socket id echoed, our cookie (capture t1 packet 1). */
export function buildInductionResponse(request: Handshake, cookie: number, peerAddress: string, timestamp: number): Buffer {
  return listenerResponse(request, peerAddress, timestamp, { extensionField: SRT_MAGIC, cookie, extensions: [] });
}

/** Listener CONCLUSION response: v5, HSRSP, the listener's own socket id (capture t1 packet 3). */
export function buildConclusionResponse(request: Handshake, listenerSocketId: number, peerAddress: string, timestamp: number): Buffer {
  return listenerResponse(request, peerAddress, timestamp, {
    extensionField: 0x1,
    socketId: listenerSocketId,
    extensions: [{ type: ExtType.HSRSP, body: hsExtensionBody(SRT_FLAGS, 120, 120) }],
  });
}

/** Data packet: PP=11 (solo message), in order, not encrypted, message number `msgno`. */
export function buildDataPacket(sequence: number, msgno: number, timestamp: number, destination: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(HEADER_SIZE);
  header.writeUInt32BE(sequence & 0x7fffffff, 0);
  header.writeUInt32BE((0xe0000000 | (msgno & 0x03ffffff)) >>> 0, 4);
  header.writeUInt32BE(timestamp >>> 0, 8);
  header.writeUInt32BE(destination >>> 0, 12);
  return Buffer.concat([header, payload]);
}

function buildControl(type: number, destination: number, timestamp: number): Buffer {
  const packet = Buffer.alloc(HEADER_SIZE + 4);
  packet.writeUInt32BE((0x80000000 | (type << 16)) >>> 0, 0);
  packet.writeUInt32BE(timestamp >>> 0, 8);
  packet.writeUInt32BE(destination >>> 0, 12);
  return packet;
}

/** SHUTDOWN: control type 5, 20 bytes (capture t1 packet 4). */
export function buildShutdown(destination: number, timestamp: number): Buffer {
  return buildControl(ControlType.SHUTDOWN, destination, timestamp);
}

export function buildKeepalive(destination: number, timestamp: number): Buffer {
  return buildControl(ControlType.KEEPALIVE, destination, timestamp);
}

/** A 1316-byte payload of seven MPEG-TS null packets, with `marker` written after the first TS header. */
export function tsNullPayload(marker = ''): Buffer {
  const payload = Buffer.alloc(7 * 188, 0xff);
  for (let i = 0; i < 7; i += 1) {
    payload.writeUInt32BE(0x471fff10, i * 188);
  }
  if (marker.length > 0) payload.write(marker, 4, 'utf8');
  return payload;
}

/**
 * Full ACK (control type 2, CIF of 7 words: last acknowledged sequence, RTT, RTT variance, available buffer, packet
 * receiving rate, estimated link capacity, receiving rate in bytes), as libsrt sends every 10 ms while it receives.
 */
export function buildFullAck(destination: number, ackNumber: number, fields: { sequence: number; rttUs: number; rttVarUs: number }): Buffer {
  const packet = Buffer.alloc(HEADER_SIZE + 28);
  packet.writeUInt32BE((0x80000000 | (ControlType.ACK << 16)) >>> 0, 0);
  packet.writeUInt32BE(ackNumber >>> 0, 4);
  packet.writeUInt32BE(destination >>> 0, 12);
  packet.writeUInt32BE(fields.sequence & 0x7fffffff, 16);
  packet.writeUInt32BE(fields.rttUs >>> 0, 20);
  packet.writeUInt32BE(fields.rttVarUs >>> 0, 24);
  packet.writeUInt32BE(8192, 28);
  packet.writeUInt32BE(1000, 32);
  packet.writeUInt32BE(20000, 36);
  packet.writeUInt32BE(1_316_000, 40);
  return packet;
}

/** Light ACK: only the next expected sequence number (libsrt sends one every 64 packets). */
export function buildLightAck(destination: number, sequence: number): Buffer {
  const packet = Buffer.alloc(HEADER_SIZE + 4);
  packet.writeUInt32BE((0x80000000 | (ControlType.ACK << 16)) >>> 0, 0);
  packet.writeUInt32BE(destination >>> 0, 12);
  packet.writeUInt32BE(sequence & 0x7fffffff, 16);
  return packet;
}

/** NAK (control type 3) listing `single` lost sequence numbers and the inclusive ranges `ranges`. */
export function buildNak(destination: number, single: readonly number[], ranges: readonly (readonly [number, number])[] = []): Buffer {
  const words: number[] = [...single.map((s) => s & 0x7fffffff)];
  for (const [first, last] of ranges) words.push((0x80000000 | first) >>> 0, last & 0x7fffffff);
  const packet = Buffer.alloc(HEADER_SIZE + words.length * 4);
  packet.writeUInt32BE((0x80000000 | (ControlType.NAK << 16)) >>> 0, 0);
  packet.writeUInt32BE(destination >>> 0, 12);
  words.forEach((w, i) => packet.writeUInt32BE(w, HEADER_SIZE + i * 4));
  return packet;
}
