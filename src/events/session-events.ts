import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.tokens.js';
import type { SessionEvent } from './session-event.js';
import { SESSION_EVENT_SINK, type SessionEventSink } from './session-event-sink.js';

export interface SessionEventCounts {
  /** Delivered (2xx). */
  readonly posted: number;
  /** Not queued because the queue was full. */
  readonly dropped: number;
  /** Posted but not delivered (timeout, connection error, non-2xx): not retried. */
  readonly failed: number;
  /** Waiting now. */
  readonly queued: number;
}

/**
 * Session start and end events, posted in the background: publish() only appends to a bounded queue (never waits,
 * never throws), and one sender drains it in order. When the receiver is slower than sessions come and go, the queue
 * fills and new events are dropped and counted: the handshake path never waits on it and memory stays bounded.
 */
@Injectable()
export class SessionEvents implements OnModuleDestroy {
  private readonly queue: SessionEvent[] = [];
  private head = 0;
  private sending = false;
  private posted = 0;
  private dropped = 0;
  private failed = 0;
  private readonly max: number;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(SESSION_EVENT_SINK) private readonly sink: SessionEventSink | null,
  ) {
    this.max = config.events.queueMax;
  }

  get enabled(): boolean {
    return this.sink !== null;
  }

  publish(event: SessionEvent): void {
    if (this.sink === null) return;
    if (this.queue.length - this.head >= this.max) {
      this.dropped++;
      return;
    }
    this.queue.push(event);
    if (!this.sending) void this.drain();
  }

  counts(): SessionEventCounts {
    return { posted: this.posted, dropped: this.dropped, failed: this.failed, queued: this.queue.length - this.head };
  }

  async onModuleDestroy(): Promise<void> {
    await this.sink?.close();
  }

  private async drain(): Promise<void> {
    this.sending = true;
    try {
      while (this.head < this.queue.length) {
        const event = this.queue[this.head]!;
        this.queue[this.head++] = undefined as unknown as SessionEvent;
        // Compact now and then instead of shift() per event (O(n) each).
        if (this.head > 1024 && this.head * 2 > this.queue.length) {
          this.queue.splice(0, this.head);
          this.head = 0;
        }
        let delivered = false;
        try {
          delivered = await this.sink!.post(event);
        } catch {
          delivered = false;
        }
        if (delivered) this.posted++;
        else this.failed++;
      }
      this.queue.length = 0;
      this.head = 0;
    } finally {
      this.sending = false;
    }
  }
}
