// Fallback load generator for bench/relay-cpu when gcc is missing: the same command-line and stdin protocol as
// bench/udp-blast.c, on node:dgram. One send() syscall per datagram: at 50k packets/s this burns most of a core,
// so results taken with it understate what the relay can do. relay-cpu says so loudly when it uses it.
//
//   node dist/bench/node-blast.js <host> <port> <induction-hex> <conclusion-hex>

import dgram from 'node:dgram';
import { createInterface } from 'node:readline';

const PACKET_SIZE = 1332;
const RING = 2048;

const [host, portText, inductionHex, conclusionHex] = process.argv.slice(2);
if (host === undefined || portText === undefined || inductionHex === undefined || conclusionHex === undefined) {
  process.stderr.write('usage: node-blast <host> <port> <induction-hex> <conclusion-hex>\n');
  process.exit(2);
}
const watchdog = setTimeout(() => process.exit(3), 900_000);
watchdog.unref();

const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
const epoch = performance.now();
const timestamp = (): number => Math.floor((performance.now() - epoch) * 1000) >>> 0;
let peerId = 0;
let failed = 0;
socket.on('error', () => failed++);

function handshake(): Promise<void> {
  const induction = Buffer.from(inductionHex!, 'hex');
  const conclusion = Buffer.from(conclusionHex!, 'hex');
  const start = performance.now();
  return new Promise((resolve, reject) => {
    let out = induction;
    let phase = 1;
    const resend = (): void => socket.send(out);
    const retry = setInterval(() => {
      if (performance.now() - start > 3000) {
        clearInterval(retry);
        reject(new Error(`timeout in ${phase === 1 ? 'induction' : 'conclusion'}`));
      } else resend();
    }, 250);
    const onMessage = (msg: Buffer): void => {
      if (msg.length < 64 || msg[0] !== 0x80 || msg[1] !== 0) return;
      const type = msg.readUInt32BE(36);
      if (phase === 1 && type === 1) {
        msg.copy(conclusion, 44, 44, 48);
        phase = 2;
        out = conclusion;
        resend();
      } else if (phase === 2 && type === 0xffffffff) {
        peerId = msg.readUInt32BE(40);
        clearInterval(retry);
        socket.off('message', onMessage);
        process.stdout.write(`connected peer=${peerId} local=${socket.address().port} hs_us=${Math.round((performance.now() - start) * 1000)}\n`);
        resolve();
      } else if (type >= 1000 && type !== 0xffffffff) {
        clearInterval(retry);
        reject(new Error(`rejected ${type}`));
      }
    };
    socket.on('message', onMessage);
    resend();
  });
}

const ring: Buffer[] = [];
let sequence = 1;

function blast(pps: number, ms: number): Promise<void> {
  const total = Math.floor((pps * ms) / 1000);
  const nsPerPacket = 1e9 / pps;
  const failedBefore = failed;
  let sent = 0;
  const start = performance.now();
  return new Promise((resolve) => {
    const tick = (): void => {
      const due = Math.min(total, Math.floor(((performance.now() - start) * 1e6) / nsPerPacket) + 1);
      const ts = timestamp();
      for (let n = Math.min(due - sent, RING); n > 0; n--) {
        const p = ring[sequence % RING]!;
        p.writeUInt32BE(sequence & 0x7fffffff, 0);
        p.writeUInt32BE((0xc0000000 | (sequence & 0x03ffffff)) >>> 0, 4);
        p.writeUInt32BE(ts, 8);
        socket.send(p);
        sequence++;
        sent++;
      }
      if (sent >= total) {
        const f = failed - failedBefore;
        process.stdout.write(`done sent=${sent - f} failed=${f} ns=${Math.round((performance.now() - start) * 1e6)}\n`);
        resolve();
        return;
      }
      setTimeout(tick, 1);
    };
    tick();
  });
}

socket.connect(Number(portText), host, () => {
  handshake().then(
    () => {
      for (let i = 0; i < RING; i++) {
        const p = Buffer.alloc(PACKET_SIZE, 0xff);
        for (let off = 16; off < PACKET_SIZE; off += 188) p[off] = 0x47;
        p.writeUInt32BE(peerId, 12);
        ring.push(p);
      }
      let queue = Promise.resolve();
      const quit = (): void => {
        const shutdown = Buffer.alloc(20);
        shutdown.writeUInt32BE(0x80050000, 0);
        shutdown.writeUInt32BE(timestamp(), 8);
        shutdown.writeUInt32BE(peerId, 12);
        socket.send(shutdown, () => {
          process.stdout.write('bye\n');
          process.exit(0);
        });
      };
      createInterface({ input: process.stdin })
        .on('line', (line) => {
          const m = /^blast (\d+) (\d+)/.exec(line);
          if (m) queue = queue.then(() => blast(Number(m[1]), Math.min(Number(m[2]), 120_000)));
          else if (line.startsWith('quit')) queue = queue.then(quit);
          else process.stdout.write('error unknown command\n');
        })
        .on('close', () => void queue.then(quit));
    },
    (error: Error) => {
      process.stdout.write(`failed ${error.message}\n`);
      process.exit(2);
    },
  );
});
