import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../../src/config/load-config.js';
import type { SessionEvent } from '../../../src/events/session-event.js';
import type { SessionEventSink } from '../../../src/events/session-event-sink.js';
import { SessionEvents } from '../../../src/events/session-events.js';

class HeldSink implements SessionEventSink {
  readonly posted: SessionEvent[] = [];
  private release: ((ok: boolean) => void) | undefined;
  post(event: SessionEvent): Promise<boolean> {
    this.posted.push(event);
    return new Promise((resolve) => (this.release = resolve));
  }
  answer(ok: boolean): void {
    const r = this.release;
    this.release = undefined;
    r?.(ok);
  }
  async close(): Promise<void> {}
}

function event(n: number): SessionEvent {
  return { type: 'start', at: 't', session: `s${n}`, action: 'publish', streamKey: 'k', caller: { address: 'a', port: n }, origin: null };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('SessionEvents', () => {
  it('posts in order one at a time, drops and counts beyond EVENTS_QUEUE_MAX, counts failures', async () => {
    const sink = new HeldSink();
    const events = new SessionEvents(loadConfig({ EVENTS_URL: 'http://h/e', EVENTS_QUEUE_MAX: '2' }), sink);
    for (let i = 1; i <= 5; i++) events.publish(event(i));
    // s1 is being posted (out of the queue), s2 and s3 wait, s4 and s5 found the queue full.
    assert.deepEqual(events.counts(), { posted: 0, dropped: 2, failed: 0, queued: 2 });
    sink.answer(true);
    await flush();
    sink.answer(false);
    await flush();
    sink.answer(true);
    await flush();
    assert.deepEqual(sink.posted.map((e) => e.session), ['s1', 's2', 's3']);
    assert.deepEqual(events.counts(), { posted: 2, dropped: 2, failed: 1, queued: 0 });
    events.publish(event(6));
    assert.equal(sink.posted.at(-1)?.session, 's6', 'the sender starts again for a new event');
  });

  it('does nothing without EVENTS_URL', () => {
    const events = new SessionEvents(loadConfig({}), null);
    events.publish(event(1));
    assert.equal(events.enabled, false);
    assert.deepEqual(events.counts(), { posted: 0, dropped: 0, failed: 0, queued: 0 });
  });
});
