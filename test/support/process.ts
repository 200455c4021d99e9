// Child processes, sleep and polling, shared by the e2e tests (test/e2e) and the benchmarks (bench).

import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, createWriteStream, openSync } from 'node:fs';
import { createInterface } from 'node:readline';

/** Keeps at most this many characters of a child's stdout/stderr in memory (the tail). */
const MAX_CAPTURE = 64 * 1024;

/** Children still running: killed when this process exits, even after a test timeout skipped its cleanup. */
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
  /** 'pipe' lets {@link ManagedProcess.write} send command lines; stop() then closes stdin before signalling. */
  readonly stdin?: 'ignore' | 'pipe';
  /**
   * 'capture' (default): the tail is kept for describe(); 'lines': as well, every line is queued for
   * {@link ManagedProcess.nextLine}; 'ignore': not read at all (unless `logFile` is set).
   */
  readonly stdout?: 'capture' | 'lines' | 'ignore';
  /** When set, the child's stdout goes straight into this file (e.g. a received TS stream). */
  readonly stdoutFile?: string;
  /** When set, the child's stdout (line by line) and stderr are appended to this file. */
  readonly logFile?: string;
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
  /** Unread stdout lines (stdout: 'lines'). */
  private readonly lines: string[] = [];
  private waiters: (() => void)[] = [];

  constructor(
    readonly name: string,
    readonly command: string,
    readonly args: readonly string[],
    options: ManagedProcessOptions = {},
  ) {
    const stdoutMode = options.stdout ?? 'capture';
    const log = options.logFile === undefined ? undefined : createWriteStream(options.logFile, { flags: 'a' });
    this.outFd = options.stdoutFile === undefined ? undefined : openSync(options.stdoutFile, 'w');
    const pipeStdout = stdoutMode !== 'ignore' || log !== undefined;
    this.child = spawn(command, [...args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: [options.stdin ?? 'ignore', this.outFd ?? (pipeStdout ? 'pipe' : 'ignore'), 'pipe'],
    });
    if (stdoutMode === 'lines' || log !== undefined) {
      if (this.child.stdout) {
        createInterface({ input: this.child.stdout }).on('line', (line) => {
          log?.write(`${line}\n`);
          if (stdoutMode === 'ignore') return;
          this.out = (this.out + line + '\n').slice(-MAX_CAPTURE);
          if (stdoutMode === 'lines') {
            this.lines.push(line);
            this.wake();
          }
        });
      }
    } else {
      this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
        this.out = (this.out + chunk).slice(-MAX_CAPTURE);
      });
    }
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      log?.write(chunk);
      this.errText = (this.errText + chunk).slice(-MAX_CAPTURE);
    });
    this.child.stdin?.on('error', () => undefined);
    live.add(this.child);
    this.exited = new Promise<ExitInfo>((resolve) => {
      const finish = (info: ExitInfo): void => {
        if (this.exitInfo) return;
        live.delete(this.child);
        this.exitInfo = info;
        this.exitedAt = performance.now();
        if (this.outFd !== undefined) closeSync(this.outFd);
        this.wake();
        resolve(info);
      };
      this.child.once('error', (error) => {
        this.errText += `\n[spawn error] ${error.message}`;
        finish({ code: -1, signal: null });
      });
      // 'close' waits for stdio to drain, so stderr is complete when the promise resolves.
      this.child.once('close', (code, signal) => {
        log?.end();
        finish({ code, signal });
      });
    });
  }

  get pid(): number {
    if (this.child.pid === undefined) {
      throw new Error(`${this.name}: not started${this.errText.length > 0 ? ` (${this.errText.trim()})` : ''}`);
    }
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

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Sends one command line on stdin (stdin: 'pipe'). */
  write(line: string): void {
    if (!this.child.stdin) throw new Error(`${this.name}: stdin is not a pipe`);
    this.child.stdin.write(`${line}\n`);
  }

  /**
   * The next stdout line matching `prefix` (stdout: 'lines'; earlier non-matching lines are dropped). Rejects on
   * timeout or exit.
   */
  async nextLine(prefix: RegExp, timeoutMs: number): Promise<string> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      while (this.lines.length > 0) {
        const line = this.lines.shift()!;
        if (prefix.test(line)) return line;
      }
      if (!this.running) throw new Error(`${this.name} exited before printing ${prefix}; stderr: ${this.errText.trim()}`);
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`${this.name}: no ${prefix} within ${timeoutMs} ms; stderr: ${this.errText.trim()}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
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

  /**
   * Closes a piped stdin and sends `signal` (SIGTERM by default), then SIGKILL after `graceMs`. Safe to call more
   * than once.
   */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 3000): Promise<ExitInfo> {
    if (this.running && this.child.pid !== undefined) {
      try {
        this.child.stdin?.end();
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
