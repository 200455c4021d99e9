import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs, { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it, mock } from 'node:test';
import { LogDestination } from '../../../src/logging/log-destination.js';

const dir = mkdtempSync(join(tmpdir(), 'log-destination-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
/** A destination writing into a fresh file (a real fd), and a reader of what reached the file. */
function fileDestination(): { destination: LogDestination; read(): string } {
  const path = join(dir, `log-${files++}`);
  const fd = openSync(path, 'w');
  after(() => closeSync(fd));
  return { destination: new LogDestination(fd), read: () => readFileSync(path, 'utf8') };
}

async function eventually(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('LogDestination', () => {
  it('writes the lines of one event-loop turn with one write, in order, after the turn', async () => {
    const { destination, read } = fileDestination();
    const writes = mock.method(fs, 'write');
    try {
      for (let i = 0; i < 50; i++) assert.equal(destination.write(`line ${i}\n`), true);
      assert.equal(read(), '', 'nothing is written during the turn');
      await eventually('the lines', () => read().length > 0);
      assert.equal(writes.mock.callCount(), 1);
    } finally {
      writes.mock.restore();
    }
    assert.equal(read(), Array.from({ length: 50 }, (_, i) => `line ${i}\n`).join(''));
    assert.equal(destination.droppedLines, 0);
  });

  it('keeps the order across turns, also while a write is in flight', async () => {
    const { destination, read } = fileDestination();
    const expected: string[] = [];
    for (let turn = 0; turn < 20; turn++) {
      for (let i = 0; i < 10; i++) {
        const line = `turn ${turn} line ${i}\n`;
        destination.write(line);
        expected.push(line);
      }
      await nextTurn();
    }
    await eventually('every line', () => read().length === expected.join('').length);
    assert.equal(read(), expected.join(''));
  });

  it('flushSync writes the lines of the turn at once, after the lines written before', async () => {
    const { destination, read } = fileDestination();
    destination.write('earlier\n');
    await eventually('the earlier line', () => read() === 'earlier\n');
    destination.write('held 1\n');
    destination.write('held 2\n');
    destination.stream.flushSync();
    assert.equal(read(), 'earlier\nheld 1\nheld 2\n');
    await nextTurn();
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(read(), 'earlier\nheld 1\nheld 2\n', 'nothing is written twice');
  });

  it('drops and counts what one turn writes past the bound, never holding it', async () => {
    const { destination, read } = fileDestination();
    const mebibyte = `${'x'.repeat(1024 * 1024 - 1)}\n`;
    let accepted = 0;
    for (let i = 0; i < 20; i++) if (destination.write(mebibyte)) accepted++;
    assert.equal(accepted, 16, 'the turn holds at most 16 MiB');
    assert.equal(destination.droppedLines, 4);
    await eventually('the kept lines', () => read().length === 16 * mebibyte.length);
  });

  it("loses no line at process.exit: a pino logger's lines of the exiting turn reach stdout, in order", () => {
    const moduleUrl = new URL('../../../src/logging/log-destination.js', import.meta.url).href;
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
});
