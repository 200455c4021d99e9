import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { drainRing, LogRing, RING_BYTES } from '../../../src/logging/log-ring.js';

const dir = mkdtempSync(join(tmpdir(), 'log-ring-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
function fileRing(): { ring: LogRing; fd: number; read(): string; drain(): 'done' | 'again' } {
  const path = join(dir, `ring-${files++}`);
  const fd = openSync(path, 'w');
  after(() => closeSync(fd));
  const ring = LogRing.create(fd);
  const drain = (): 'done' | 'again' => drainRing(Buffer.from(ring.share.data), new Int32Array(ring.share.control), fd);
  return { ring, fd, read: () => readFileSync(path, 'utf8'), drain };
}

describe('LogRing', () => {
  it('writes only what is published, in order, each byte once', () => {
    const { ring, read, drain } = fileRing();
    assert.equal(ring.tryWrite('one\n'), true);
    assert.equal(drain(), 'done');
    assert.equal(read(), '', 'nothing published yet');
    ring.publish();
    assert.equal(ring.drained, false);
    drain();
    assert.equal(ring.drained, true);
    assert.equal(ring.empty, true);
    ring.tryWrite('two\n');
    ring.publish();
    drain();
    drain();
    assert.equal(read(), 'one\ntwo\n');
  });

  it('wraps around its end: lines cut by the end of the ring arrive whole, multi-byte characters too', () => {
    const { ring, read, drain } = fileRing();
    const expected: string[] = [];
    // 3.5 rings of lines of odd lengths (with a 3-byte and a 4-byte character), drained every 100 lines.
    let bytes = 0;
    for (let i = 0; bytes < RING_BYTES * 3.5; i++) {
      const line = `${JSON.stringify({ i, text: `€ 🎥 ${'x'.repeat(i % 977)}` })}\n`;
      assert.equal(ring.tryWrite(line), true, `line ${i} fits`);
      expected.push(line);
      bytes += Buffer.byteLength(line);
      if (i % 100 === 99) {
        ring.publish();
        drain();
      }
    }
    ring.publish();
    drain();
    assert.equal(read(), expected.join(''));
  });

  it('refuses a line that does not fit, without writing any of it', () => {
    const { ring, read, drain } = fileRing();
    const half = `${'a'.repeat(RING_BYTES / 2 - 1)}\n`;
    assert.equal(ring.tryWrite(half), true);
    assert.equal(ring.tryWrite(half), true);
    assert.equal(ring.tryWrite('b\n'), false, 'the ring is full');
    ring.publish();
    drain();
    assert.equal(ring.tryWrite('b\n'), true, 'room again once written');
    ring.publish();
    drain();
    assert.equal(read(), `${half}${half}b\n`);
  });

  it('gives back what is not published (the exit path writes it itself)', () => {
    const { ring, read, drain } = fileRing();
    ring.tryWrite('published\n');
    ring.publish();
    ring.tryWrite('held 1\n');
    ring.tryWrite('held 2\n');
    assert.equal(ring.unpublished, 'held 1\nheld 2\n'.length);
    assert.equal(ring.takeUnpublished().toString('utf8'), 'held 1\nheld 2\n');
    assert.equal(ring.unpublished, 0);
    drain();
    assert.equal(read(), 'published\n');
  });

  it('drops and counts what an fd that takes no writes refuses (EBADF), and goes on', () => {
    const path = join(dir, `ring-${files++}`);
    closeSync(openSync(path, 'w'));
    const fd = openSync(path, 'r');
    after(() => closeSync(fd));
    const ring = LogRing.create(fd);
    ring.tryWrite('a\nb\n');
    ring.tryWrite('c\n');
    ring.publish();
    assert.equal(drainRing(Buffer.from(ring.share.data), new Int32Array(ring.share.control), fd), 'done');
    assert.equal(ring.droppedLines, 3);
    assert.equal(ring.drained, true);
  });

  it('drainHere writes the ring on the calling thread', () => {
    const { ring, read } = fileRing();
    ring.tryWrite('x\n');
    ring.tryWrite('y\n');
    assert.equal(ring.drainHere(Date.now() + 1000), true);
    assert.equal(read(), 'x\ny\n');
  });
});
