import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../../src/config/load-config.js';
import pino from 'pino';
import { pinoOptions } from '../../../src/logging/pino-options.js';
import { jsonLineSink } from '../../support/json-lines.js';

/** A pino logger with the proxy's options writing into an array of parsed lines. */
function capture(level: 'debug' | 'info' = 'info') {
  const { lines, sink } = jsonLineSink();
  const { useLevel: _http, quietReqLogger: _quiet, ...options } = pinoOptions(level);
  return { lines, logger: pino(options as pino.LoggerOptions, sink) };
}

describe('pinoOptions', () => {
  it('writes JSON with an ISO time, the level name and the service', () => {
    const { lines, logger } = capture();
    logger.info({ stream: 'v/live/x' }, 'session started');
    assert.equal(lines.length, 1);
    assert.equal(lines[0]!.level, 'info');
    assert.equal(lines[0]!.service, 'srt-proxy');
    assert.equal(lines[0]!.msg, 'session started');
    assert.match(lines[0]!.time as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('redacts secret-named fields at any depth a config or an error puts them', () => {
    const { lines, logger } = capture();
    logger.info({
      msg: 'configuration',
      config: {
        srt: { cookieSecret: 'cookie-secret-1' },
        redis: { url: 'redis://r:6379', password: 'redis-password-2', sentinel: { password: 'sentinel-password-3' } },
        register: { token: 'register-token-4' },
      },
      streamId: '#!::r=live/x,secret=s5',
    });
    const text = JSON.stringify(lines);
    for (const secret of ['cookie-secret-1', 'redis-password-2', 'sentinel-password-3', 'register-token-4', 's5']) {
      assert.ok(!text.includes(secret), `${secret} in ${text}`);
    }
    const config = lines[0]!.config as { srt: { cookieSecret: string }; redis: { url: string; password: string } };
    assert.equal(config.srt.cookieSecret, '[redacted]');
    assert.equal(config.redis.password, '[redacted]');
    assert.equal(config.redis.url, 'redis://r:6379');
  });

  it('redacts every secret of the real AppConfig in the start-up configuration line', () => {
    const { lines, logger } = capture();
    const config = loadConfig({
      COOKIE_SECRET: 'cookie-secret-0123456789',
      REGISTER_TOKEN: 'register-token-0123',
      REDIS_URL: 'redis://:url-password-9@r:6379',
      REDIS_SENTINEL_PASSWORD: 'sentinel-password-8',
    });
    logger.info({ msg: 'configuration', config });
    const text = JSON.stringify(lines);
    for (const secret of ['cookie-secret-0123456789', 'register-token-0123', 'url-password-9', 'sentinel-password-8']) {
      assert.ok(!text.includes(secret), `${secret} in ${text}`);
    }
  });

  it('scrubs secrets out of free text in messages and string fields', () => {
    const { lines, logger } = capture();
    logger.warn('origin said no to #!::r=live/x,m=publish,secret=abc123');
    logger.warn({ detail: 'GET /x?token=tok456 Authorization: Bearer bear789' }, 'odd request');
    const text = JSON.stringify(lines);
    for (const secret of ['abc123', 'tok456', 'bear789']) assert.ok(!text.includes(secret), `${secret} in ${text}`);
    assert.match(lines[0]!.msg as string, /r=live\/x,m=publish,secret=\[redacted\]$/);
  });

  it('keeps HTTP requests to method, path and status, and at debug', () => {
    const options = pinoOptions('debug');
    assert.equal(options.useLevel, 'debug');
    const req = options.serializers!.req!({ method: 'GET', url: '/api/v1/stats?token=t', headers: { authorization: 'Bearer b' } } as never);
    assert.deepEqual(req, { method: 'GET', path: '/api/v1/stats' });
  });

  it('honours the level', () => {
    const { lines, logger } = capture('info');
    logger.debug('hidden');
    logger.info('shown');
    assert.deepEqual(lines.map((l) => l.msg), ['shown']);
  });
});
