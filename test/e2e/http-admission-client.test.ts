/** HttpAdmissionClient against a real HTTP server: status mapping, timeout, refused connection, bounded pool. */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { HttpAdmissionClient } from '../../src/admission/http-admission-client.js';
import type { AdmissionRequest } from '../../src/admission/admission-request.js';
import { freeTcpPort } from '../support/net.js';

const request: AdmissionRequest = {
  action: 'play',
  streamKey: 'v/live/a',
  vhost: 'v',
  app: 'live',
  stream: 'a',
  user: null,
  params: { token: 't' },
  caller: { address: '::1', port: 1234 },
};

async function server(handler: http.RequestListener): Promise<{ url: string; server: http.Server; close(): Promise<void> }> {
  const s = http.createServer(handler);
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(s.address() as AddressInfo).port}/admit`,
    server: s,
    close: () => {
      s.closeAllConnections();
      return new Promise((resolve) => s.close(() => resolve()));
    },
  };
}

test('HttpAdmissionClient maps statuses, times out, reports refused connections and keeps its pool bounded', { timeout: 30_000 }, async () => {
  let status = 200;
  const bodies: unknown[] = [];
  let hang = false;
  let open = 0;
  let maxOpen = 0;
  const held: http.ServerResponse[] = [];
  const s = await server((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push({ method: req.method, type: req.headers['content-type'], body: JSON.parse(Buffer.concat(chunks).toString()) });
      if (hang) held.push(res);
      else res.writeHead(status).end('ignored body');
    });
  });
  s.server.on('connection', (socket) => {
    open++;
    maxOpen = Math.max(maxOpen, open);
    socket.on('close', () => open--);
  });
  const client = new HttpAdmissionClient({ url: new URL(s.url), timeoutMs: 300, maxConnections: 2 });
  try {
    for (const [code, kind] of [[200, 'allow'], [204, 'allow'], [401, 'deny'], [403, 'deny'], [404, 'error'], [500, 'error']] as const) {
      status = code;
      const answer = await client.ask(request);
      assert.equal(answer.kind, kind, `HTTP ${code}: ${JSON.stringify(answer)}`);
    }
    assert.deepEqual(bodies[0], { method: 'POST', type: 'application/json', body: request });
    assert.equal(maxOpen, 1, 'sequential calls reuse one kept-alive connection');

    hang = true;
    const started = performance.now();
    const answers = await Promise.all(Array.from({ length: 5 }, () => client.ask(request)));
    const elapsed = performance.now() - started;
    for (const a of answers) assert.deepEqual(a, { kind: 'error', detail: 'timeout after 300 ms' });
    assert.ok(elapsed < 1500, `timed out after ${elapsed.toFixed(0)} ms`);
    assert.ok(maxOpen <= 2, `at most ADMISSION_MAX_CONNECTIONS=2 connections, saw ${maxOpen}`);
    console.log(`http admission client: 5 hung calls answered 'timeout' in ${elapsed.toFixed(0)} ms over at most ${maxOpen} connections`);
  } finally {
    for (const res of held) res.destroy();
    await client.close();
    await s.close();
  }

  const closed = new HttpAdmissionClient({ url: new URL(`http://127.0.0.1:${await freeTcpPort('127.0.0.1')}/`), timeoutMs: 1000, maxConnections: 1 });
  assert.deepEqual(await closed.ask(request), { kind: 'error', detail: 'ECONNREFUSED' });
  await closed.close();
});
