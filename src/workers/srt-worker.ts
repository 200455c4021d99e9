/**
 * Entry point of an SRT worker thread (started by WorkerPool in the main thread, WORKERS > 1). It reads the same
 * environment as the main thread, binds the shared SRT port with SO_REUSEPORT and answers the main thread's
 * questions through LocalSrtSide. An uncaught error ends this thread only: the main thread sees it and restarts it.
 */
import 'reflect-metadata';
import { parentPort, workerData } from 'node:worker_threads';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import { loadConfig } from '../config/load-config.js';
import { LogDestination } from '../logging/log-destination.js';
import { LocalSrtSide } from '../srt/local-srt-side.js';
import { RpcChannel } from './rpc-channel.js';
import { workerConfig } from './worker-config.js';
import { ObservationBuffer } from './observation-buffer.js';
import { WorkerMethods, type SrtWorkerData, type WorkerBinding } from './worker-protocol.js';
import { DATA_PATH, type DataPath } from '../srt/transport/data-path.js';
import { SrtWorkerModule } from './srt-worker.module.js';

/** Calls from a worker to the main thread (the balancer) carry their own deadline; this is for the rest. */
const DEFAULT_CALL_TIMEOUT_MS = 5000;

if (parentPort === null) throw new Error('srt-worker.js runs as a worker thread of the proxy (WORKERS > 1), not on its own');
const data = workerData as SrtWorkerData;
const main = new RpcChannel(parentPort, DEFAULT_CALL_TIMEOUT_MS);
const observations = new ObservationBuffer();

// Registered at once (the main thread may ask before Nest is up); each waits for the context.
const ready: Promise<{ app: INestApplicationContext; side: LocalSrtSide }> = (async () => {
  const config = workerConfig(loadConfig(process.env), data);
  const app = await NestFactory.createApplicationContext(SrtWorkerModule.forRoot(config, main, data.index), {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(PinoNestLogger));
  const side = app.get(LocalSrtSide);
  side.worker = data.index;
  observations.listen(side);
  return { app, side };
})();
// A failed start is reported through the `start` call; this only keeps it from being an unhandled rejection.
ready.catch(() => undefined);

main.handle(WorkerMethods.start, async (draining: boolean): Promise<WorkerBinding | undefined> => {
  const { app, side } = await ready;
  if (draining) side.drain();
  await side.start();
  const bound = side.listening();
  // The main thread logs which data path runs: a worker's own log line reaches stdout later (through the main
  // thread), so a reader of the log must not depend on it having arrived.
  return bound === undefined ? undefined : { ...bound, dataPath: app.get<DataPath>(DATA_PATH).kind };
});
main.handle(WorkerMethods.stop, async () => {
  const { app, side } = await ready;
  const log = app.get(LogDestination);
  await side.stop();
  await app.close();
  // The main thread terminates this thread next, which runs no exit hook: the last lines (the sessions the stop
  // ended) are written now.
  log.flushSync();
});
main.handle(WorkerMethods.snapshot, async () => {
  const { side } = await ready;
  return { snapshot: await side.snapshot(), observations: observations.take() };
});
main.handle(WorkerMethods.sessions, async () => (await ready).side.sessions());
main.handle(WorkerMethods.sessionsByStream, async () => (await ready).side.sessionsByStream());
main.handle(WorkerMethods.sessionsByOrigin, async () => (await ready).side.sessionsByOrigin());
main.handle(WorkerMethods.streamLinks, async (max: number) => (await ready).side.streamLinks(max));
main.handle(WorkerMethods.endSession, async (id: string) => (await ready).side.endSession(id));
main.handle(WorkerMethods.liveSessions, async () => (await ready).side.liveSessions());
main.handle(WorkerMethods.drain, () => void ready.then(({ side }) => side.drain()));
main.handle(WorkerMethods.crash, () => {
  // Thrown outside any handler's promise: the real uncaught-exception path, as a bug would take it.
  setImmediate(() => {
    throw new Error(`SRT worker ${data.index}: crash requested through the admin API`);
  });
});
