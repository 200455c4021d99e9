import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

/** Keeps at most this many characters of a child's stdout/stderr in memory (the tail). */
const MAX_CAPTURE = 64 * 1024;

/** Children still running: killed when the test process exits, even after a test timeout skipped its cleanup. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      /* gone */
    }
  }
});

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface ManagedProcessOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** When set, the child's stdout goes straight into this file (e.g. a received TS stream). */
  readonly stdoutFile?: string;
}

/** A spawned child whose output is captured and which is always stopped by `stop()` (idempotent). */
export class ManagedProcess {
  readonly child: ChildProcess;
  readonly startedAt = performance.now();
  readonly exited: Promise<ExitInfo>;
  exitInfo: ExitInfo | undefined;
  exitedAt: number | undefined;
  private out = '';
  private errText = '';
  private readonly outFd: number | undefined;

  constructor(
    readonly name: string,
    readonly command: string,
    readonly args: readonly string[],
    options: ManagedProcessOptions = {},
  ) {
    this.outFd = options.stdoutFile === undefined ? undefined : openSync(options.stdoutFile, 'w');
    this.child = spawn(command, [...args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', this.outFd ?? 'pipe', 'pipe'],
    });
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      this.out = (this.out + chunk).slice(-MAX_CAPTURE);
    });
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.errText = (this.errText + chunk).slice(-MAX_CAPTURE);
    });
    live.add(this.child);
    this.exited = new Promise<ExitInfo>((resolve) => {
      const finish = (info: ExitInfo): void => {
        if (this.exitInfo) return;
        live.delete(this.child);
        this.exitInfo = info;
        this.exitedAt = performance.now();
        if (this.outFd !== undefined) closeSync(this.outFd);
        resolve(info);
      };
      this.child.once('error', (error) => {
        this.errText += `\n[spawn error] ${error.message}`;
        finish({ code: -1, signal: null });
      });
      // 'close' waits for stdio to drain, so stderr is complete when the promise resolves.
      this.child.once('close', (code, signal) => finish({ code, signal }));
    });
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error(`${this.name}: not started`);
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  get stdout(): string {
    return this.out;
  }

  get stderr(): string {
    return this.errText;
  }

  /** Milliseconds from spawn to exit (or to now while running). */
  get durationMs(): number {
    return (this.exitedAt ?? performance.now()) - this.startedAt;
  }

  /** Waits for the exit; kills the child (SIGKILL) if it takes longer than `timeoutMs`. */
  async waitExit(timeoutMs: number): Promise<ExitInfo> {
    const timer = setTimeout(() => {
      if (this.running) {
        this.errText += `\n[harness] ${this.name} still running after ${timeoutMs} ms: SIGKILL`;
        this.child.kill('SIGKILL');
      }
    }, timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends `signal` (SIGTERM by default), then SIGKILL after `graceMs`. Safe to call more than once. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 3000): Promise<ExitInfo> {
    if (this.running && this.child.pid !== undefined) {
      try {
        this.child.kill(signal);
      } catch {
        /* already gone */
      }
    }
    return this.waitExit(graceMs);
  }

  describe(maxChars = 6000): string {
    const tail = (text: string): string => (text.length > maxChars ? `…${text.slice(-maxChars)}` : text);
    const status = this.exitInfo
      ? `exited code=${this.exitInfo.code} signal=${this.exitInfo.signal} after ${this.durationMs.toFixed(0)} ms`
      : `running for ${this.durationMs.toFixed(0)} ms`;
    return [
      `----- ${this.name} (pid ${this.child.pid ?? '?'}, ${status})`,
      `$ ${this.command} ${this.args.map((a) => (/[\s#&?!]/.test(a) ? `'${a}'` : a)).join(' ')}`,
      this.outFd === undefined ? `--- stdout:\n${tail(this.out)}` : '--- stdout: (redirected to a file)',
      `--- stderr:\n${tail(this.errText)}`,
    ].join('\n');
  }
}

const REQUIRED_PEERS = ['ffmpeg', 'ffprobe', 'srt-live-transmit'] as const;

/** Fails loudly when a real SRT peer is missing: these tests are never skipped. */
export function requirePeers(): void {
  const missing = REQUIRED_PEERS.filter(
    (tool) => spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status !== 0,
  );
  if (missing.length > 0) {
    throw new Error(
      `e2e tests need real SRT peers; missing on PATH: ${missing.join(', ')}. ` +
        'Install them with: apt-get install -y ffmpeg srt-tools',
    );
  }
  const protocols = spawnSync('ffmpeg', ['-hide_banner', '-protocols'], { encoding: 'utf8' }).stdout ?? '';
  if (!/^\s*srt\s*$/m.test(protocols)) {
    throw new Error('ffmpeg on PATH was built without libsrt (no "srt" in `ffmpeg -protocols`). apt-get install -y ffmpeg srt-tools');
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` every `intervalMs` until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 50,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (performance.now() >= deadline) {
      const suffix = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${suffix}`);
    }
    await sleep(intervalMs);
  }
}
