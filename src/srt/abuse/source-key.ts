/**
 * The unit a per-source limit is charged to: an IPv4 address, or an IPv6 /64 (the smallest block a subscriber is
 * given, so one host cannot sidestep its budget by hopping through its own 2^64 addresses). An IPv4-mapped IPv6
 * address (`::ffff:192.0.2.1`, from a dual-stack socket) is the IPv4 address it maps.
 */
export function sourceKeyOf(address: string): string {
  if (!address.includes(':')) return address;
  // One CONCLUSION asks up to three times in a row (budget, cap, opened): the last answer is kept.
  if (address === lastAddress) return lastKey;
  lastKey = ipv6SourceKeyOf(address);
  lastAddress = address;
  return lastKey;
}

let lastAddress: string | undefined;
let lastKey = '';

function ipv6SourceKeyOf(address: string): string {
  // A dual-stack socket reports every IPv4 caller so, several times per session: no IPv6 expansion for those whose
  // dotted quad is already in canonical form (what the general path would produce).
  if (address.startsWith('::ffff:') && CANONICAL_IPV4.test(address)) return address.slice(7);
  const zone = address.indexOf('%');
  const bare = (zone === -1 ? address : address.slice(0, zone)).toLowerCase();
  const words = expandIPv6(bare);
  if (words === undefined) return bare;
  if (words[0] === 0 && words[1] === 0 && words[2] === 0 && words[3] === 0 && words[4] === 0 && words[5] === 0xffff) {
    return `${words[6]! >> 8}.${words[6]! & 0xff}.${words[7]! >> 8}.${words[7]! & 0xff}`;
  }
  return `${words[0]!.toString(16)}:${words[1]!.toString(16)}:${words[2]!.toString(16)}:${words[3]!.toString(16)}::/64`;
}

const CANONICAL_IPV4 = /^::ffff:(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** The eight 16-bit words of an IPv6 literal (with `::` and a trailing dotted quad), or undefined if malformed. */
function expandIPv6(text: string): number[] | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    for (const piece of part.split(':')) {
      if (piece.includes('.')) {
        const quad = piece.split('.').map(Number);
        if (quad.length !== 4 || quad.some((n) => !Number.isInteger(n) || n < 0 || n > 255)) return undefined;
        out.push((quad[0]! << 8) | quad[1]!, (quad[2]! << 8) | quad[3]!);
      } else {
        if (!/^[0-9a-f]{1,4}$/.test(piece)) return undefined;
        out.push(parseInt(piece, 16));
      }
    }
    return out;
  };
  const head = parse(halves[0]!);
  const tail = halves.length === 2 ? parse(halves[1]!) : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  return [...head, ...new Array<number>(missing).fill(0), ...tail];
}
