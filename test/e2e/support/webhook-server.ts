// A real HTTP server started by a test on 127.0.0.1:0, standing in for an admission webhook or an events receiver:
// it records every JSON body it gets and answers as the test says (status, delay, or never).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WebhookReply {
  readonly status: number;
  /** Answer after this long (a slow webhook). */
  readonly delayMs?: number;
}

/** 'hang' keeps the request open until the server closes (a webhook that never answers). */
export type WebhookResponder = (body: Record<string, unknown>) => WebhookReply | 'hang';

export class WebhookServer {
  /** Every request body received, in arrival order. */
  readonly bodies: Record<string, unknown>[] = [];
  respond: WebhookResponder;
  private readonly held = new Set<http.ServerResponse>();

  private constructor(
    private readonly server: http.Server,
    respond: WebhookResponder,
  ) {
    this.respond = respond;
  }

  static async start(respond: WebhookResponder): Promise<WebhookServer> {
    let self: WebhookServer | undefined;
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => self!.onRequest(Buffer.concat(chunks).toString('utf8'), req, res));
    });
    self = new WebhookServer(server, respond);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return self;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  url(path = '/hook'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  private onRequest(text: string, req: http.IncomingMessage, res: http.ServerResponse): void {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      body = { unparsable: text, contentType: req.headers['content-type'] };
    }
    this.bodies.push(body);
    const reply = this.respond(body);
    if (reply === 'hang') {
      this.held.add(res);
      return;
    }
    const send = (): void => {
      res.writeHead(reply.status, { 'content-type': 'application/json' }).end('{}');
    };
    if ((reply.delayMs ?? 0) > 0) setTimeout(send, reply.delayMs);
    else send();
  }

  async close(): Promise<void> {
    for (const res of this.held) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
