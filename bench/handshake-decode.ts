// Handshake decode throughput: `npm run bench:handshake` (run from the repo root).
// Prints ops/s and ns/op for a warm loop of about 1.5 s per case.

import { decodeHandshake } from '../src/srt/protocol/handshake.js';
import { streamIdOf } from '../src/srt/protocol/handshake-extension.js';
import { parseStreamId } from '../src/srt/protocol/stream-id.js';
import { packet } from '../test/support/vectors.js';

const WARMUP_MS = 300;
const MEASURE_MS = 1500;
const BATCH = 1000;

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

const t1Conclusion = packet('t1', 2);
const t14Conclusion = packet('t14', 2);

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
