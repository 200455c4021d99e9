// The register endpoint over real HTTP: the controller in a Nest app listening on 127.0.0.1 (port 0), the way
// main.ts creates it (no global body parser), with a registrar the test controls.

import 'reflect-metadata';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AppConfigModule } from '../../../src/config/config.module.js';
import { loadConfig } from '../../../src/config/load-config.js';
import type { Heartbeat } from '../../../src/origins/heartbeat.js';
import { ORIGIN_REGISTRAR, type OriginRegistrar } from '../../../src/origins/origin-registrar.js';
import { RecordingOriginRegistrar } from '../../support/recording-origin-registrar.js';
import { RegisterController } from '../../../src/origins/register.controller.js';
import { httpRequest, rawHttpExchange, type HttpReply } from '../../support/http.js';
import { SRS7_HEARTBEAT_DEVICE_IP, SRS7_HEARTBEAT_HEADERS, SRS7_HEARTBEAT_NO_DEVICE_IP } from '../../support/srs-heartbeats.js';

const TOKEN = 'register-token-for-tests';

/** The registrar's behaviour, switched per test. */
class ControlledRegistrar implements OriginRegistrar {
  readonly recorder = new RecordingOriginRegistrar();
  mode: 'record' | 'throw' | 'hang' = 'record';
  calls = 0;

  async register(heartbeat: Heartbeat): Promise<void> {
    this.calls += 1;
    if (this.mode === 'throw') throw new Error('redis: connection refused');
    if (this.mode === 'hang') return new Promise(() => undefined);
    await this.recorder.register(heartbeat);
  }
}

interface Running {
  readonly app: INestApplication;
  readonly url: string;
  readonly port: number;
  readonly registrar: ControlledRegistrar;
}

async function boot(env: Record<string, string>, bodyParser = false): Promise<Running> {
  const registrar = new ControlledRegistrar();
  const moduleRef = await Test.createTestingModule({
    imports: [AppConfigModule.forRoot(loadConfig(env))],
    controllers: [RegisterController],
    providers: [{ provide: ORIGIN_REGISTRAR, useValue: registrar }],
  }).compile();
  const app = moduleRef.createNestApplication({ bodyParser, logger: false });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, url: `http://127.0.0.1:${port}/api/v1/srs/register`, port, registrar };
}

function assertJsonError(reply: HttpReply, status: number, pattern: RegExp): void {
  assert.equal(reply.status, status, reply.text);
  assert.match(String(reply.headers['content-type']), /^application\/json/);
  const body = reply.json as { code: number; error: string };
  assert.equal(body.code, status);
  assert.match(body.error, pattern);
}

