// Handshake decode throughput: `npm run bench:handshake` (run from the repo root).
// Prints ops/s and ns/op for a warm loop of about 1.5 s per case.

import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeHandshake } from '../src/srt/protocol/handshake.js';
import { streamIdOf } from '../src/srt/protocol/handshake-extension.js';
import { parseStreamId } from '../src/srt/protocol/stream-id.js';

const WARMUP_MS = 300;
const MEASURE_MS = 1500;
const BATCH = 1000;

interface VectorFile {
  readonly captures: readonly { readonly capture: string; readonly packets: readonly { readonly hex: string }[] }[];
}

function vectorPath(): string {
  const fromCwd = resolve(process.cwd(), '../shared/vectors/srt-handshakes.json');
  if (existsSync(fromCwd)) return fromCwd;
  // dist/bench/handshake-decode.js -> repo root is two levels up.
  return resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../shared/vectors/srt-handshakes.json');
}

function vector(capture: string, index: number): Buffer {
  const file = JSON.parse(readFileSync(vectorPath(), 'utf8')) as VectorFile;
  const hex = file.captures.find((c) => c.capture === capture)?.packets[index]?.hex;
  if (hex === undefined) throw new Error(`vector ${capture}#${index} not found`);
  return Buffer.from(hex, 'hex');
}

// Results are folded into this so the optimiser cannot drop the work.
let sink = 0;

function run(name: string, op: () => number): void {
  const loop = (ms: number): { ops: number; ns: bigint } => {
    const start = process.hrtime.bigint();
    const until = start + BigInt(ms) * 1_000_000n;
    let ops = 0;
    let now = start;
    while (now < until) {
      for (let i = 0; i < BATCH; i++) sink ^= op();
      ops += BATCH;
      now = process.hrtime.bigint();
    }
    return { ops, ns: now - start };
  };
  loop(WARMUP_MS);
  const { ops, ns } = loop(MEASURE_MS);
  const nsPerOp = Number(ns) / ops;
  const perSecond = Math.round(1e9 / nsPerOp);
  console.log(`${name.padEnd(52)} ${perSecond.toLocaleString('en-US').padStart(12)} ops/s ${nsPerOp.toFixed(0).padStart(7)} ns/op`);
}

const t1Conclusion = vector('t1', 2);
const t14Conclusion = vector('t14', 2);

function decodeOnly(p: Buffer): () => number {
  return () => {
    const hs = decodeHandshake(p);
    if (!hs.ok) throw hs.error;
    return hs.value.cookie;
  };
}

function decodeAndParse(p: Buffer): () => number {
  return () => {
    const hs = decodeHandshake(p);
    if (!hs.ok) throw hs.error;
    const text = streamIdOf(hs.value);
    if (text === undefined) throw new Error('no stream id');
    const id = parseStreamId(text);
    if (!id.ok) throw id.error;
    return text.length;
  };
}

console.log(`node ${process.version}, ${MEASURE_MS} ms per case after ${WARMUP_MS} ms warm-up`);
run(`decodeHandshake t1 conclusion (${t1Conclusion.length} B, HSREQ+SID)`, decodeOnly(t1Conclusion));
run(`decodeHandshake t14 conclusion (${t14Conclusion.length} B, +KMREQ)`, decodeOnly(t14Conclusion));
run('decodeHandshake + parseStreamId, t1 conclusion', decodeAndParse(t1Conclusion));
run('decodeHandshake + parseStreamId, t14 conclusion', decodeAndParse(t14Conclusion));
if (sink === 0.5) console.log('unreachable');
