import { Global, Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import type { AppConfig } from './app-config.js';
import { APP_CONFIG } from './config.tokens.js';

/**
 * Registers the already-validated config: @nestjs/config's ConfigService for code that wants it by path, and the
 * typed AppConfig under APP_CONFIG for everything else. Validation happens before Nest starts (main.ts) so a bad
 * value ends start-up with one clear line instead of a stack trace.
 */
@Global()
@Module({})
export class AppConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppConfigModule,
      imports: [ConfigModule.forRoot({ ignoreEnvFile: true, load: [() => ({ ...config })] })],
      providers: [{ provide: APP_CONFIG, useValue: config }],
      exports: [APP_CONFIG, ConfigModule],
    };
  }
}
