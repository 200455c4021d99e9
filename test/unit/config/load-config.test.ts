import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../../src/config/load-config.js';

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    return error.problems;
  }
  assert.fail('expected the configuration to be rejected');
}

describe('loadConfig', () => {
  it('gives the embedded defaults for an empty environment', () => {
    const config = loadConfig({});
    assert.deepEqual(config.srt.listen, { host: '0.0.0.0', port: 20080 });
    assert.deepEqual(config.http.listen, { host: '0.0.0.0', port: 12025 });
    assert.deepEqual(config.origins, [{ host: '127.0.0.1', port: 10080 }]);
    assert.equal(config.balancer.provider, 'memory');
    assert.equal(config.balancer.strategy, 'random');
    assert.equal(config.srt.sessionIdleTimeoutMs, 10000);
    assert.equal(config.srt.cookieSecret, undefined);
    assert.equal(config.logLevel, 'info');
  });

  it('parses host:port, bare ports, IPv6 and origin lists', () => {
    const config = loadConfig({
      SRT_LISTEN: '[::]:9000',
      HTTP_LISTEN: '127.0.0.1:8080',
      ORIGINS: '10.0.0.1:10080, [fd00::2]:10081 ,origin-b.svc:10080',
      BALANCER_STRATEGY: 'Round-Robin',
      SESSION_IDLE_TIMEOUT_MS: '5000',
      MAX_SESSIONS: '3',
      LOG_LEVEL: 'WARN',
    });
    assert.deepEqual(config.srt.listen, { host: '::', port: 9000 });
    assert.deepEqual(config.http.listen, { host: '127.0.0.1', port: 8080 });
    assert.deepEqual(config.origins, [
      { host: '10.0.0.1', port: 10080 },
      { host: 'fd00::2', port: 10081 },
      { host: 'origin-b.svc', port: 10080 },
    ]);
    assert.equal(config.balancer.strategy, 'round-robin');
    assert.equal(config.srt.sessionIdleTimeoutMs, 5000);
    assert.equal(config.srt.maxSessions, 3);
    assert.equal(config.logLevel, 'warn');
  });

  it('treats empty values as unset', () => {
    assert.equal(loadConfig({ SRT_LISTEN: '', LOG_LEVEL: ' ' }).srt.listen.port, 20080);
  });

  it('rejects a bad port with one line naming the variable, the value and what is allowed', () => {
    const problems = problemsOf({ SRT_LISTEN: '127.0.0.1:70000' });
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /^invalid configuration: SRT_LISTEN="127\.0\.0\.1:70000": port must be 1-65535$/);
  });

  it('rejects a non-numeric port', () => {
    const [line] = problemsOf({ HTTP_LISTEN: 'localhost:http' });
    assert.match(line!, /HTTP_LISTEN="localhost:http": port must be a number/);
  });

  it('rejects an unknown enum value and lists the allowed ones', () => {
    const [line] = problemsOf({ BALANCER_STRATEGY: 'fastest' });
    assert.match(line!, /BALANCER_STRATEGY="fastest": expected one of random, round-robin, least-streams, consistent-hash/);
    const [level] = problemsOf({ LOG_LEVEL: 'verbose' });
    assert.match(level!, /LOG_LEVEL="verbose": expected one of debug, info, warn, error/);
  });

  it('rejects a provider this build does not have', () => {
    const [line] = problemsOf({ BALANCER_PROVIDER: 'etcd' });
    assert.match(line!, /BALANCER_PROVIDER="etcd": expected one of memory, static, redis/);
  });

  it('rejects out-of-range numbers and bad origins, one line each', () => {
    const problems = problemsOf({ SESSION_IDLE_TIMEOUT_MS: '10', MAX_SESSIONS: '-1', ORIGINS: '10.0.0.1' });
    assert.equal(problems.length, 3);
    assert.ok(problems.some((p) => /SESSION_IDLE_TIMEOUT_MS="10": must be at least 3000/.test(p)));
    assert.ok(problems.some((p) => /MAX_SESSIONS="-1": expected a whole number/.test(p)));
    assert.ok(problems.some((p) => /ORIGINS="10\.0\.0\.1": "10\.0\.0\.1": expected host:port/.test(p)));
  });

  it('never echoes a secret', () => {
    const [line] = problemsOf({ COOKIE_SECRET: 'short-secret' });
    assert.match(line!, /COOKIE_SECRET=<redacted>: must be at least 16 characters/);
    assert.ok(!line!.includes('short-secret'));
  });

  it('accepts the reference proxy variable names as aliases, ours winning', () => {
    const config = loadConfig({
      PROXY_SRT_SERVER: '20081',
      PROXY_SYSTEM_API: '12026',
      PROXY_LOAD_BALANCER_TYPE: 'static',
      PROXY_DEFAULT_BACKEND_ENABLED: 'on',
      PROXY_DEFAULT_BACKEND_IP: '10.1.2.3',
      PROXY_DEFAULT_BACKEND_SRT: '10090',
    });
    assert.equal(config.srt.listen.port, 20081);
    assert.equal(config.http.listen.port, 12026);
    assert.deepEqual(config.origins, [{ host: '10.1.2.3', port: 10090 }]);
    assert.equal(loadConfig({ PROXY_SRT_SERVER: '20081', SRT_LISTEN: '20082' }).srt.listen.port, 20082);
    // The reference ignores its default backend unless enabled.
    assert.deepEqual(loadConfig({ PROXY_DEFAULT_BACKEND_IP: '10.1.2.3' }).origins, [{ host: '127.0.0.1', port: 10080 }]);
  });
});
