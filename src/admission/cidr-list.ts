/**
 * CIDR lists for the static admission rules: parsed once from configuration, matched once per new session (never
 * per packet). Pure: no I/O.
 *
 * Addresses are held as 128-bit numbers in the IPv6 space; an IPv4 block `a.b.c.d/n` is stored as its IPv4-mapped
 * form `::ffff:a.b.c.d/(96+n)`, so an IPv4 caller and the same caller seen through a dual-stack socket
 * (`::ffff:a.b.c.d`) match the same IPv4 rules.
 */

interface Block {
  readonly base: bigint;
  readonly mask: bigint;
}

const ALL_ONES = (1n << 128n) - 1n;
const MAPPED_PREFIX = 0xffffn << 32n;

export class CidrList {
  private constructor(
    private readonly blocks: readonly Block[],
    /** The list as configured (normalised), for start-up logs and the API. */
    readonly text: readonly string[],
  ) {}

  static readonly EMPTY = new CidrList([], []);

  /** Comma-separated `addr/prefix` or bare addresses; the error names the first bad entry. */
  static parse(list: string): CidrList | string {
    const blocks: Block[] = [];
    const text: string[] = [];
    for (const item of list.split(',').map((s) => s.trim()).filter((s) => s.length > 0)) {
      const block = parseBlock(item);
      if (typeof block === 'string') return `"${item}": ${block}`;
      blocks.push(block);
      text.push(item);
    }
    return new CidrList(blocks, text);
  }

  /** The start-up configuration line shows the list as configured. */
  toJSON(): readonly string[] {
    return this.text;
  }

  get isEmpty(): boolean {
    return this.blocks.length === 0;
  }

  /** Whether `address` (IPv4, IPv6 or IPv4-mapped IPv6, as node reports it) lies in any block. False for junk. */
  matches(address: string): boolean {
    // Every CONCLUSION asks, and most lists are empty: no 128-bit parse for them.
    if (this.blocks.length === 0) return false;
    const value = parseAddress(address);
    if (value === undefined) return false;
    for (const block of this.blocks) {
      if ((value & block.mask) === block.base) return true;
    }
    return false;
  }
}

function parseBlock(item: string): Block | string {
  const slash = item.indexOf('/');
  const addressText = slash < 0 ? item : item.slice(0, slash);
  const value = parseAddress(addressText);
  if (value === undefined) return 'not an IPv4 or IPv6 address';
  const ipv4 = parseIpv4(addressText) !== undefined;
  const width = ipv4 ? 32 : 128;
  let prefix = width;
  if (slash >= 0) {
    const prefixText = item.slice(slash + 1);
    if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > width) return `prefix must be 0 to ${width}`;
    prefix = Number(prefixText);
  }
  const bits = ipv4 ? 96 + prefix : prefix;
  const mask = bits === 0 ? 0n : (ALL_ONES << BigInt(128 - bits)) & ALL_ONES;
  // Host bits set (10.1.2.3/8) are ignored, as most firewalls do: the block is what the prefix says.
  return { base: value & mask, mask };
}

/** An address as a 128-bit number; IPv4 as IPv4-mapped IPv6. Zone ids (`fe80::1%eth0`) are ignored. */
export function parseAddress(text: string): bigint | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return MAPPED_PREFIX | BigInt(v4);
  return parseIpv6(text.replace(/%.*$/, ''));
}

function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    // No leading zeros: 010 is octal to some tools and decimal to others.
    if (!/^(0|[1-9]\d{0,2})$/.test(part) || Number(part) > 255) return undefined;
    value = value * 256 + Number(part);
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  if (!text.includes(':')) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string): number[] | undefined => {
    if (half === '') return [];
    const out: number[] = [];
    const parts = half.split(':');
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      if (i === parts.length - 1 && part.includes('.')) {
        const v4 = parseIpv4(part);
        if (v4 === undefined) return undefined;
        out.push(v4 >>> 16, v4 & 0xffff);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(part)) {
        out.push(parseInt(part, 16));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  let value = 0n;
  for (const g of [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail]) value = (value << 16n) | BigInt(g);
  return value;
}
