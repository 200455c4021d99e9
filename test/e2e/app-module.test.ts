/**
 * The real module graph (AppModule.forRoot) booted in-process with @nestjs/testing on port-0 listeners: health and
 * readiness answer, the SRT socket takes a real handshake to a scripted origin, metrics and the log see it, and
 * closing the application frees the socket.
 */
import assert from 'node:assert/strict';
import { openSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Test } from '@nestjs/testing';
import { AppModule } from '../../src/app.module.js';
import { startApp } from '../../src/app-start.js';
import type { AppConfig } from '../../src/config/app-config.js';
import { loadConfig } from '../../src/config/load-config.js';
import { LogDestination } from '../../src/logging/log-destination.js';
import { SrtListener } from '../../src/srt/transport/srt-listener.js';
import { hostPort, httpGet } from '../support/net.js';
import { isUdpPortBound } from '../support/procfs.js';
import { waitFor } from '../support/process.js';
import { parseExposition, sampleValue } from '../support/prometheus.js';
import { e2eTest } from './support/scope.js';
import { sid } from './support/expect.js';

e2eTest('AppModule.forRoot boots under @nestjs/testing: /healthz, /readyz, a real handshake on the SRT socket', async (scope) => {
  const origin = await scope.rawOrigin();
  const loaded = loadConfig({ ORIGINS: hostPort('127.0.0.1', origin.port), LOG_LEVEL: 'info', DRAIN_TIMEOUT_MS: '0' });
  // Port 0 is refused in the environment (an operator never means it) but is what a test wants: set it directly.
  const config: AppConfig = {
    ...loaded,
    srt: { ...loaded.srt, listen: { host: '127.0.0.1', port: 0 } },
    http: { listen: { host: '127.0.0.1', port: 0 } },
  };
  const logPath = join(scope.dir, 'app.log');
  const logFd = openSync(logPath, 'a');
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config, new LogDestination(logFd))] }).compile();
  const app = moduleRef.createNestApplication({ bufferLogs: true });
  let closed = false;
  try {
    await startApp(app, config);
    const srt = app.get(SrtListener).address();
    assert.ok(srt !== undefined && srt.port > 0, 'the SRT socket is bound');
    const httpPort = (app.getHttpServer().address() as AddressInfo).port;
    const url = (path: string): string => `http://127.0.0.1:${httpPort}${path}`;

    assert.equal((await httpGet(url('/healthz'))).status, 200);
    const ready = await httpGet<{ status: string; info: Record<string, { status: string }> }>(url('/readyz'));
    assert.equal(ready.status, 200, ready.text);
    assert.deepEqual(Object.keys(ready.body.info).sort(), ['drain', 'origins', 'provider', 'srt']);

    const caller = await scope.rawCaller();
    const result = await caller.connect({ host: '127.0.0.1', port: srt.port, streamId: sid('nest', 'request') });
    assert.equal(result.outcome, 'accepted', JSON.stringify(result));
    assert.equal(origin.streamIds.at(-1), sid('nest', 'request'), 'the origin got the caller stream id');
    const metrics = parseExposition((await httpGet(url('/metrics'))).text);
    assert.equal(sampleValue(metrics, 'srt_proxy_sessions', { mode: 'request', origin: hostPort('127.0.0.1', origin.port) }), 1);

    await app.close();
    closed = true;
    assert.equal(isUdpPortBound(srt.port), false, 'closing the application frees the SRT socket');
    await waitFor('the session lines in the log', () => {
      const log = readFileSync(logPath, 'utf8');
      return log.includes('"session started"') && log.includes('"proxy-shutdown"') ? log : undefined;
    }, 3000);
  } finally {
    // The log fd stays open: pino flushes its destination at process exit.
    if (!closed) await app.close();
  }
});
