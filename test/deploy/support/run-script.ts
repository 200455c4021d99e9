// Runs one of the repository's check scripts (scripts/*.sh) as a test: its whole output is kept for the report and
// shown on failure.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

export interface ScriptRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly output: string;
  readonly durationMs: number;
}

/** `bash scripts/<name>` from the repo root (npm's cwd), killed after `timeoutMs`. */
export function runScript(name: string, timeoutMs: number, env: Record<string, string> = {}): Promise<ScriptRun> {
  const started = performance.now();
  return new Promise((done, reject) => {
    const child = spawn('bash', [resolve(process.cwd(), 'scripts', name)], {
      cwd: process.cwd(),
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so a timeout reaches what the script runs in the foreground too (a docker build,
      // go install): bash runs its exit trap only once that foreground command has ended.
      detached: true,
    });
    const signalGroup = (signal: NodeJS.Signals): void => {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        /* already gone */
      }
    };
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    // SIGTERM first: the scripts' exit traps stop what they started (containers, dockerd) and restore the host.
    const timer = setTimeout(() => {
      output += `\n[test] scripts/${name} still running after ${timeoutMs} ms: SIGTERM to its process group`;
      signalGroup('SIGTERM');
      setTimeout(() => signalGroup('SIGKILL'), 30_000).unref();
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, output, durationMs: performance.now() - started });
    });
  });
}
