import { hash } from 'node:crypto';

/** SHA-256's block and digest sizes in bytes (FIPS 180-4). */
const BLOCK = 64;
const DIGEST_WORDS = 8;

/** The first 32 bits of the fractional parts of the square roots of the first 8 primes (FIPS 180-4 5.3.3). */
const H0 = fractionWords([2, 3, 5, 7, 11, 13, 17, 19], Math.sqrt);
/** The first 32 bits of the fractional parts of the cube roots of the first 64 primes (FIPS 180-4 4.2.2). */
const K = fractionWords(firstPrimes(64), Math.cbrt);

/**
 * HMAC-SHA256 (RFC 2104) for short messages, keyed once, with the SHA-256 compression in JavaScript: the states after
 * the padded inner and outer keys are computed at construction, so a message under 56 bytes costs two compressions
 * and no allocation. node:crypto cannot resume from such a state: its one-shot hash costs twice the blocks plus a
 * call into C++ and a result buffer each (about 2 us each; a SYN cookie is two of them, a CONCLUSION up to four).
 * Correctness is node:crypto's: the tests compare the two on random keys and messages of every length class.
 */
export class HmacSha256 {
  private readonly innerState = new Int32Array(DIGEST_WORDS);
  private readonly outerState = new Int32Array(DIGEST_WORDS);
  private readonly state = new Int32Array(DIGEST_WORDS);
  private readonly schedule = new Int32Array(64);
  private readonly tail = new Uint8Array(2 * BLOCK);

  constructor(key: Uint8Array) {
    const k = key.length > BLOCK ? hash('sha256', key, 'buffer') : key;
    const pad = new Uint8Array(BLOCK);
    for (const [state, xor] of [
      [this.innerState, 0x36],
      [this.outerState, 0x5c],
    ] as const) {
      pad.fill(xor);
      for (let i = 0; i < k.length; i++) pad[i] = k[i]! ^ xor;
      state.set(H0);
      this.compressBytes(state, pad, 0);
    }
  }

  /** The first 32 bits of HMAC(key, message[0, length)), as an unsigned number (the digest's bytes 0..3, big-endian). */
  first32(message: Uint8Array, length: number): number {
    const state = this.state;
    state.set(this.innerState);
    // The inner hash: the key block is in innerState; the message, then its padding and bit length.
    let at = 0;
    for (; length - at >= BLOCK; at += BLOCK) this.compressBytes(state, message, at);
    const rest = length - at;
    const tail = this.tail;
    tail.fill(0);
    for (let i = 0; i < rest; i++) tail[i] = message[at + i]!;
    tail[rest] = 0x80;
    const tailLength = rest + 1 + 8 <= BLOCK ? BLOCK : 2 * BLOCK;
    writeBitLength(tail, tailLength, BLOCK + length);
    this.compressBytes(state, tail, 0);
    if (tailLength === 2 * BLOCK) this.compressBytes(state, tail, BLOCK);
    // The outer hash of the inner digest: one block, its words straight from the inner state.
    const w = this.schedule;
    for (let i = 0; i < DIGEST_WORDS; i++) w[i] = state[i]!;
    w[8] = 0x80000000 | 0;
    for (let i = 9; i < 15; i++) w[i] = 0;
    w[15] = (BLOCK + 32) * 8;
    state.set(this.outerState);
    this.compress(state);
    return state[0]! >>> 0;
  }

  /** Compresses the 64 bytes at bytes[offset] into state. */
  private compressBytes(state: Int32Array, bytes: Uint8Array, offset: number): void {
    const w = this.schedule;
    for (let i = 0; i < 16; i++) {
      const o = offset + 4 * i;
      w[i] = (bytes[o]! << 24) | (bytes[o + 1]! << 16) | (bytes[o + 2]! << 8) | bytes[o + 3]!;
    }
    this.compress(state);
  }

  /** FIPS 180-4 6.2.2 on the block whose 16 words are in the schedule's first slots. */
  private compress(state: Int32Array): void {
    const w = this.schedule;
    for (let t = 16; t < 64; t++) {
      const x = w[t - 15]!;
      const y = w[t - 2]!;
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      w[t] = (w[t - 16]! + s0 + w[t - 7]! + s1) | 0;
    }
    let a = state[0]!;
    let b = state[1]!;
    let c = state[2]!;
    let d = state[3]!;
    let e = state[4]!;
    let f = state[5]!;
    let g = state[6]!;
    let h = state[7]!;
    for (let t = 0; t < 64; t++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const ch = (e & f) ^ (~e & g);
      const t1 = (h + S1 + ch + K[t]! + w[t]!) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (S0 + maj) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    state[0] = (state[0]! + a) | 0;
    state[1] = (state[1]! + b) | 0;
    state[2] = (state[2]! + c) | 0;
    state[3] = (state[3]! + d) | 0;
    state[4] = (state[4]! + e) | 0;
    state[5] = (state[5]! + f) | 0;
    state[6] = (state[6]! + g) | 0;
    state[7] = (state[7]! + h) | 0;
  }
}

/** The message's length in bits (all of it, key block included), big-endian in the last 8 bytes of tail[0, end). */
function writeBitLength(tail: Uint8Array, end: number, bytes: number): void {
  const bits = bytes * 8;
  const high = Math.floor(bits / 2 ** 32);
  const low = bits >>> 0;
  tail[end - 8] = high >>> 24;
  tail[end - 7] = (high >>> 16) & 0xff;
  tail[end - 6] = (high >>> 8) & 0xff;
  tail[end - 5] = high & 0xff;
  tail[end - 4] = low >>> 24;
  tail[end - 3] = (low >>> 16) & 0xff;
  tail[end - 2] = (low >>> 8) & 0xff;
  tail[end - 1] = low & 0xff;
}

function firstPrimes(count: number): number[] {
  const primes: number[] = [];
  for (let n = 2; primes.length < count; n++) if (primes.every((p) => n % p !== 0)) primes.push(n);
  return primes;
}

/** floor(frac(root(p)) * 2^32) per prime, as int32 words. */
function fractionWords(primes: readonly number[], root: (x: number) => number): Int32Array {
  return Int32Array.from(primes, (p) => {
    const r = root(p);
    return Math.floor((r - Math.floor(r)) * 2 ** 32) | 0;
  });
}
