// Loopback sockets, free ports and HTTP GET, shared by the e2e tests (test/e2e) and the benchmarks (bench).

import dgram from 'node:dgram';
import http from 'node:http';
import net from 'node:net';

export type LoopbackHost = '127.0.0.1' | '::1';

/** `host:port`, bracketing IPv6 (`[::1]:port`), as the proxy's env variables expect. */
export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** A UDP socket bound to `host` (udp6 for an IPv6 address) on `port`, 0 = a free port. */
export async function bindUdp(host: string, port = 0): Promise<dgram.Socket> {
  const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, () => resolve());
  });
  return socket;
}

export function closeUdp(socket: dgram.Socket): Promise<void> {
  return new Promise((resolve) => socket.close(() => resolve()));
}

/**
 * dgram sends are asynchronous (address lookup first): a socket closed right after send() silently drops the
 * datagram. Sends made through {@link send} are tracked so that {@link flush} lets them leave first.
 */
export class TrackedSends {
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly socket: dgram.Socket) {}

  send(packet: Buffer, port: number, address: string): void {
    const sent = new Promise<void>((resolve) => this.socket.send(packet, port, address, () => resolve()));
    this.pending.add(sent);
    void sent.then(() => this.pending.delete(sent));
  }

  /** Resolves once every datagram handed to send() has left the socket. */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}

async function probeUdp(host: LoopbackHost): Promise<number> {
  const socket = await bindUdp(host);
  const { port } = socket.address();
  await closeUdp(socket);
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

/** Ports handed out during this process: never hand the same one out twice. */
const handedOut = new Set<string>();

async function unusedPort(protocol: 'udp' | 'tcp', probe: () => Promise<number>): Promise<number> {
  for (;;) {
    const port = await probe();
    const key = `${protocol}:${port}`;
    if (!handedOut.has(key)) {
      handedOut.add(key);
      return port;
    }
  }
}

/** A UDP port that was free on `host` a moment ago (bound and released), never returned twice. */
export function freeUdpPort(host: LoopbackHost = '127.0.0.1'): Promise<number> {
  return unusedPort('udp', () => probeUdp(host));
}

/** A TCP port that was free on `host` a moment ago, never returned twice. */
export function freeTcpPort(host: LoopbackHost = '127.0.0.1'): Promise<number> {
  return unusedPort('tcp', () => probeTcp(host));
}

export interface HttpResult<T> {
  readonly status: number;
  readonly body: T;
  readonly text: string;
}

/**
 * GET with a fresh connection that is closed afterwards (no keep-alive pool), so the proxy's fd count is not
 * disturbed by idle HTTP connections left open by the harness. The body is JSON-decoded when possible.
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
