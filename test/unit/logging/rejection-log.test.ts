import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RejectionLog } from '../../../src/logging/rejection-log.js';

function recorder() {
  const lines: Record<string, unknown>[] = [];
  const sink = { log: (r: Record<string, unknown>) => lines.push({ level: 'info', ...r }), warn: (r: Record<string, unknown>) => lines.push({ level: 'warn', ...r }) };
  return { lines, log: RejectionLog.withSink(sink) };
}

describe('RejectionLog', () => {
  it('logs the first rejection per (source, code) and sums the repeats into one line at the end of the window', () => {
    const { lines, log } = recorder();
    try {
      for (let i = 0; i < 60; i++) log.record('203.0.113.7', 1010, { caller: `203.0.113.7:${40000 + i}` });
      log.record('203.0.113.7', 2400, {});
      log.record('198.51.100.1', 1010, {});
      assert.deepEqual(
        lines.map((l) => [l.msg, l.source, l.code]),
        [
          ['handshake rejected', '203.0.113.7', 1010],
          ['handshake rejected', '203.0.113.7', 2400],
          ['handshake rejected', '198.51.100.1', 1010],
        ],
      );
      assert.equal(lines[0]!.caller, '203.0.113.7:40000');
      log.flush();
      assert.equal(lines.length, 4);
      assert.deepEqual(lines[3], { level: 'info', msg: 'handshake rejections repeated', source: '203.0.113.7', code: 1010, count: 59, windowSeconds: 60 });
      // A new window logs the first one in full again.
      log.record('203.0.113.7', 1010, {});
      assert.equal(lines.length, 5);
      assert.equal(lines[4]!.msg, 'handshake rejected');
    } finally {
      log.onModuleDestroy();
    }
  });

  it('bounds its memory: past 10000 sources per window, rejections are only summed', () => {
    const { lines, log } = recorder();
    try {
      for (let i = 0; i < 10_050; i++) log.record(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, 2400, {});
      assert.equal(lines.length, 10_000);
      log.flush();
      assert.deepEqual(lines.at(-1), { level: 'warn', msg: 'handshake rejections from too many sources to list', count: 50, sources: 10_000 });
    } finally {
      log.onModuleDestroy();
    }
  });
});
