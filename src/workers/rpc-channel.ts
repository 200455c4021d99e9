/**
 * Request/answer and one-way messages between the main thread and one SRT worker over a message port. Every call
 * has an id and a deadline: a worker that is busy, wedged or gone makes calls fail (never hang), and close() fails
 * whatever is still waiting. Messages are structured clones: plain data, Maps and arrays, no class instances.
 */

/** The two ends: a Worker in the main thread, `parentPort` in the worker. */
export interface MessageEndpoint {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  off(event: 'message', listener: (message: unknown) => void): unknown;
}

type Handler = (...args: never[]) => unknown;

interface CallMessage {
  readonly rpc: 'call';
  readonly id: number;
  readonly method: string;
  readonly args: unknown[];
}
interface ReplyMessage {
  readonly rpc: 'reply';
  readonly id: number;
  readonly ok: boolean;
  readonly value?: unknown;
  readonly error?: string;
}
interface NoteMessage {
  readonly rpc: 'note';
  readonly method: string;
  readonly args: unknown[];
}
type RpcMessage = CallMessage | ReplyMessage | NoteMessage;

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export class RpcTimeoutError extends Error {
  constructor(method: string, ms: number) {
    super(`${method}: no answer within ${ms} ms`);
    this.name = 'RpcTimeoutError';
  }
}

export class RpcChannel {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly handlers = new Map<string, Handler>();
  private closed: string | undefined;
  private readonly onMessage = (message: unknown): void => this.receive(message);

  /** `timeoutMs`: how long a call waits for its answer unless the call says otherwise. */
  constructor(
    private readonly endpoint: MessageEndpoint,
    private readonly timeoutMs: number,
  ) {
    endpoint.on('message', this.onMessage);
  }

  /** Answers the other side's calls and notes named `method`. A handler's throw or rejection goes back as an error. */
  handle(method: string, handler: Handler): void {
    this.handlers.set(method, handler);
  }

  call<T>(method: string, args: unknown[] = [], timeoutMs = this.timeoutMs): Promise<T> {
    if (this.closed !== undefined) return Promise.reject(new Error(`${method}: ${this.closed}`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new RpcTimeoutError(method, timeoutMs));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
      this.post({ rpc: 'call', id, method, args });
    });
  }

  /** A one-way message: no answer, no delivery guarantee once the other side is gone. */
  notify(method: string, args: unknown[] = []): void {
    if (this.closed === undefined) this.post({ rpc: 'note', method, args });
  }

  /** Fails every waiting call with `reason` and stops listening. */
  close(reason: string): void {
    if (this.closed !== undefined) return;
    this.closed = reason;
    this.endpoint.off('message', this.onMessage);
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(new Error(reason));
    }
  }

  private post(message: RpcMessage): void {
    try {
      this.endpoint.postMessage(message);
    } catch (error) {
      // A value that cannot be cloned fails this call only.
      if (message.rpc === 'call') this.settle({ rpc: 'reply', id: message.id, ok: false, error: (error as Error).message });
      else if (message.rpc === 'reply') this.post({ rpc: 'reply', id: message.id, ok: false, error: (error as Error).message });
    }
  }

  private receive(raw: unknown): void {
    const message = raw as RpcMessage;
    if (message === null || typeof message !== 'object' || !('rpc' in message)) return;
    if (message.rpc === 'reply') {
      this.settle(message);
      return;
    }
    const handler = this.handlers.get(message.method);
    if (message.rpc === 'note') {
      if (handler !== undefined) handler(...(message.args as never[]));
      return;
    }
    if (handler === undefined) {
      this.post({ rpc: 'reply', id: message.id, ok: false, error: `no method ${message.method}` });
      return;
    }
    Promise.resolve()
      .then(() => handler(...(message.args as never[])))
      .then(
        (value) => this.post({ rpc: 'reply', id: message.id, ok: true, value }),
        (error: unknown) => this.post({ rpc: 'reply', id: message.id, ok: false, error: error instanceof Error ? error.message : String(error) }),
      );
  }

  private settle(reply: ReplyMessage): void {
    const p = this.pending.get(reply.id);
    if (p === undefined) return; // timed out already
    this.pending.delete(reply.id);
    clearTimeout(p.timer);
    if (reply.ok) p.resolve(reply.value);
    else p.reject(new Error(reply.error ?? 'failed'));
  }
}
