import http from 'node:http';
import https from 'node:https';
import type { AdmissionAnswer, AdmissionClient } from './admission-client.js';
import type { AdmissionRequest } from './admission-request.js';

export interface HttpAdmissionClientOptions {
  readonly url: URL;
  /** Whole call: waiting for a pooled connection, connecting, sending, and the response's status line. */
  readonly timeoutMs: number;
  /** Connections kept open to the webhook at most; further calls wait for one (inside their timeout). */
  readonly maxConnections: number;
}

/**
 * POSTs the request as JSON over node's http/https with a keep-alive pool of bounded size (node:http's Agent: no
 * extra dependency for one POST). The answer is read from the status alone; the body is drained so the connection
 * goes back to the pool.
 */
export class HttpAdmissionClient implements AdmissionClient {
  private readonly agent: http.Agent;
  private readonly transport: typeof http | typeof https;

  constructor(private readonly options: HttpAdmissionClientOptions) {
    const https_ = options.url.protocol === 'https:';
    this.transport = https_ ? https : http;
    const pool = { keepAlive: true, maxSockets: options.maxConnections, maxTotalSockets: options.maxConnections, maxFreeSockets: options.maxConnections };
    this.agent = https_ ? new https.Agent(pool) : new http.Agent(pool);
  }

  ask(request: AdmissionRequest): Promise<AdmissionAnswer> {
    return postJson(this.transport, this.agent, this.options.url, this.options.timeoutMs, request).then((result) => {
      if (typeof result === 'string') return { kind: 'error', detail: result };
      if (result >= 200 && result < 300) return { kind: 'allow' };
      if (result === 401 || result === 403) return { kind: 'deny', status: result };
      return { kind: 'error', detail: `HTTP ${result}` };
    });
  }

  async close(): Promise<void> {
    this.agent.destroy();
  }
}

/**
 * One JSON POST through `agent`: the status code, or a short reason for the failure (an error code, never a
 * message that could carry the URL's credentials or the request's params).
 */
export function postJson(
  transport: typeof http | typeof https,
  agent: http.Agent,
  url: URL,
  timeoutMs: number,
  body: unknown,
): Promise<number | string> {
  return new Promise((resolve) => {
    const payload = Buffer.from(JSON.stringify(body));
    let request: http.ClientRequest;
    try {
      request = transport.request(
        url,
        {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': payload.length },
          signal: AbortSignal.timeout(timeoutMs),
        },
        (response) => {
          response.resume();
          response.on('error', () => undefined);
          resolve(response.statusCode ?? 0);
        },
      );
    } catch (error) {
      resolve((error as NodeJS.ErrnoException).code ?? 'request failed');
      return;
    }
    request.on('error', (error: NodeJS.ErrnoException) => {
      resolve(error.name === 'AbortError' || error.name === 'TimeoutError' ? `timeout after ${timeoutMs} ms` : (error.code ?? error.name));
    });
    request.end(payload);
  });
}
