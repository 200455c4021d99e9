/**
 * The JSON log of a real session (ffmpeg publisher -> proxy -> srt-live-transmit): one start line and one end line
 * with the fields operators need, and no secret anywhere in the whole output although the config, the stream id,
 * a refused caller's stream id and an HTTP request all carried one.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before } from 'node:test';
import { freeUdpPort, hostPort } from '../support/net.js';
import { httpGet } from '../support/net.js';
import { sleep, waitFor } from '../support/process.js';
import { requirePeers } from './support/peers.js';
import { e2eTest } from './support/scope.js';
import { waitForNoSessions } from './support/expect.js';
import http from 'node:http';

before(() => requirePeers());

const COOKIE_SECRET = 'cookie-secret-4f9a1c7e2b';
const STREAM_SECRET = 'stream-secret-93b1d0aa';
const REFUSED_SECRET = 'refused-secret-5c2e77f0';
const BEARER = 'bearer-token-0d8e4a61';
const QUERY_TOKEN = 'query-token-7a3c9e15';

interface LogLine {
  readonly level: string;
  readonly time: string;
  readonly msg: string;
  readonly [field: string]: unknown;
}

/** GET with an Authorization header (net.ts's httpGet sends none). */
function getWithAuth(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false, headers: { authorization: `Bearer ${BEARER}`, connection: 'close' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      })
      .on('error', reject);
  });
}

e2eTest('a real session logs one start and one end line with its fields, and no secret is printed', async (scope) => {
  const originPort = await freeUdpPort();
  const origin = await scope.receiverOrigin({ name: 'logged', port: originPort });
  const logFile = join(scope.dir, 'proxy.log');
  const proxy = await scope.proxy({
    origins: [hostPort('127.0.0.1', originPort)],
    cookieSecret: COOKIE_SECRET,
    logFile,
    env: { LOG_LEVEL: 'debug' },
  });

  const run = await scope.publish({ port: proxy.srtPort, streamId: `#!::r=live/logged,m=publish,secret=${STREAM_SECRET}`, seconds: 2 });
  assert.equal(run.code, 0, `publisher failed:\n${run.stderr}`);
  await waitForNoSessions(proxy, 5000);

  // A caller whose stream id is refused (bad mode) also carries a secret; and an HTTP request with a token.
  const refused = await scope.rawCaller();
  const rejection = await refused.connect({ host: '127.0.0.1', port: proxy.srtPort, streamId: `#!::r=live/x,m=bogus,secret=${REFUSED_SECRET}` });
  assert.equal(rejection.hsType, 2400, JSON.stringify(rejection));
  assert.equal(await getWithAuth(proxy.url(`/api/v1/stats?token=${QUERY_TOKEN}`)), 200);
  assert.equal((await httpGet(proxy.url('/healthz'))).status, 200);

  await sleep(200);
  await proxy.stop();
  assert.equal(proxy.process.exitInfo?.code, 0);
  await origin.stop();
  await waitFor('the log file to be complete', () => (readFileSync(logFile, 'utf8').includes('"stopped"') ? true : undefined), 3000);
  const text = readFileSync(logFile, 'utf8');

  // Every stdout line is one JSON object (stderr carries nothing here).
  const lines: LogLine[] = text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      try {
        return JSON.parse(l) as LogLine;
      } catch {
        assert.fail(`not a JSON log line: ${l}`);
      }
    });
  assert.ok(lines.every((l) => typeof l.level === 'string' && typeof l.time === 'string' && typeof l.msg === 'string'));

  const started = lines.filter((l) => l.msg === 'session started');
  const ended = lines.filter((l) => l.msg === 'session ended');
  assert.equal(started.length, 1, `start lines: ${JSON.stringify(started)}`);
  assert.equal(ended.length, 1, `end lines: ${JSON.stringify(ended)}`);
  const [start, end] = [started[0]!, ended[0]!];
  for (const line of [start, end]) {
    assert.equal(line.stream, '__defaultVhost__/live/logged');
    assert.equal(line.mode, 'publish');
    assert.equal(line.origin, hostPort('127.0.0.1', originPort));
    assert.equal(line.session, start.session);
  }
  assert.equal(typeof start.handshakeMs, 'number');
  assert.equal(end.reason, 'caller-shutdown');
  assert.ok((end.durationMs as number) >= 1000 && (end.durationMs as number) < 10_000, `durationMs ${String(end.durationMs)}`);
  assert.ok((end.bytesFromCaller as number) > 20_000, `bytesFromCaller ${String(end.bytesFromCaller)}`);
  assert.ok((end.packetsFromCaller as number) > 50, `packetsFromCaller ${String(end.packetsFromCaller)}`);
  // The origin acknowledges what it receives: packets and bytes flow the other way too.
  assert.ok((end.packetsFromOrigin as number) > 0 && (end.bytesFromOrigin as number) > 0, JSON.stringify(end));
  assert.equal(end.drops, 0);

  // The refused caller: one sampled rejection line with its code, not its stream id.
  const rejected = lines.filter((l) => l.msg === 'handshake rejected');
  assert.equal(rejected.length, 1, JSON.stringify(rejected));
  assert.equal(rejected[0]!.code, 2400);
  assert.equal(rejected[0]!.reason, 'bad-stream-id');
  // The HTTP request was logged at debug: method, path, status only.
  const request = lines.find((l) => (l.req as { path?: string } | undefined)?.path === '/api/v1/stats');
  assert.ok(request, 'the HTTP request is logged at debug');
  assert.equal(request.level, 'debug');
  // The configuration line shows the cookie secret only as redacted.
  const config = lines.find((l) => l.msg === 'configuration');
  assert.equal((config?.config as { srt: { cookieSecret: string } }).srt.cookieSecret, '[redacted]');

  for (const secret of [COOKIE_SECRET, STREAM_SECRET, REFUSED_SECRET, BEARER, QUERY_TOKEN]) {
    assert.ok(!text.includes(secret), `the log contains the secret ${secret}`);
  }
  assert.ok(!proxy.process.stderr.includes('secret'), proxy.process.stderr);
  console.log(`logs: ${lines.length} lines; the session:\n${JSON.stringify(start)}\n${JSON.stringify(end)}`);
});
