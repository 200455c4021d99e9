// HTTP requests with a body, and raw HTTP exchanges, for tests of the proxy's POST endpoints.

import http from 'node:http';
import net from 'node:net';

export interface HttpReply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly text: string;
  /** The body JSON-decoded, undefined when it is not JSON. */
  readonly json: unknown;
}

export interface HttpRequestOptions {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
  /** Sends the body in chunks without Content-Length (Transfer-Encoding: chunked). */
  readonly chunked?: boolean;
  readonly timeoutMs?: number;
}

/** One request on a fresh connection (no keep-alive pool), resolved with the whole response. */
export function httpRequest(url: string, options: HttpRequestOptions = {}): Promise<HttpReply> {
  const timeoutMs = options.timeoutMs ?? 5000;
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { connection: 'close', ...options.headers };
    if (options.body !== undefined && options.chunked !== true) headers['content-length'] = Buffer.byteLength(options.body);
    const request = http.request(url, { method: options.method ?? 'POST', agent: false, headers, timeout: timeoutMs }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => {
        let json: unknown = undefined;
        try {
          json = text.length > 0 ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: response.statusCode ?? 0, headers: response.headers, text, json });
      });
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`${options.method ?? 'POST'} ${url}: timeout after ${timeoutMs} ms`)));
    // A server may answer (413, 401) and close before the whole body is written: keep the answer, not EPIPE.
    request.on('error', reject);
    if (options.body !== undefined) {
      if (options.chunked === true) {
        const body = Buffer.from(options.body);
        for (let i = 0; i < body.length; i += 8192) request.write(body.subarray(i, i + 8192));
      } else {
        request.write(options.body);
      }
    }
    request.end();
  });
}

/**
 * Writes `request` verbatim on a new TCP connection and resolves with everything the server sent until it closed
 * the connection (or `quietMs` passed with nothing more arriving), to count responses.
 */
export function rawHttpExchange(host: string, port: number, request: string, quietMs = 500): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    let received = '';
    let timer: NodeJS.Timeout | undefined;
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(received);
    };
    const rearm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(done, quietMs);
    };
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      socket.write(request);
      rearm();
    });
    socket.on('data', (chunk: string) => {
      received += chunk;
      rearm();
    });
    socket.on('end', done);
    socket.on('error', (error) => (received.length > 0 ? done() : reject(error)));
  });
}
