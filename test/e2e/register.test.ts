/** The register endpoint of the built proxy (dist/src/main.js): wiring, body limit and error shape as deployed. */
import assert from 'node:assert/strict';
import { freeUdpPort, hostPort } from '../support/net.js';
import { httpRequest, rawHttpExchange } from '../support/http.js';
import { waitFor } from '../support/process.js';
import { SRS7_HEARTBEAT_DEVICE_IP, SRS7_HEARTBEAT_HEADERS } from '../support/srs-heartbeats.js';
import { e2eTest } from './support/scope.js';

const TOKEN = 'e2e-register-token-0123';

e2eTest('the proxy process answers SRS heartbeats: 200 code 0, one 400 for bad JSON, 413 over 64 KiB, 401 without the token', async (scope) => {
  const proxy = await scope.proxy({ origins: [hostPort('127.0.0.1', await freeUdpPort())], wait: 'alive', env: { REGISTER_TOKEN: TOKEN, LOG_LEVEL: 'debug' } });
  const url = proxy.url('/api/v1/srs/register');
  const auth = { ...SRS7_HEARTBEAT_HEADERS, authorization: `Bearer ${TOKEN}` };

  const ok = await httpRequest(url, { headers: auth, body: SRS7_HEARTBEAT_DEVICE_IP });
  assert.equal(ok.status, 200, ok.text);
  assert.deepEqual(ok.json, { code: 0, pid: String(proxy.pid) });

  const raw = await rawHttpExchange(
    '127.0.0.1',
    proxy.httpPort,
    `POST /api/v1/srs/register HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 5\r\nConnection: close\r\n\r\n{"ip"`,
  );
  assert.equal(raw.match(/HTTP\/1\.1 /g)?.length, 1, raw);
  assert.match(raw, /^HTTP\/1\.1 400 /);
  assert.match(raw, /"code":400,"error":"malformed JSON: /);

  const again = await httpRequest(url, { headers: auth, body: '{"ip":' });
  assert.equal(again.status, 400, 'a second malformed body (logged only once a minute)');

  const big = JSON.stringify({ ip: '10.0.0.1', server: 's', service: 'v', pid: '1', pad: 'x'.repeat(70 * 1024) });
  const tooBig = await httpRequest(url, { headers: auth, body: big });
  assert.equal(tooBig.status, 413, tooBig.text);
  assert.deepEqual(tooBig.json, { code: 413, error: 'body larger than 65536 bytes' });

  const noToken = await httpRequest(url, { headers: SRS7_HEARTBEAT_HEADERS, body: SRS7_HEARTBEAT_DEVICE_IP });
  assert.equal(noToken.status, 401);
  assert.match(String(noToken.headers['www-authenticate']), /^Bearer/);

  const get = await httpRequest(url, { method: 'GET' });
  assert.equal(get.status, 405);

  assert.equal((await httpRequest(url, { headers: auth, body: SRS7_HEARTBEAT_DEVICE_IP })).status, 200, 'still serving');
  assert.ok(proxy.process.running);
  await waitFor('refusals logged', () => (/refused \(401\): missing or wrong token \(Authorization: Bearer\)/.test(proxy.process.stdout) ? true : undefined), 3000);
  assert.equal(proxy.process.stdout.match(/refused \(400\)/g)?.length, 1, 'two malformed bodies, one log line (throttled)');
  const output = proxy.process.stdout + proxy.process.stderr;
  assert.ok(!output.includes(TOKEN), 'the token never appears in the log, even at debug level');
});
