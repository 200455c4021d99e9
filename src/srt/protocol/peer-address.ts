// The handshake's 16-byte Peer IP field, as text. libsrt copies the address into four host-order
// (little-endian) words and htonl's them, so each 4-byte group is reversed on the wire
// (127.0.0.1 travels as 01 00 00 7f). IPv4 uses word 0 only.

export const PEER_ADDRESS_SIZE = 16;

/**
 * Text of the address at p[offset..offset+16): dotted quad when words 1..3 are zero, otherwise
 * RFC 5952 IPv6 text (lower-case, longest zero run compressed, no embedded dotted quad), so that
 * encodePeerAddress gives back the same 16 bytes.
 */
export function decodePeerAddress(p: Uint8Array, offset: number): string {
  let upperZero = true;
  for (let i = offset + 4; i < offset + PEER_ADDRESS_SIZE; i++) {
    if (p[i] !== 0) {
      upperZero = false;
      break;
    }
  }
  if (upperZero) return `${p[offset + 3]}.${p[offset + 2]}.${p[offset + 1]}.${p[offset]}`;
  const a = new Uint8Array(PEER_ADDRESS_SIZE);
  for (let i = 0; i < PEER_ADDRESS_SIZE; i += 4) {
    a[i] = p[offset + i + 3];
    a[i + 1] = p[offset + i + 2];
    a[i + 2] = p[offset + i + 1];
    a[i + 3] = p[offset + i];
  }
  return formatIpv6(a);
}

/** Writes text at p[offset..offset+16); false (nothing written) when text is not an IPv4/IPv6 literal. */
export function encodePeerAddress(text: string, p: Uint8Array, offset: number): boolean {
  // Every accepted handshake comes here with its caller's address, IPv4 nearly always: written in place, no parse
  // objects on the way.
  if (writeIpv4(text, p, offset)) return true;
  const a = parseIpv4(text) ?? parseIpv6(text);
  if (a === undefined) return false;
  for (let i = 0; i < PEER_ADDRESS_SIZE; i += 4) {
    p[offset + i] = a[i + 3];
    p[offset + i + 1] = a[i + 2];
    p[offset + i + 2] = a[i + 1];
    p[offset + i + 3] = a[i];
  }
  return true;
}

function formatIpv6(a: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < PEER_ADDRESS_SIZE; i += 2) groups.push((a[i] << 8) | a[i + 1]);
  // RFC 5952 4.2: compress the longest run (first one on a tie) of two or more zero groups.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (g: number): string => g.toString(16);
  if (bestStart < 0) return groups.map(hex).join(':');
  const head = groups.slice(0, bestStart).map(hex).join(':');
  const tail = groups.slice(bestStart + bestLength).map(hex).join(':');
  return `${head}::${tail}`;
}

/**
 * What parseIpv4 accepts (four decimal octets 0..255 without leading zeros), written straight to the field: word 0
 * reversed (a.b.c.d as d c b a), words 1..3 zero. False, with nothing written, for anything else.
 */
function writeIpv4(text: string, p: Uint8Array, offset: number): boolean {
  const n = text.length;
  if (n < 7 || n > 15) return false;
  let word = 0;
  let octets = 0;
  let i = 0;
  while (i <= n) {
    const start = i;
    let value = 0;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c < 0x30 || c > 0x39) break;
      value = value * 10 + (c - 0x30);
      i++;
    }
    const digits = i - start;
    if (digits === 0 || digits > 3 || value > 255 || (digits > 1 && text.charCodeAt(start) === 0x30)) return false;
    // Octet k of a.b.c.d goes to byte 3 - k of the word: the little-endian number built here.
    word += value * 2 ** (8 * octets);
    octets++;
    if (i === n) break;
    if (text.charCodeAt(i) !== 0x2e || octets === 4) return false;
    i++;
  }
  if (octets !== 4) return false;
  p[offset] = word >>> 24;
  p[offset + 1] = (word >>> 16) & 0xff;
  p[offset + 2] = (word >>> 8) & 0xff;
  p[offset + 3] = word & 0xff;
  p.fill(0, offset + 4, offset + PEER_ADDRESS_SIZE);
  return true;
}

const IPV4_OCTET = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((part) => IPV4_OCTET.test(part))) return undefined;
  const a = new Uint8Array(PEER_ADDRESS_SIZE);
  for (let i = 0; i < 4; i++) a[i] = Number(parts[i]);
  return a;
}

function parseIpv6(text: string): Uint8Array | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = parseGroups(halves[0]);
  const tail = halves.length === 2 ? parseGroups(halves[1]) : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
  const a = new Uint8Array(PEER_ADDRESS_SIZE);
  groups.forEach((g, i) => {
    a[2 * i] = g >>> 8;
    a[2 * i + 1] = g & 0xff;
  });
  return a;
}

function parseGroups(part: string): number[] | undefined {
  if (part === '') return [];
  const groups: number[] = [];
  for (const piece of part.split(':')) {
    if (!HEX_GROUP.test(piece)) return undefined;
    groups.push(parseInt(piece, 16));
  }
  return groups;
}
