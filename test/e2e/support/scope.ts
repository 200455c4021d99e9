import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { ManagedProcess } from '../../support/process.js';
import type { ProxyProcess } from '../../support/proxy.js';
import { startProxy, type ProxyOptions } from './proxy.js';
import { RawCaller } from './raw-caller.js';
import { ScriptedOrigin, SilentOrigin } from '../../support/scripted-origin.js';
import {
  ReceiverOrigin,
  ServingOrigin,
  finishRun,
  playTimeoutMs,
  publishTimeoutMs,
  startPlayer,
  startPublisher,
  type PlayOptions,
  type PublishOptions,
  type ReceiverOriginOptions,
  type ServingOriginOptions,
  type PeerRun,
} from './peers.js';

interface Closable {
  close(): Promise<void>;
}

/**
 * Owns everything one e2e test starts: processes, sockets, a temp dir. On failure it prints every process's
 * command line, exit status, stdout and stderr (the proxy's first); it always stops and closes everything.
 */
export class Scope {
  readonly dir = mkdtempSync(join(tmpdir(), 'srt-proxy-e2e-'));
  private readonly processes: ManagedProcess[] = [];
  private readonly proxies: ProxyProcess[] = [];
  private readonly closables: Closable[] = [];
  private readonly notes: string[] = [];

  note(text: string): void {
    this.notes.push(text);
  }

  track(proc: ManagedProcess): ManagedProcess {
    this.processes.push(proc);
    return proc;
  }

  async proxy(options: ProxyOptions): Promise<ProxyProcess> {
    const proxy = await startProxy(options);
    this.proxies.push(proxy);
    return proxy;
  }

  async receiverOrigin(options: Omit<ReceiverOriginOptions, 'dir'>): Promise<ReceiverOrigin> {
    const origin = await ReceiverOrigin.start({ ...options, dir: this.dir });
    this.processes.push(origin.process);
    return origin;
  }

  async servingOrigin(options: Omit<ServingOriginOptions, 'dir'>): Promise<ServingOrigin> {
    const origin = await ServingOrigin.start({ ...options, dir: this.dir });
    this.processes.push(origin.process);
    return origin;
  }

  /** Closes what `created` resolves to at dispose(). */
  private async own<T extends Closable>(created: Promise<T>): Promise<T> {
    const closable = await created;
    this.closables.push(closable);
    return closable;
  }

  rawCaller(host = '127.0.0.1'): Promise<RawCaller> {
    return this.own(RawCaller.create(host));
  }

  /** A scripted origin that records every datagram and sends no keepalives. */
  /** `receiveBufferBytes` for origins that must not lose a datagram while this busy test process is slow to read. */
  rawOrigin(host = '127.0.0.1', socketId?: number, receiveBufferBytes = 0): Promise<ScriptedOrigin> {
    return this.own(ScriptedOrigin.create({ host, receiveBufferBytes, ...(socketId !== undefined ? { socketId } : {}) }));
  }

  silentOrigin(host = '127.0.0.1'): Promise<SilentOrigin> {
    return this.own(SilentOrigin.create(host));
  }

  startPublisher(options: PublishOptions): ManagedProcess {
    return this.track(startPublisher(options));
  }

  /** Publishes and waits for ffmpeg to exit (killed after seconds + 15 s). */
  async publish(options: PublishOptions): Promise<PeerRun> {
    return finishRun(this.startPublisher(options), publishTimeoutMs(options));
  }

  /** Plays into `file` in the temp dir and waits for ffmpeg to exit (killed after seconds + 20 s). */
  async play(options: Omit<PlayOptions, 'outFile'> & { file: string }): Promise<PeerRun & { outFile: string }> {
    const outFile = join(this.dir, options.file);
    const run = await finishRun(this.track(startPlayer({ ...options, outFile })), playTimeoutMs(options));
    return { ...run, outFile };
  }

  /** Everything known about the test's processes, plus the live proxies' /api/v1/stats and /api/v1/sessions. */
  async describe(): Promise<string> {
    const proxyViews = await Promise.all(
      this.proxies.map(async (p) => {
        if (!p.process.running) return p.describe();
        const view = async (path: string): Promise<string> => {
          try {
            return JSON.stringify(await p.getJson(path));
          } catch (error) {
            return `(${(error as Error).message})`;
          }
        };
        return `${p.describe()}
--- GET /api/v1/stats: ${await view('/api/v1/stats')}
--- GET /api/v1/sessions: ${await view('/api/v1/sessions')}`;
      }),
    );
    const parts = [
      ...proxyViews,
      ...this.processes.map((p) => p.describe()),
      ...(this.notes.length > 0 ? [`----- notes\n${this.notes.join('\n')}`] : []),
      `----- temp dir ${this.dir}`,
    ];
    return parts.join('\n');
  }

  async dispose(keepDir: boolean): Promise<void> {
    const errors: unknown[] = [];
    for (const c of [...this.closables].reverse()) {
      try {
        await c.close();
      } catch (e) {
        errors.push(e);
      }
    }
    await Promise.all(
      [...this.processes].reverse().map(async (p) => {
        try {
          await p.stop('SIGTERM', 2000);
        } catch (e) {
          errors.push(e);
        }
      }),
    );
    for (const proxy of this.proxies) {
      try {
        await proxy.stop();
      } catch (e) {
        errors.push(e);
      }
    }
    if (!keepDir) rmSync(this.dir, { recursive: true, force: true });
    if (errors.length > 0) console.error('e2e cleanup errors:', errors);
  }
}

/**
 * `test(name, …)` with a {@link Scope}: diagnostics are printed on failure and everything is cleaned up in `finally`.
 * The temp dir is kept (and its path printed) when the test fails.
 */
export function e2eTest(name: string, body: (scope: Scope, t: TestContext) => Promise<void>, options: { timeout?: number } = {}): void {
  test(name, { timeout: options.timeout ?? 60_000 }, async (t) => {
    const scope = new Scope();
    let failed = true;
    try {
      await body(scope, t);
      failed = false;
    } catch (error) {
      console.error(`\n===== e2e failure in "${name}": diagnostics\n${await scope.describe()}\n===== end of diagnostics\n`);
      throw error;
    } finally {
      await scope.dispose(failed);
    }
  });
}
