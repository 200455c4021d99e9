// A worker_thread that opens a native data path with links and then waits to be terminated (test/e2e/
// native-data-path.test.ts): the addon must tear down in the worker's env cleanup without the main thread noticing.
// With `socketFd` it adopts that shared listen socket (openListenSocket) instead of binding its own. `spares` links
// are opened and closed first, so their origin sockets are kept for later links and must go at teardown too.
import { parentPort, workerData } from 'node:worker_threads';
import { loadNativeDataPath } from '../../src/srt/transport/native/load-native-data-path.js';

const { originPort, links, socketFd, spares } = workerData as { originPort: number; links: number; socketFd?: number; spares?: number };
const dp = loadNativeDataPath();
const noop = (): void => {};
const binding = await dp.listen(
  { host: '127.0.0.1', port: 0, receiveBufferBytes: 0, sendBufferBytes: 0, originBufferBytes: 0, reusePort: false, socketFd },
  { onHandshake: noop, onOriginHandshake: noop, onLinkError: noop, onLinkEnded: noop },
);
for (let i = 0; i < links; i++) {
  const link = dp.openLink('127.0.0.1', originPort, '127.0.0.1', 40000 + i);
  dp.sendToOrigin(link, Buffer.alloc(32));
  if (i % 2 === 0) dp.startRelay(link, 1000 + i, true);
}
const closed = Array.from({ length: spares ?? 0 }, (_, i) => dp.openLink('127.0.0.1', originPort, '127.0.0.1', 39000 + i));
for (const link of closed) dp.closeLink(link);
parentPort!.postMessage({ port: binding.port, openLinks: dp.openLinks });
