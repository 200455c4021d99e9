import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { after, describe, it } from 'node:test';
import { LogDestination } from '../../../src/logging/log-destination.js';

const dir = mkdtempSync(join(tmpdir(), 'log-destination-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const FLUSH_INTERVAL_MS = 10;
/** What a loaded 2-core machine may add to a timer and a thread hand-off. */
const SLACK_MS = 1000;
const moduleUrl = new URL('../../../src/logging/log-destination.js', import.meta.url).href;

let files = 0;
/** A destination writing into a fresh file (a real fd), and a reader of what reached the file. */
function fileDestination(): { destination: LogDestination; path: string; fd: number; read(): string } {
  const path = join(dir, `log-${files++}`);
  const fd = openSync(path, 'w');
  after(() => closeSync(fd));
  return { destination: new LogDestination(fd), path, fd, read: () => readFileSync(path, 'utf8') };
}

async function eventually(what: string, check: () => boolean, timeoutMs = 10_000, pollMs = 5): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const numbered = (i: number, pad = 0): string => `${JSON.stringify({ i, pad: 'x'.repeat(pad) })}\n`;

interface ChildRun {
  stdout: string;
  /** The child's JSON report (its last stderr line), and the rest of stderr for failures. */
  report: Record<string, number>;
  stderr: string;
  code: number | null;
}

/**
 * Runs `body` in a child process (ES module, `destination` = a LogDestination on its stdout, `report(obj)` writes one
 * JSON line to stderr) whose stdout this process does not read until the report has come (or `readAfterMs` passed):
 * until then stdout is a stalled pipe.
 */
function runChild(body: string, options: { readAfterReport?: boolean; readAfterMs?: number } = {}): Promise<ChildRun> {
  const script = `
    import { LogDestination } from ${JSON.stringify(moduleUrl)};
    const destination = new LogDestination(1);
    const report = (obj) => process.stderr.write(JSON.stringify(obj) + '\\n');
    ${body}
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  let err = '';
  let reading = false;
  const startReading = (): void => {
    if (reading) return;
    reading = true;
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stdout.resume();
  };
  // Paused until then: the kernel's pipe buffer fills and the child's writes stall.
  child.stdout.pause();
  if (options.readAfterMs !== undefined) setTimeout(startReading, options.readAfterMs);
  child.stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
    if (options.readAfterReport === true && err.includes('\n')) startReading();
  });
  const timeout = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timeout);
      const lines = err.trimEnd().split('\n');
      let report: Record<string, number> = {};
      try {
        report = JSON.parse(lines[lines.length - 1] ?? '{}') as Record<string, number>;
      } catch {
        // Left empty: the assertions on the report fail and show stderr.
      }
      resolve({ stdout: Buffer.concat(out).toString('utf8'), report, stderr: err, code });
    });
  });
}

/** The `i` of every line, asserting that each line is complete JSON. */
function indices(stdout: string): number[] {
  return stdout
    .trimEnd()
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => (JSON.parse(line) as { i: number }).i);
}

describe('LogDestination', () => {
  it('writes nothing during the turn, then the gathered lines within the flush interval, in order', async () => {
    const { destination, read } = fileDestination();
    const started = performance.now();
    for (let i = 0; i < 50; i++) assert.equal(destination.write(`line ${i}\n`), true);
    assert.equal(read(), '', 'nothing is written during the turn');
    await eventually('the lines', () => read().length > 0, 10_000, 1);
    const late = performance.now() - started;
    assert.ok(late < FLUSH_INTERVAL_MS + SLACK_MS, `lines readable after ${late.toFixed(1)} ms`);
    await eventually('every line', () => read().length === 50 * 'line 00\n'.length - 10);
    assert.equal(read(), Array.from({ length: 50 }, (_, i) => `line ${i}\n`).join(''));
    assert.equal(destination.droppedLines, 0);
  });

  it('gathers lines across turns and timers for the interval, so they leave in one write', async () => {
    const { destination, read } = fileDestination();
    destination.write('first\n');
    // Due before the hand-off timer the first line armed (timers fire in order of their due time, however late).
    await sleep(1);
    destination.write('second\n');
    await eventually('the lines', () => read().length > 0, 10_000, 1);
    assert.equal(read(), 'first\nsecond\n', 'both lines reach the file together');
  });

  it('keeps the order across many batches, also while a batch is being written', async () => {
    const { destination, read } = fileDestination();
    const expected: string[] = [];
    for (let turn = 0; turn < 200; turn++) {
      // Every 20th turn writes past the batch size, so batches end both by size and by time.
      const lines = turn % 20 === 0 ? 400 : 10;
      for (let i = 0; i < lines; i++) {
        const line = numbered(expected.length, turn % 20 === 0 ? 200 : 0);
        assert.equal(destination.write(line), true);
        expected.push(line);
      }
      if (turn % 3 === 0) await sleep(1);
      else await nextTurn();
    }
    const text = expected.join('');
    await eventually('every line', () => read().length === text.length);
    assert.equal(read(), text);
    assert.equal(destination.droppedLines, 0);
  });

  it('flushSync writes the held lines at once, after the lines written before, and nothing twice', async () => {
    const { destination, read } = fileDestination();
    destination.write('earlier\n');
    await eventually('the earlier line', () => read() === 'earlier\n');
    destination.write('held 1\n');
    destination.write('held 2\n');
    destination.stream.flushSync();
    assert.equal(read(), 'earlier\nheld 1\nheld 2\n');
    await sleep(FLUSH_INTERVAL_MS * 5);
    assert.equal(read(), 'earlier\nheld 1\nheld 2\n', 'nothing is written twice');
  });

  it('flush(cb) calls back once every line is written', async () => {
    const { destination, read } = fileDestination();
    for (let i = 0; i < 100; i++) destination.write(numbered(i));
    await new Promise<void>((resolve) => destination.stream.flush(() => resolve()));
    assert.deepEqual(indices(read()), Array.from({ length: 100 }, (_, i) => i));
  });

  it('drops and counts what one turn writes past the bound, never holding it', async () => {
    const { destination, read } = fileDestination();
    const mebibyte = `${'x'.repeat(1024 * 1024 - 1)}\n`;
    let accepted = 0;
    for (let i = 0; i < 20; i++) if (destination.write(mebibyte)) accepted++;
    assert.equal(accepted, 16, 'at most 16 MiB are held');
    assert.equal(destination.droppedLines, 4);
    await eventually('the kept lines', () => read().length === 16 * mebibyte.length);
  });

  it('a stalled stdout never blocks the event loop: lines past the bound are dropped and counted, the rest arrive whole and in order', async () => {
    const run = await runChild(
      `
      let maxGap = 0;
      let last = performance.now();
      const ticker = setInterval(() => {
        const now = performance.now();
        maxGap = Math.max(maxGap, now - last);
        last = now;
      }, 5);
      let i = 0;
      let turns = 0;
      const line = (i) => JSON.stringify({ i, pad: 'x'.repeat(1000) }) + '\\n';
      // 30 MiB in 60 steps, while nothing reads stdout.
      const step = () => {
        for (let k = 0; k < 512; k++) destination.write(line(i++));
        if (++turns < 60) return setTimeout(step, 2);
        clearInterval(ticker);
        report({ written: i, dropped: destination.droppedLines, maxGap });
      };
      step();
    `,
      { readAfterReport: true },
    );
    assert.equal(run.code, 0, run.stderr);
    const { written, dropped, maxGap } = run.report;
    assert.equal(written, 60 * 512, run.stderr);
    assert.ok(dropped! > 0, `dropped ${dropped}`);
    assert.ok(maxGap! < SLACK_MS, `the loop stalled for ${maxGap} ms`);
    const seen = indices(run.stdout);
    assert.equal(seen.length, written! - dropped!, 'every line not counted as dropped arrives');
    for (let k = 1; k < seen.length; k++) assert.ok(seen[k]! > seen[k - 1]!, `line ${seen[k]} after ${seen[k - 1]}`);
    assert.equal(seen[0], 0, 'the oldest lines are kept');
  });

  it('a full non-blocking stdout (EAGAIN, partial writes) gets every line, in order, later', async () => {
    const run = await runChild(
      `
      import net from 'node:net';
      // Makes fd 1 non-blocking (libuv does for a socket it owns); kept referenced so it is never closed.
      globalThis.stdoutSocket = new net.Socket({ fd: 1, readable: false, writable: true });
      const flags = (await import('node:fs')).readFileSync('/proc/self/fdinfo/1', 'utf8').match(/flags:\\s+(\\d+)/)[1];
      let i = 0;
      for (let turn = 0; turn < 40; turn++) {
        for (let k = 0; k < 100; k++) destination.write(JSON.stringify({ i: i++, pad: 'y'.repeat(1000) }) + '\\n');
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      // The destination keeps nothing alive; this does, until every line is written.
      const alive = setInterval(() => undefined, 1000);
      destination.stream.flush(() => {
        report({ written: i, dropped: destination.droppedLines, nonBlocking: (parseInt(flags, 8) & 0o4000) !== 0 ? 1 : 0 });
        clearInterval(alive);
      });
    `,
      { readAfterMs: 300 },
    );
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.report.nonBlocking, 1, 'stdout was non-blocking');
    assert.equal(run.report.dropped, 0, run.stderr);
    assert.deepEqual(indices(run.stdout), Array.from({ length: 4000 }, (_, i) => i));
  });

  it("loses no line at process.exit: a pino logger's lines of the exiting turn reach stdout, in order", () => {
    const script = `
      import pino from 'pino';
      import { LogDestination } from ${JSON.stringify(moduleUrl)};
      const destination = new LogDestination(1);
      const logger = pino({ base: undefined, timestamp: false }, destination.stream);
      logger.info('first turn');
      setImmediate(() => {
        for (let i = 0; i < 1000; i++) logger.info({ i }, 'exiting turn');
        destination.stream.write('{"msg":"last"}\\n');
        process.exit(0);
      });
    `;
    // The child resolves 'pino' from this package (its cwd).
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: process.cwd(), encoding: 'utf8', timeout: 30_000 });
    assert.equal(child.status, 0, child.stderr);
    const lines = child.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as { msg: string; i?: number });
    assert.equal(lines.length, 1002);
    assert.equal(lines[0]!.msg, 'first turn');
    assert.deepEqual(
      lines.slice(1, 1001).map((line) => line.i),
      Array.from({ length: 1000 }, (_, i) => i),
    );
    assert.equal(lines[1001]!.msg, 'last');
  });

  it('process.exit with a batch stuck in flight and lines held: the batch is finished first, then the held lines, each once', async () => {
    const run = await runChild(
      `
      const line = (i) => JSON.stringify({ i, pad: 'z'.repeat(1000) }) + '\\n';
      let i = 0;
      // 2 MiB, far more than the pipe holds: the writer thread blocks in the middle of this batch.
      for (; i < 2048; i++) destination.write(line(i));
      setTimeout(() => {
        for (let k = 0; k < 1000; k++) destination.write(line(i++));
        report({ written: i });
        process.exit(0);
      }, 200);
    `,
      { readAfterMs: 1000 },
    );
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.report.written, 3048, run.stderr);
    assert.deepEqual(indices(run.stdout), Array.from({ length: 3048 }, (_, i) => i));
  });

  it('a worker thread has its own destination, whose lines reach the fd when the thread exits', async () => {
    const { fd, read } = fileDestination();
    const worker = new Worker(
      `
      import { workerData } from 'node:worker_threads';
      import { LogDestination } from ${JSON.stringify(moduleUrl)};
      const destination = new LogDestination(workerData.fd);
      for (let i = 0; i < 500; i++) destination.write(JSON.stringify({ i }) + '\\n');
      setTimeout(() => {
        for (let i = 500; i < 1000; i++) destination.write(JSON.stringify({ i }) + '\\n');
        process.exit(0);
      }, 20);
    `,
      { eval: true, workerData: { fd } },
    );
    const code = await new Promise<number>((resolve, reject) => {
      worker.once('error', reject);
      worker.once('exit', resolve);
    });
    assert.equal(code, 0);
    assert.deepEqual(indices(read()), Array.from({ length: 1000 }, (_, i) => i));
  });
});
