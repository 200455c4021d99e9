import dgram from 'node:dgram';
import http from 'node:http';
import net from 'node:net';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

export type LoopbackHost = '127.0.0.1' | '::1';

/** Ports handed out during this process: never hand the same one out twice. */
const handedOut = new Set<string>();

function familyOf(host: LoopbackHost): 'udp4' | 'udp6' {
  return host === '::1' ? 'udp6' : 'udp4';
}

/** `host:port`, bracketing IPv6 (`[::1]:port`), as the proxy's env variables expect. */
export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

async function probeUdp(host: LoopbackHost): Promise<number> {
  const socket = dgram.createSocket(familyOf(host));
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, host, () => resolve());
  });
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

async function probeTcp(host: LoopbackHost): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

/** A UDP port that was free on `host` a moment ago (bound and released), never returned twice. */
export async function freeUdpPort(host: LoopbackHost = '127.0.0.1'): Promise<number> {
  for (;;) {
    const port = await probeUdp(host);
    const key = `udp:${port}`;
    if (!handedOut.has(key)) {
      handedOut.add(key);
      return port;
    }
  }
}

/** A TCP port that was free on `host` a moment ago, never returned twice. */
export async function freeTcpPort(host: LoopbackHost = '127.0.0.1'): Promise<number> {
  for (;;) {
    const port = await probeTcp(host);
    const key = `tcp:${port}`;
    if (!handedOut.has(key)) {
      handedOut.add(key);
      return port;
    }
  }
}

/** True when some process has a UDP socket bound to `port` (any address), per /proc/net/udp{,6}. */
export function isUdpPortBound(port: number): boolean {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  for (const file of ['/proc/net/udp', '/proc/net/udp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const local = line.trim().split(/\s+/)[1];
      if (local?.endsWith(`:${hex}`)) return true;
    }
  }
  return false;
}

export interface HttpResult<T> {
  readonly status: number;
  readonly body: T;
  readonly text: string;
}

/**
 * GET with a fresh connection that is closed afterwards (no keep-alive pool), so the proxy's fd count is not
 * disturbed by idle HTTP connections left open by the harness.
 */
export function httpGet<T = unknown>(url: string, timeoutMs = 2000): Promise<HttpResult<T>> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent: false, headers: { connection: 'close' }, timeout: timeoutMs }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => {
        let body: unknown = undefined;
        try {
          body = text.length > 0 ? JSON.parse(text) : undefined;
        } catch {
          body = undefined;
        }
        resolve({ status: response.statusCode ?? 0, body: body as T, text });
      });
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`GET ${url}: timeout after ${timeoutMs} ms`)));
    request.on('error', reject);
  });
}

/** Number of open file descriptors of `pid`, and how many of them are sockets. */
export function fdCount(pid: number): { total: number; sockets: number } {
  const dir = `/proc/${pid}/fd`;
  let total = 0;
  let sockets = 0;
  for (const entry of readdirSync(dir)) {
    let target: string;
    try {
      target = readlinkSync(`${dir}/${entry}`);
    } catch {
      continue; // closed between readdir and readlink
    }
    total += 1;
    if (target.startsWith('socket:')) sockets += 1;
  }
  return { total, sockets };
}
