// The scripted SRT origin of test/support/scripted-origin.ts as a process of its own (for bench/handshake-latency, so
// that its answers do not share an event loop with the caller being timed).
//
//   node dist/bench/scripted-origin.js [--host 127.0.0.1] [--max-seconds 900] [--rcvbuf 0]
//
// Prints `listening <port> <socketId>`. stdin: `stats` -> one JSON line; end of stdin -> exit.

import { createInterface } from 'node:readline';
import { ScriptedOrigin } from '../test/support/scripted-origin.js';
import { parseCommandLine } from './lib/options.js';

const options = parseCommandLine(
  process.argv.slice(2),
  { host: '127.0.0.1', rcvbuf: 0, maxSeconds: 900 },
  {
    host: (o, v) => (o.host = v),
    rcvbuf: (o, v) => (o.rcvbuf = Number(v)),
    'max-seconds': (o, v) => (o.maxSeconds = Number(v)),
  },
);
const origin = await ScriptedOrigin.create({ host: options.host, record: false, keepaliveMs: 1000, receiveBufferBytes: options.rcvbuf });
const lifetime = setTimeout(() => process.exit(0), options.maxSeconds * 1000);
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
