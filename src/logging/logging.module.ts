import type { IncomingMessage, ServerResponse } from 'node:http';
import { Global, Module, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { LogFn } from 'pino';
import type { AppConfig } from '../config/app-config.js';
import { LogDestination } from './log-destination.js';
import { REDACT_PATHS, REDACTED, scrubRecord, scrubSecrets } from './redaction.js';
import { RejectionLog } from './rejection-log.js';

/**
 * pino behind Nest's Logger (nestjs-pino), so every `new Logger(context)` writes JSON lines through one
 * asynchronous stdout destination. HTTP requests are logged at debug only, as method, path and status: no
 * headers, no query string.
 */
@Global()
@Module({})
export class LoggingModule {
  static forRoot(config: AppConfig, destination: LogDestination = new LogDestination()): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: [
            {
              level: config.logLevel,
              base: { service: 'srt-proxy' },
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
            },
            destination.stream,
          ],
        }),
      ],
      providers: [{ provide: LogDestination, useValue: destination }, RejectionLog],
      exports: [LogDestination, RejectionLog],
    };
  }
}

/** Scrubs every string and the string fields of every object handed to a log call. */
function scrubArguments(this: unknown, args: Parameters<LogFn>, method: LogFn): void {
  const clean = args.map((arg: unknown) =>
    typeof arg === 'string' ? scrubSecrets(arg) : arg !== null && typeof arg === 'object' && !(arg instanceof Error) ? scrubRecord(arg as Record<string, unknown>) : arg,
  );
  (method as (...a: unknown[]) => void).apply(this, clean);
}
