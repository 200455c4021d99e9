import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { startApp } from './app-start.js';
import { ConfigError, loadConfig } from './config/load-config.js';
import { formatHostPort } from './config/listen-address.js';
import { installGracefulShutdown } from './lifecycle/graceful-shutdown.js';
import { SessionManager } from './srt/session/session-manager.js';

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

  // Lines logged while the module graph is built wait for the pino logger instead of going to the console.
  // No global body parser: the only route with a body (POST /api/v1/srs/register) reads its own, with a small
  // limit and errors in its JSON shape (RegisterController).
  const app = await NestFactory.create(AppModule.forRoot(config), { bufferLogs: true, abortOnError: false, bodyParser: false });
  await startApp(app, config);
  installGracefulShutdown(app, app.get(SessionManager), config.drainTimeoutMs);
  const logger = new Logger('Bootstrap');
  // Secrets in it (cookie secret, passwords, tokens) are cut by the logger's redaction paths.
  logger.log({ msg: 'configuration', config });
  logger.log(`HTTP listening on ${formatHostPort(config.http.listen)}`);
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`srt-proxy failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
