import assert from 'node:assert/strict';
import { MessageChannel } from 'node:worker_threads';
import { describe, it } from 'node:test';
import { RpcChannel, RpcTimeoutError } from '../../../src/workers/rpc-channel.js';

function pair(timeoutMs = 1000): { a: RpcChannel; b: RpcChannel; close(): void } {
  const { port1, port2 } = new MessageChannel();
  const a = new RpcChannel(port1, timeoutMs);
  const b = new RpcChannel(port2, timeoutMs);
  return {
    a,
    b,
    close: () => {
      a.close('test over');
      b.close('test over');
      port1.close();
    },
  };
}

describe('RpcChannel', () => {
  it('answers calls (sync and async handlers, Maps cross), and carries notes', async () => {
    const { a, b, close } = pair();
    try {
      b.handle('add', (x: number, y: number) => x + y);
      b.handle('later', async (key: string) => new Map([[key, 1]]));
      const notes: string[] = [];
      b.handle('note', (text: string) => notes.push(text));
      assert.equal(await a.call<number>('add', [2, 3]), 5);
      assert.deepEqual([...(await a.call<Map<string, number>>('later', ['k']))], [['k', 1]]);
      a.notify('note', ['hello']);
      await a.call('add', [0, 0]); // messages arrive in order: the note was handled before this answer
      assert.deepEqual(notes, ['hello']);
    } finally {
      close();
    }
  });

  it('a handler that throws, or a method nobody answers, fails that call only', async () => {
    const { a, b, close } = pair();
    try {
      b.handle('boom', () => {
        throw new Error('bad input');
      });
      b.handle('ok', () => 'ok');
      await assert.rejects(a.call('boom'), /bad input/);
      await assert.rejects(a.call('nothing'), /no method nothing/);
      assert.equal(await a.call('ok'), 'ok');
    } finally {
      close();
    }
  });

  it('a call not answered in time fails with a timeout, never hangs; close() fails what is pending', async () => {
    const { a, b, close } = pair();
    try {
      b.handle('never', () => new Promise(() => undefined));
      const t0 = performance.now();
      await assert.rejects(a.call('never', [], 100), RpcTimeoutError);
      assert.ok(performance.now() - t0 < 1000);
      const pending = a.call('never', [], 10_000);
      a.close('worker exited');
      await assert.rejects(pending, /worker exited/);
      await assert.rejects(a.call('never'), /worker exited/);
    } finally {
      close();
    }
  });
});
