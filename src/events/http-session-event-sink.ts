import http from 'node:http';
import https from 'node:https';
import { postJson } from '../admission/http-admission-client.js';
import type { SessionEvent } from './session-event.js';
import type { SessionEventSink } from './session-event-sink.js';

/** POSTs each event as JSON over one kept-alive connection (events go one at a time, see SessionEvents). */
export class HttpSessionEventSink implements SessionEventSink {
  private readonly agent: http.Agent;
  private readonly transport: typeof http | typeof https;

  constructor(
    private readonly url: URL,
    private readonly timeoutMs: number,
  ) {
    const secure = url.protocol === 'https:';
    this.transport = secure ? https : http;
    const pool = { keepAlive: true, maxSockets: 1, maxTotalSockets: 1, maxFreeSockets: 1 };
    this.agent = secure ? new https.Agent(pool) : new http.Agent(pool);
  }

  async post(event: SessionEvent): Promise<boolean> {
    const status = await postJson(this.transport, this.agent, this.url, this.timeoutMs, event);
    return typeof status === 'number' && status >= 200 && status < 300;
  }

  async close(): Promise<void> {
    this.agent.destroy();
  }
}
