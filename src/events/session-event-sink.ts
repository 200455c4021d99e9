import type { SessionEvent } from './session-event.js';

/** The one way out to EVENTS_URL. Resolves true when delivered (2xx), false otherwise; never rejects. */
export interface SessionEventSink {
  post(event: SessionEvent): Promise<boolean>;
  close(): Promise<void>;
}

export const SESSION_EVENT_SINK = Symbol('SESSION_EVENT_SINK');
