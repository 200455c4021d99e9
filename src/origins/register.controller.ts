import { All, Controller, Inject, Logger, Post, Req, Res } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.tokens.js';
import { BearerToken } from './bearer-token.js';
import { parseHeartbeat } from './heartbeat.js';
import { ORIGIN_REGISTRAR, type OriginRegistrar } from './origin-registrar.js';
import { readRegisterBody } from './register-body.js';

/** A real heartbeat is about 250 bytes; 64 KiB leaves room for SRS's optional summaries and nothing more. */
export const REGISTER_BODY_LIMIT_BYTES = 64 * 1024;
/** SRS sends the next heartbeat after its interval anyway; a registrar slower than this is treated as down. */
const REGISTRAR_TIMEOUT_MS = 3000;
/**
 * SRS ignores our answer, so a refused heartbeat is visible only in our log; a misconfigured origin repeats it every
 * interval, so each kind of refusal is logged at most this often.
 */
const REFUSAL_LOG_INTERVAL_MS = 60_000;

interface Reply {
  readonly code: number;
  readonly [field: string]: unknown;
}

/**
 * Where SRS origins announce themselves (`heartbeat.url`), answering like the Go proxy: `{"code":0,"pid":...}`.
 * Each request gets exactly one response, written here (`@Res()`), in the same JSON shape for every outcome:
 * 400 bad body, 401 token, 413 too large, 503 registrar failed, 405 another method. `code` is the HTTP status for
 * errors, 0 for success.
 */
@Controller('api/v1/srs')
export class RegisterController {
  private readonly logger = new Logger('Register');
  private readonly token: BearerToken | undefined;
  /** Last log time per HTTP status of a refusal (a handful of keys). */
  private readonly lastRefusalLog = new Map<number, number>();

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(ORIGIN_REGISTRAR) private readonly registrar: OriginRegistrar,
  ) {
    this.token = config.registerToken === undefined ? undefined : new BearerToken(config.registerToken);
  }

  @Post('register')
  async register(@Req() req: IncomingMessage, @Res() res: ServerResponse): Promise<void> {
    if (this.token !== undefined && !this.token.matches(req.headers.authorization)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="srt-proxy"');
      // Not "bearer token": the log scrubber takes the word after "bearer" for a credential.
      this.refuse(req, res, 401, 'missing or wrong token (Authorization: Bearer)');
      return;
    }
    const body = await readRegisterBody(req, REGISTER_BODY_LIMIT_BYTES);
    if (!body.ok) {
      this.refuse(req, res, body.status, body.error);
      return;
    }
    const heartbeat = parseHeartbeat(body.value);
    if (!heartbeat.ok) {
      this.refuse(req, res, 400, heartbeat.error);
      return;
    }
    try {
      await withTimeout(this.registrar.register(heartbeat.value), REGISTRAR_TIMEOUT_MS);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.logger.warn(`heartbeat of server ${heartbeat.value.serverId} not recorded: ${reason}`);
      send(res, 503, { code: 503, error: 'the origin registry is unavailable; SRS will retry with its next heartbeat' });
      return;
    }
    send(res, 200, { code: 0, pid: String(process.pid) });
  }

  private refuse(req: IncomingMessage, res: ServerResponse, status: number, error: string): void {
    send(res, status, { code: status, error });
    const now = Date.now();
    if (now - (this.lastRefusalLog.get(status) ?? -Infinity) < REFUSAL_LOG_INTERVAL_MS) return;
    this.lastRefusalLog.set(status, now);
    // The error text is ours (field names, bounded excerpts); never a header, so never the token.
    this.logger.warn(`heartbeat from ${req.socket.remoteAddress ?? '?'} refused (${status}): ${error}`);
  }

  /** The Go proxy accepts any method; we say which one works instead of a bare 404. */
  @All('register')
  otherMethod(@Res() res: ServerResponse): void {
    res.setHeader('Allow', 'POST');
    send(res, 405, { code: 405, error: 'use POST' });
  }
}

function send(res: ServerResponse, status: number, reply: Reply): void {
  // One response per request, even if a client disconnect or a slow registrar raced us here.
  if (res.headersSent || res.writableEnded) return;
  const text = JSON.stringify(reply);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

function withTimeout(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