describe('POST /api/v1/srs/register without a token', () => {
  let running: Running;
  before(async () => {
    running = await boot({});
  });
  after(async () => {
    await running.app.close();
  });

  it('accepts both real SRS 7 heartbeats: 200 {"code":0,"pid":...} and hands them to the registrar', async () => {
    for (const body of [SRS7_HEARTBEAT_NO_DEVICE_IP, SRS7_HEARTBEAT_DEVICE_IP]) {
      const reply = await httpRequest(running.url, { headers: SRS7_HEARTBEAT_HEADERS, body });
      assert.equal(reply.status, 200, reply.text);
      assert.match(String(reply.headers['content-type']), /^application\/json/);
      assert.deepEqual(reply.json, { code: 0, pid: String(process.pid) });
    }
    const recorded = running.registrar.recorder.heartbeats();
    assert.deepEqual(
      recorded.map((h) => [h.serverId, h.deviceId, h.srt]),
      [
        ['vid-64z89y9', 'srs-a', { host: '192.0.2.2', port: 10090 }],
        ['vid-o9t7407', 'srs-b', { host: '127.0.0.1', port: 10091 }],
      ],
    );
  });

  it('accepts a JSON body sent as form data (curl -d) and one sent chunked', async () => {
    const before = running.registrar.calls;
    const form = await httpRequest(running.url, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: SRS7_HEARTBEAT_DEVICE_IP });
    assert.equal(form.status, 200, form.text);
    const chunked = await httpRequest(running.url, { headers: SRS7_HEARTBEAT_HEADERS, body: SRS7_HEARTBEAT_DEVICE_IP, chunked: true });
    assert.equal(chunked.status, 200, chunked.text);
    assert.equal(running.registrar.calls, before + 2);
  });

  it('an RTMP-only heartbeat is accepted (code 0) and registered without an SRT endpoint', async () => {
    const reply = await httpRequest(running.url, {
      headers: SRS7_HEARTBEAT_HEADERS,
      body: '{"ip":"10.0.0.7","server":"rtmp-only","service":"s","pid":"9","rtmp":["1935"]}',
    });
    assert.equal(reply.status, 200, reply.text);
    const hb = running.registrar.recorder.heartbeats().find((h) => h.serverId === 'rtmp-only');
    assert.ok(hb !== undefined);
    assert.equal(hb.srt, undefined);
  });

  it('malformed JSON: 400 JSON error, and exactly one response on the wire', async () => {
    const reply = await httpRequest(running.url, { headers: SRS7_HEARTBEAT_HEADERS, body: '{"ip":"10.0.0.1",' });
    assertJsonError(reply, 400, /^malformed JSON: /);

    const body = '{"ip": nope}';
    const raw = await rawHttpExchange(
      '127.0.0.1',
      running.port,
      `POST /api/v1/srs/register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
    );
    assert.equal(raw.match(/HTTP\/1\.1 /g)?.length, 1, raw);
    assert.match(raw, /^HTTP\/1\.1 400 /);
    const json = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as { code: number };
    assert.equal(json.code, 400);
  });

  it('bad bodies: 400 naming the problem, registrar not called', async () => {
    const calls = running.registrar.calls;
    const cases: Array<[string, RegExp]> = [
      ['', /empty body/],
      ['   ', /empty body/],
      ['[]', /JSON object, not an array/],
      ['"text"', /JSON object, not a string/],
      ['null', /JSON object, not null/],
      ['{}', /missing "ip"/],
      ['{"ip":"10.0.0.1","server":"s","service":"v"}', /missing "pid"/],
      ['{"ip":"10.0.0.1","server":"s","service":"v","pid":"1","srt":["udp://0.0.0.0:70000"]}', /"srt\[0\]".*port/],
      ['{"ip":"not-an-ip","server":"s","service":"v","pid":"1"}', /"ip"/],
    ];
    for (const [body, pattern] of cases) {
      const reply = await httpRequest(running.url, { headers: SRS7_HEARTBEAT_HEADERS, body });
      assertJsonError(reply, 400, pattern);
    }
    assert.equal(running.registrar.calls, calls);
  });

  it('a body that is not UTF-8: 400', async () => {
    const reply = await httpRequest(running.url, { headers: SRS7_HEARTBEAT_HEADERS, body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) });
    assertJsonError(reply, 400, /not UTF-8/);
  });

  it('deeply nested JSON within the limit is parsed safely and refused for its content', async () => {
    const depth = 30_000;
    const reply = await httpRequest(running.url, { headers: SRS7_HEARTBEAT_HEADERS, body: '['.repeat(depth) + ']'.repeat(depth) });
    assertJsonError(reply, 400, /JSON object, not an array/);
  });

  it('a body over 64 KiB: 413, announced by Content-Length or discovered while reading a chunked body', async () => {
    const big = JSON.stringify({ ip: '10.0.0.1', server: 's', service: 'v', pid: '1', pad: 'x'.repeat(70 * 1024) });
    assertJsonError(await httpRequest(running.url, { headers: SRS7_HEARTBEAT_HEADERS, body: big }), 413, /larger than 65536 bytes/);
    assertJsonError(await httpRequest(running.url, { headers: SRS7_HEARTBEAT_HEADERS, body: big, chunked: true }), 413, /larger than 65536/);
    // Just under the limit is fine.
    const fits = JSON.stringify({ ip: '10.0.0.1', server: 's', service: 'v', pid: '1', pad: 'x'.repeat(60 * 1024) });
    assert.equal((await httpRequest(running.url, { headers: SRS7_HEARTBEAT_HEADERS, body: fits })).status, 200);
  });

  it('the server keeps serving after all of the above', async () => {
    const reply = await httpRequest(running.url, { headers: SRS7_HEARTBEAT_HEADERS, body: SRS7_HEARTBEAT_DEVICE_IP });
    assert.equal(reply.status, 200);
  });

  it('GET, PUT and DELETE on the path: 405 with Allow: POST, never 500', async () => {
    for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
      const reply = await httpRequest(running.url, { method });
      assertJsonError(reply, 405, /use POST/);
      assert.equal(reply.headers.allow, 'POST');
    }
  });

  it('a neighbouring unknown path is a 404', async () => {
    const reply = await httpRequest(running.url.replace('/register', '/unregister'), { method: 'GET' });
    assert.equal(reply.status, 404);
  });

  it('a registrar that throws: 503 JSON error', async () => {
    running.registrar.mode = 'throw';
    try {
      const reply = await httpRequest(running.url, { headers: SRS7_HEARTBEAT_HEADERS, body: SRS7_HEARTBEAT_DEVICE_IP });
      assertJsonError(reply, 503, /registry is unavailable/);
      assert.ok(!reply.text.includes('redis'), 'internal error details stay in the log');
    } finally {
      running.registrar.mode = 'record';
    }
  });

  it('a registrar that never answers: 503 after the 3 s budget, not a hanging request', async () => {
    running.registrar.mode = 'hang';
    try {
      const started = performance.now();
      const reply = await httpRequest(running.url, { headers: SRS7_HEARTBEAT_HEADERS, body: SRS7_HEARTBEAT_DEVICE_IP, timeoutMs: 10_000 });
      const elapsed = performance.now() - started;
      assertJsonError(reply, 503, /unavailable/);
      assert.ok(elapsed >= 2900 && elapsed < 8000, `answered after ${elapsed.toFixed(0)} ms`);
    } finally {
      running.registrar.mode = 'record';
    }
  });
});

describe('POST /api/v1/srs/register with REGISTER_TOKEN', () => {
  let running: Running;
  before(async () => {
    running = await boot({ REGISTER_TOKEN: TOKEN });
  });
  after(async () => {
    await running.app.close();
  });

  it('no Authorization header: 401 with WWW-Authenticate: Bearer, registrar not called', async () => {
    const reply = await httpRequest(running.url, { headers: SRS7_HEARTBEAT_HEADERS, body: SRS7_HEARTBEAT_DEVICE_IP });
    assertJsonError(reply, 401, /missing or wrong token \(Authorization: Bearer\)/);
    assert.match(String(reply.headers['www-authenticate']), /^Bearer\b/);
    assert.equal(running.registrar.calls, 0);
  });

  it('a wrong, truncated, extended or non-bearer credential: 401', async () => {
    for (const authorization of [
      'Bearer wrong-token-entirely',
      `Bearer ${TOKEN.slice(0, -1)}`,
      `Bearer ${TOKEN}x`,
      `Basic ${Buffer.from(`srs:${TOKEN}`).toString('base64')}`,
      TOKEN,
      'Bearer',
      `Bearer ${TOKEN} extra`,
    ]) {
      const reply = await httpRequest(running.url, { headers: { ...SRS7_HEARTBEAT_HEADERS, authorization }, body: SRS7_HEARTBEAT_DEVICE_IP });
      assertJsonError(reply, 401, /missing or wrong token \(Authorization: Bearer\)/);
    }
    assert.equal(running.registrar.calls, 0);
  });

  it('the right token (scheme in any case): 200', async () => {
    for (const scheme of ['Bearer', 'bearer']) {
      const reply = await httpRequest(running.url, { headers: { ...SRS7_HEARTBEAT_HEADERS, authorization: `${scheme} ${TOKEN}` }, body: SRS7_HEARTBEAT_DEVICE_IP });
      assert.equal(reply.status, 200, reply.text);
      assert.deepEqual(reply.json, { code: 0, pid: String(process.pid) });
    }
    assert.equal(running.registrar.calls, 2);
  });

  it('the token is checked before the body: a bad body without a token is a 401, not a 400', async () => {
    const reply = await httpRequest(running.url, { headers: SRS7_HEARTBEAT_HEADERS, body: '{oops' });
    assertJsonError(reply, 401, /missing or wrong token \(Authorization: Bearer\)/);
  });
});

describe('POST /api/v1/srs/register behind a global body parser', () => {
  it('still accepts a heartbeat already parsed by Nest (an app created with the default bodyParser)', async () => {
    const running = await boot({}, true);
    try {
      const reply = await httpRequest(running.url, { headers: SRS7_HEARTBEAT_HEADERS, body: SRS7_HEARTBEAT_NO_DEVICE_IP });
      assert.equal(reply.status, 200, reply.text);
      assert.deepEqual(running.registrar.recorder.heartbeats()[0]?.srt, { host: '192.0.2.2', port: 10090 });
    } finally {
      await running.app.close();
    }
  });
});
