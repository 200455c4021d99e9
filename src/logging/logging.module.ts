import { Global, Module, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { AppConfig } from '../config/app-config.js';
import { LogDestination } from './log-destination.js';
import { pinoOptions } from './pino-options.js';
import { RejectionLog } from './rejection-log.js';
import { SessionLog } from './session-log.js';

/**
 * pino behind Nest's Logger (nestjs-pino), so every `new Logger(context)` writes JSON lines through one
 * asynchronous stdout destination. HTTP requests are logged at debug only, as method, path and status: no
 * headers, no query string. Session start and end lines go through their own lean logger into the same destination.
 */
@Global()
@Module({})
export class LoggingModule {
  /** `bindings`: fields on every line (an SRT worker's `worker` number). */
  static forRoot(config: AppConfig, destination: LogDestination = new LogDestination(), bindings: Record<string, unknown> = {}): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({ pinoHttp: [pinoOptions(config.logLevel, bindings), destination.stream] }),
      ],
      providers: [
        { provide: LogDestination, useValue: destination },
        { provide: SessionLog, useValue: SessionLog.create(config.logLevel, destination.stream, bindings) },
        RejectionLog,
      ],
      exports: [LogDestination, RejectionLog, SessionLog],
    };
  }
}
