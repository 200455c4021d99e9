import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LogFn } from 'pino';
import type { Options } from 'pino-http';
import type { LogLevel } from '../config/app-config.js';
import { REDACT_PATHS, REDACTED, scrubRecord, scrubSecrets } from './redaction.js';

/**
 * pino (and pino-http) settings: JSON with ISO times and level names, secrets redacted and scrubbed, HTTP requests
 * at debug as method, path and status only (no headers, no query string).
 */
/** `bindings`: fields on every line (an SRT worker's number). */
export function pinoOptions(level: LogLevel, bindings: Record<string, unknown> = {}): Options {
  return {
    level,
    base: { service: 'srt-proxy', ...bindings },
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: [...REDACT_PATHS], censor: REDACTED },
    hooks: { logMethod: scrubArguments },
    useLevel: 'debug',
    quietReqLogger: true,
    serializers: {
      req: (req: IncomingMessage) => ({ method: req.method, path: (req.url ?? '').split('?')[0] }),
      res: (res: ServerResponse) => ({ status: res.statusCode }),
    },
  };
}

/** Scrubs every string and the string fields of every object handed to a log call. */
function scrubArguments(this: unknown, args: Parameters<LogFn>, method: LogFn): void {
  const clean = args.map((arg: unknown) =>
    typeof arg === 'string' ? scrubSecrets(arg) : arg !== null && typeof arg === 'object' && !(arg instanceof Error) ? scrubRecord(arg as Record<string, unknown>) : arg,
  );
  (method as (...a: unknown[]) => void).apply(this, clean);
}
