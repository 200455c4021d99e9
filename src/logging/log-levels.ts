import type { LogLevel as NestLogLevel } from '@nestjs/common';
import type { LogLevel } from '../config/app-config.js';

/** Maps LOG_LEVEL to the Nest levels it enables (each level includes the ones above it). */
export function nestLogLevels(level: LogLevel): NestLogLevel[] {
  switch (level) {
    case 'debug':
      return ['fatal', 'error', 'warn', 'log', 'debug'];
    case 'info':
      return ['fatal', 'error', 'warn', 'log'];
    case 'warn':
      return ['fatal', 'error', 'warn'];
    case 'error':
      return ['fatal', 'error'];
  }
}
