import type { INestApplication } from '@nestjs/common';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import type { AppConfig } from './config/app-config.js';
import { hardenHttp } from './http/http-hardening.js';
import { SrtTransportStrategy } from './srt/transport/srt-transport.strategy.js';

/**
 * Starts an application built from AppModule.forRoot(config): the pino logger, the SRT transport, then HTTP (with
 * its limits: src/http/http-hardening.ts).
 * Shared by main.ts and the test that boots the real module graph, so both start the same thing.
 */
export async function startApp(app: INestApplication, config: AppConfig): Promise<void> {
  app.useLogger(app.get(PinoNestLogger));
  hardenHttp(app, config.http);
  app.connectMicroservice({ strategy: app.get(SrtTransportStrategy) }, { inheritAppConfig: true });
  await app.startAllMicroservices();
  await app.listen(config.http.listen.port, config.http.listen.host);
}
