/**
 * The HTTP port under abuse: slow clients are cut off (408) within HTTP_HEADERS_TIMEOUT_MS / HTTP_REQUEST_TIMEOUT_MS,
 * a declared body over the limit is refused (413) before any route runs, unknown routes and malformed requests get a
 * JSON 404/400, and no answer carries a stack trace or advertises the framework.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { hostPort } from '../support/net.js';
import { HTTP_BODY_LIMIT_BYTES } from '../../src/http/http-hardening.js';
import { e2eTest } from './support/scope.js';

interface RawAnswer {
  readonly text: string;
  readonly status: number;
  /** From the first byte written until the server closed the connection. */
  readonly closedAfterMs: number;
}

/** Writes `parts` (pausing `gapMs` between them) on a fresh TCP connection and reads until the server closes. */
function rawHttp(port: number, parts: readonly string[], gapMs = 0, limitMs = 20_000): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const t0 = performance.now();
    let text = '';
    const guard = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the connection open for ${limitMs} ms; got ${JSON.stringify(text)}`));
    }, limitMs);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', () => undefined); // a reset after the answer is the server closing: judged by the text
    socket.on('close', () => {
      clearTimeout(guard);
      resolve({ text, status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), closedAfterMs: performance.now() - t0 });
    });
    socket.on('connect', async () => {
      for (const part of parts) {
        if (socket.destroyed) return;
        socket.write(part);
        if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
      }
    });
  });
}

function bodyOf(answer: RawAnswer): unknown {
  const at = answer.text.indexOf('\r\n\r\n');
  assert.ok(at > 0, `no header end in ${JSON.stringify(answer.text)}`);
  return JSON.parse(answer.text.slice(at + 4));
}

function assertClean(answer: RawAnswer): void {
  assert.doesNotMatch(answer.text, /\n\s+at /, 'no stack trace');
  assert.doesNotMatch(answer.text, /x-powered-by/i, 'the framework is not advertised');
}

e2eTest(
  'HTTP: 404 and 400 as JSON, malformed JSON 400, 413 over 64 KiB, 408 for slow headers, never a stack trace',
  async (scope) => {
    const headersTimeoutMs = 1000;
    const proxy = await scope.proxy({
      origins: [hostPort('127.0.0.1', 9)],
      wait: 'alive',
      env: { HTTP_HEADERS_TIMEOUT_MS: String(headersTimeoutMs), HTTP_REQUEST_TIMEOUT_MS: '2000' },
    });
    const port = proxy.httpPort;
    const close = 'Connection: close\r\n';

    const unknown = await rawHttp(port, [`GET /no/such/route HTTP/1.1\r\nHost: x\r\n${close}\r\n`]);
    assert.equal(unknown.status, 404, unknown.text);
    assert.match(unknown.text, /content-type: application\/json/i);
    assert.deepEqual(bodyOf(unknown), { statusCode: 404, message: 'Cannot GET /no/such/route', error: 'Not Found' });
    assertClean(unknown);

    const badPath = await rawHttp(port, [`GET /api/v1/%zz HTTP/1.1\r\nHost: x\r\n${close}\r\n`]);
    assert.ok(badPath.status === 400 || badPath.status === 404, badPath.text);
    assert.equal((bodyOf(badPath) as { statusCode: number }).statusCode, badPath.status);
    assertClean(badPath);

    // Only the headers are sent: the 413 must come without waiting for (or reading) the declared body.
    const declared = HTTP_BODY_LIMIT_BYTES + 1;
    const tooLarge = await rawHttp(port, [`POST /api/v1/stats HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${declared}\r\n\r\n`]);
    assert.equal(tooLarge.status, 413, tooLarge.text);
    assert.deepEqual(bodyOf(tooLarge), { code: 413, error: `body larger than ${HTTP_BODY_LIMIT_BYTES} bytes` });
    assert.ok(tooLarge.closedAfterMs < headersTimeoutMs, `413 and close after ${tooLarge.closedAfterMs.toFixed(0)} ms`);
    assertClean(tooLarge);

    // Just under the limit is not refused for its size (the route has no body to read: 404 for POST).
    const atLimit = await rawHttp(port, [`POST /api/v1/stats HTTP/1.1\r\nHost: x\r\n${close}Content-Length: 4\r\n\r\n{}{}`]);
    assert.equal(atLimit.status, 404, atLimit.text);

    // The one route with a body (SRS's heartbeat): malformed JSON 400, over the same limit 413 whether the length
    // is declared (refused in front of the route) or discovered in a chunked body (by the route's own reader).
    const register = 'POST /api/v1/srs/register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' + close;
    const malformed = await rawHttp(port, [`${register}Content-Length: 4\r\n\r\n{bad`]);
    assert.equal(malformed.status, 400, malformed.text);
    assert.match((bodyOf(malformed) as { error: string }).error, /malformed JSON/);
    assertClean(malformed);
    const declaredRegister = await rawHttp(port, [`${register}Content-Length: ${declared}\r\n\r\n`]);
    assert.equal(declaredRegister.status, 413, declaredRegister.text);
    assert.equal((bodyOf(declaredRegister) as { code: number }).code, 413);
    const chunk = 'x'.repeat(16 * 1024);
    const chunked = await rawHttp(port, [
      `${register}Transfer-Encoding: chunked\r\n\r\n`,
      ...Array.from({ length: 5 }, () => `${chunk.length.toString(16)}\r\n${chunk}\r\n`),
      '0\r\n\r\n',
    ]);
    assert.equal(chunked.status, 413, chunked.text);
    assert.equal((bodyOf(chunked) as { code: number }).code, 413);
    assert.match((bodyOf(chunked) as { error: string }).error, new RegExp(`larger than ${HTTP_BODY_LIMIT_BYTES} bytes`));
    assertClean(chunked);

    // Slowloris: headers that never end. Node answers 408 and closes within the budget (plus its check period).
    const slow = await rawHttp(port, ['GET /healthz HTTP/1.1\r\n', 'Host: x\r\n', 'X-A: 1\r\n', 'X-B: 2\r\n'], 100);
    console.log(`http: slow headers cut after ${slow.closedAfterMs.toFixed(0)} ms (HTTP_HEADERS_TIMEOUT_MS=${headersTimeoutMs})`);
    assert.equal(slow.status, 408, slow.text);
    assert.ok(slow.closedAfterMs >= headersTimeoutMs - 50, `cut after ${slow.closedAfterMs.toFixed(0)} ms, before the budget`);
    assert.ok(slow.closedAfterMs < headersTimeoutMs + 3000, `cut after ${slow.closedAfterMs.toFixed(0)} ms`);

    // An idle connection that never sends a request is closed too.
    const idle = await rawHttp(port, []);
    assert.ok(idle.closedAfterMs < headersTimeoutMs + 3000, `idle connection closed after ${idle.closedAfterMs.toFixed(0)} ms`);

    // And the port still serves.
    const health = await rawHttp(port, [`GET /healthz HTTP/1.1\r\nHost: x\r\n${close}\r\n`]);
    assert.equal(health.status, 200, health.text);
  },
  { timeout: 60_000 },
);
