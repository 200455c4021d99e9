import { Module } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.tokens.js';
import { HttpSessionEventSink } from './http-session-event-sink.js';
import { SESSION_EVENT_SINK, type SessionEventSink } from './session-event-sink.js';
import { SessionEvents } from './session-events.js';

@Module({
  providers: [
    {
      provide: SESSION_EVENT_SINK,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): SessionEventSink | null =>
        config.events.url === undefined ? null : new HttpSessionEventSink(config.events.url, config.events.timeoutMs),
    },
    SessionEvents,
  ],
  exports: [SessionEvents],
})
export class EventsModule {}
