import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ListenSockets } from '../../../src/workers/listen-sockets.js';
import { SocketGroup } from '../../../src/workers/socket-group.js';

/** ListenSockets in memory: hands out fd numbers, records every call, fails where told to. */
class FakeSockets implements ListenSockets {
  readonly calls: string[] = [];
  readonly live = new Set<number>();
  failOpenAt: number | undefined;
  readonly failClose = new Set<number>();
  private nextFd = 20;
  private opens = 0;

  open(host: string, port: number, receiveBufferBytes: number, sendBufferBytes: number): { fd: number; address: string; port: number } {
    this.calls.push(`open ${host} ${port} ${receiveBufferBytes} ${sendBufferBytes}`);
    if (this.opens++ === this.failOpenAt) throw Object.assign(new Error('bind EADDRINUSE'), { code: 'EADDRINUSE' });
    const fd = this.nextFd++;
    this.live.add(fd);
    return { fd, address: host, port: port === 0 ? 40123 : port };
  }

  close(fd: number): void {
    this.calls.push(`close ${fd}`);
    if (!this.live.has(fd)) throw new Error(`closeListenSocket EBADF (${fd})`);
    if (this.failClose.has(fd)) throw new Error(`closeListenSocket EBUSY (${fd})`);
    this.live.delete(fd);
  }
}

describe('SocketGroup', () => {
  it('opens one socket per slot in slot order, all on the first one\'s port when the port is 0', () => {
    const sockets = new FakeSockets();
    const group = new SocketGroup(sockets, 3);
    assert.equal(group.fdOf(0), undefined, 'no fd before open');
    assert.deepEqual(group.open('127.0.0.1', 0, 1 << 20, 0), { address: '127.0.0.1', port: 40123 });
    assert.deepEqual(sockets.calls, ['open 127.0.0.1 0 1048576 0', 'open 127.0.0.1 40123 1048576 0', 'open 127.0.0.1 40123 1048576 0']);
    assert.deepEqual([0, 1, 2].map((slot) => group.fdOf(slot)), [20, 21, 22]);
    assert.equal(group.fdOf(3), undefined);
    assert.throws(() => group.open('127.0.0.1', 0, 0, 0), /open already/);
  });

  it('keeps a configured port for every slot', () => {
    const sockets = new FakeSockets();
    assert.deepEqual(new SocketGroup(sockets, 2).open('::', 9000, 0, 0), { address: '::', port: 9000 });
    assert.deepEqual(sockets.calls, ['open :: 9000 0 0', 'open :: 9000 0 0']);
  });

  it('closes what it opened when a later slot cannot bind, and rethrows the bind error', () => {
    const sockets = new FakeSockets();
    sockets.failOpenAt = 2;
    const group = new SocketGroup(sockets, 3);
    assert.throws(() => group.open('127.0.0.1', 0, 0, 0), { code: 'EADDRINUSE' });
    assert.deepEqual(sockets.calls.slice(3), ['close 20', 'close 21']);
    assert.equal(sockets.live.size, 0);
    assert.equal(group.fdOf(0), undefined);
  });

  it('closes each socket once, never again after a failure (the number may be another socket\'s by then)', () => {
    const sockets = new FakeSockets();
    const group = new SocketGroup(sockets, 2);
    group.open('127.0.0.1', 0, 0, 0);
    sockets.failClose.add(20);
    const errors = group.closeAll();
    assert.deepEqual(errors.map((e) => e.message), ['closeListenSocket EBUSY (20)']);
    assert.deepEqual(sockets.calls.slice(2), ['close 20', 'close 21']);
    assert.deepEqual(group.closeAll(), []);
    assert.deepEqual(sockets.calls.slice(4), [], 'nothing closed twice');
    assert.equal(group.fdOf(0), undefined);
    assert.equal(group.fdOf(1), undefined);
  });
});
