// The baseline for bench/relay-cpu: the least a Node UDP relay can do. One socket faces the caller, one socket is
// connect()ed to the origin; every datagram is forwarded unchanged both ways (origin -> last caller address).
// No SRT logic, no lookup, no counters beyond two increments.
//
//   node dist/bench/raw-forwarder.js --listen 127.0.0.1:0 --origin 127.0.0.1:<port> [--rcvbuf N] [--max-seconds S]
//
// Prints `listening <port>` once both sockets are ready. stdin: `stats` -> one JSON line; end of stdin -> exit.
// Exits by itself after --max-seconds (default 900) whatever happens.

import dgram from 'node:dgram';
import { createInterface } from 'node:readline';
import { parseCommandLine } from './lib/options.js';

const options = parseCommandLine(
  process.argv.slice(2),
  { listen: '127.0.0.1:0', origin: '', rcvbuf: 0, maxSeconds: 900 },
  {
    listen: (o, v) => (o.listen = v),
    origin: (o, v) => (o.origin = v),
    rcvbuf: (o, v) => (o.rcvbuf = Number(v)),
    'max-seconds': (o, v) => (o.maxSeconds = Number(v)),
  },
);
if (options.origin === '') {
  process.stderr.write('raw-forwarder: --origin is required\n');
  process.exit(2);
}

function splitHostPort(text: string): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(text);
  if (!m) throw new Error(`bad host:port ${text}`);
  return { host: m[1]!, port: Number(m[2]) };
}

const listen = splitHostPort(options.listen);
const origin = splitHostPort(options.origin);
const { rcvbuf, maxSeconds } = options;
const family = (host: string): 'udp4' | 'udp6' => (host.includes(':') ? 'udp6' : 'udp4');

const front = dgram.createSocket(family(listen.host));
const back = dgram.createSocket(family(origin.host));
let callerAddress = '';
let callerPort = 0;
let fromCaller = 0;
let fromOrigin = 0;
let errors = 0;

front.on('message', (msg, rinfo) => {
  fromCaller++;
  callerAddress = rinfo.address;
  callerPort = rinfo.port;
  back.send(msg);
});
back.on('message', (msg) => {
  fromOrigin++;
  if (callerPort !== 0) front.send(msg, callerPort, callerAddress);
});
front.on('error', () => errors++);
back.on('error', () => errors++);

function tune(socket: dgram.Socket): void {
  if (rcvbuf > 0) socket.setRecvBufferSize(rcvbuf);
}

front.bind(listen.port, listen.host, () => {
  tune(front);
  back.connect(origin.port, origin.host, () => {
    tune(back);
    process.stdout.write(`listening ${front.address().port}\n`);
  });
});

const lifetime = setTimeout(() => process.exit(0), maxSeconds * 1000);
lifetime.unref();

createInterface({ input: process.stdin })
  .on('line', (line) => {
    if (line.trim() === 'stats') process.stdout.write(`stats ${JSON.stringify({ fromCaller, fromOrigin, errors })}\n`);
  })
  .on('close', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
