// The scripted SRT origin of test/support/scripted-origin.ts as a process of its own (for bench/handshake-latency, so
// that its answers do not share an event loop with the caller being timed).
//
//   node dist/bench/scripted-origin.js [--host 127.0.0.1] [--max-seconds 900] [--rcvbuf 0]
//
// Prints `listening <port> <socketId>`. stdin: `stats` -> one JSON line; end of stdin -> exit.

import { createInterface } from 'node:readline';
import { ScriptedOrigin } from '../test/support/scripted-origin.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const origin = await ScriptedOrigin.create({
  host: arg('host', '127.0.0.1'),
  record: false,
  keepaliveMs: 1000,
  receiveBufferBytes: Number(arg('rcvbuf', '0')),
});
const lifetime = setTimeout(() => process.exit(0), Number(arg('max-seconds', '900')) * 1000);
lifetime.unref();
process.stdout.write(`listening ${origin.port} ${origin.socketId}\n`);
createInterface({ input: process.stdin })
  .on('line', (line) => {
    if (line.trim() === 'stats') {
      const { inductions, conclusions, badCookies, dataPackets, otherPackets } = origin;
      process.stdout.write(`stats ${JSON.stringify({ inductions, conclusions, badCookies, dataPackets, otherPackets })}\n`);
    }
  })
  .on('close', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
