import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { startApp } from './app-start.js';
import { ConfigError, loadConfig } from './config/load-config.js';
import { formatHostPort } from './config/listen-address.js';
import { installGracefulShutdown } from './lifecycle/graceful-shutdown.js';
import { SRT_SIDE, type SrtSide } from './srt/srt-side.js';
import { readWorkerCount } from './workers/read-worker-count.js';

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

  const workers = readWorkerCount(config.workers);
  config = { ...config, workers: workers.workers };

  // Lines logged while the module graph is built wait for the pino logger instead of going to the console.
  // No global body parser: no route but POST /api/v1/srs/register takes a body, and that one reads its own with
  // HTTP_BODY_LIMIT_BYTES (src/http/http-hardening.ts), so every client sees one limit and one error shape.
  const app = await NestFactory.create(AppModule.forRoot(config), { bufferLogs: true, abortOnError: false, bodyParser: false });
  await startApp(app, config);
  installGracefulShutdown(app, app.get<SrtSide>(SRT_SIDE), config.drainTimeoutMs);
  const logger = new Logger('Bootstrap');
  if (workers.warning !== undefined) logger.warn(workers.warning);
  logger.log(
    workers.workers > 1
      ? `SRT side in ${workers.workers} worker threads on one port (${workers.why})`
      : `SRT side in the main thread, 1 worker (${workers.why})`,
  );
  // Secrets in it (cookie secret, passwords, tokens) are cut by the logger's redaction paths.
  logger.log({ msg: 'configuration', config });
  logger.log(`HTTP listening on ${formatHostPort(config.http.listen)}`);
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`srt-proxy failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
