import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import type { HttpConfig } from '../config/app-config.js';

/**
 * The largest request body any route takes. POST /api/v1/srs/register (an SRS heartbeat, a few hundred bytes) reads
 * its own body with this limit; every other route takes none. One limit, so a client sees one behaviour.
 */
export const HTTP_BODY_LIMIT_BYTES = 64 * 1024;

/** Keep-alive idle time: a little above what load balancers and SRS's heartbeat client reuse a connection for. */
const KEEP_ALIVE_TIMEOUT_MS = 5_000;

/**
 * Bounds what a client can make the HTTP port hold: a request's headers must arrive within `headersTimeoutMs` and
 * the whole request within `requestTimeoutMs` (Node answers 408 and closes: no slowloris), a declared body above
 * HTTP_BODY_LIMIT_BYTES is refused with 413 before any route runs, and answers do not advertise the framework.
 * Errors are JSON (Nest's shape; 413 and the register route's in SRS's: code, error), never a stack trace. Call
 * before listen().
 */
export function hardenHttp(app: INestApplication, config: HttpConfig): void {
  // connectionsCheckingInterval is a documented option that @types/node does not declare as a property.
  const server = app.getHttpServer() as Server & { connectionsCheckingInterval: number };
  server.headersTimeout = config.headersTimeoutMs;
  server.requestTimeout = config.requestTimeoutMs;
  server.keepAliveTimeout = Math.min(KEEP_ALIVE_TIMEOUT_MS, config.headersTimeoutMs);
  // Node checks those timeouts on this period (30 s by default), read when the server starts listening.
  server.connectionsCheckingInterval = Math.max(100, Math.min(1_000, Math.floor(config.headersTimeoutMs / 4)));
  const express = app.getHttpAdapter().getInstance() as { disable?: (setting: string) => void };
  express.disable?.('x-powered-by');
  app.use(refuseLargeBodies);
}

function refuseLargeBodies(req: IncomingMessage, res: ServerResponse, next: () => void): void {
  const declared = Number(req.headers['content-length']);
  if (!(declared > HTTP_BODY_LIMIT_BYTES)) {
    next();
    return;
  }
  // The register route's own reader answers a chunked body over the limit in these words: one answer either way.
  const text = JSON.stringify({ code: 413, error: `body larger than ${HTTP_BODY_LIMIT_BYTES} bytes` });
  res.statusCode = 413;
  // The body is not read: close instead of draining it to keep the connection.
  res.setHeader('Connection', 'close');
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}
