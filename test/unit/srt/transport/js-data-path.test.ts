import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JsDataPath } from '../../../../src/srt/transport/js-data-path.js';

const noop = (): void => {};

describe('JsDataPath', () => {
  it('refuses to adopt a shared listen socket (node:dgram would close it), before touching any socket', async () => {
    const dp = new JsDataPath();
    await assert.rejects(
      () =>
        dp.listen(
          { host: '127.0.0.1', port: 0, receiveBufferBytes: 0, sendBufferBytes: 0, originBufferBytes: 0, reusePort: true, socketFd: 17 },
          { onHandshake: noop, onOriginHandshake: noop, onLinkError: noop, onLinkEnded: noop },
        ),
      /cannot adopt a shared listen socket \(fd 17\): that needs the native data path/,
    );
    assert.throws(() => dp.publicSocket, /not listening/);
  });
});
