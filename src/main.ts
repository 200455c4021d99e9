import 'reflect-metadata';
import { ConsoleLogger, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { ConfigError, loadConfig } from './config/load-config.js';
import { formatHostPort } from './config/listen-address.js';
import { nestLogLevels } from './logging/log-levels.js';
import { installGracefulShutdown } from './lifecycle/graceful-shutdown.js';
import { SessionManager } from './srt/session/session-manager.js';
import { SrtTransportStrategy } from './srt/transport/srt-transport.strategy.js';

async function bootstrap(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }

  const logger = new ConsoleLogger('srt-proxy', { json: true, logLevels: nestLogLevels(config.logLevel) });
  // No global body parser: the only route with a body (POST /api/v1/srs/register) reads its own, with a small
  // limit and errors in its JSON shape (RegisterController).
  const app = await NestFactory.create(AppModule.forRoot(config), { logger, abortOnError: false, bodyParser: false });
  app.connectMicroservice({ strategy: app.get(SrtTransportStrategy) }, { inheritAppConfig: true });
  await app.startAllMicroservices();
  await app.listen(config.http.listen.port, config.http.listen.host);
  installGracefulShutdown(app, app.get(SessionManager), config.drainTimeoutMs);
  new Logger('Bootstrap').log(`HTTP listening on ${formatHostPort(config.http.listen)}`);
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`srt-proxy failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
