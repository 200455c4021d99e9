import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../../src/config/load-config.js';
import { problemsOf } from '../../support/config-problems.js';

/** dist/test/unit/config -> the repository root. */
const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../..');

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

  it('accepts the reference listen forms: 20080, :20080 and 0.0.0.0:20080', () => {
    for (const value of ['20080', ':20080', '0.0.0.0:20080']) {
      const config = loadConfig({ PROXY_SRT_SERVER: value, PROXY_SYSTEM_API: value.replace('20080', '12025') });
      assert.deepEqual(config.srt.listen, { host: '0.0.0.0', port: 20080 }, value);
      assert.deepEqual(config.http.listen, { host: '0.0.0.0', port: 12025 }, value);
    }
    assert.deepEqual(loadConfig({ SRT_LISTEN: ':9000' }).srt.listen, { host: '0.0.0.0', port: 9000 });
    assert.deepEqual(loadConfig({ SRT_LISTEN: '[::]:9000' }).srt.listen, { host: '::', port: 9000 });
  });

  it('still requires a host in an origin: ":10080" is no endpoint', () => {
    const [line] = problemsOf({ ORIGINS: ':10080' });
    assert.match(line!, /ORIGINS=":10080": ":10080": a host is required/);
  });

  it('maps the reference quit timeouts (Go durations) onto the drain: the shorter of those set', () => {
    assert.equal(loadConfig({}).drainTimeoutMs, 25_000);
    assert.equal(loadConfig({ PROXY_GRACE_QUIT_TIMEOUT: '20s' }).drainTimeoutMs, 20_000);
    assert.equal(loadConfig({ PROXY_FORCE_QUIT_TIMEOUT: '1m30s' }).drainTimeoutMs, 90_000);
    assert.equal(loadConfig({ PROXY_GRACE_QUIT_TIMEOUT: '20s', PROXY_FORCE_QUIT_TIMEOUT: '500ms' }).drainTimeoutMs, 500);
    assert.equal(loadConfig({ PROXY_GRACE_QUIT_TIMEOUT: '20s', PROXY_FORCE_QUIT_TIMEOUT: '30s' }).drainTimeoutMs, 20_000);
    assert.equal(loadConfig({ PROXY_GRACE_QUIT_TIMEOUT: '1.5s' }).drainTimeoutMs, 1500);
    // Ours wins, and an unparsable alias is not even looked at then.
    assert.equal(loadConfig({ PROXY_GRACE_QUIT_TIMEOUT: 'soon', DRAIN_TIMEOUT_MS: '7000' }).drainTimeoutMs, 7000);
  });

  it('rejects a bad reference duration with one line naming the reference variable', () => {
    const problems = problemsOf({ PROXY_FORCE_QUIT_TIMEOUT: '30' });
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /^invalid configuration: PROXY_FORCE_QUIT_TIMEOUT="30": missing unit in "30"/);
    assert.match(problemsOf({ PROXY_GRACE_QUIT_TIMEOUT: '-5s' })[0]!, /PROXY_GRACE_QUIT_TIMEOUT="-5s": must not be negative/);
    // Beyond DRAIN_TIMEOUT_MS's range: reported against our variable, with the translated value.
    assert.match(problemsOf({ PROXY_GRACE_QUIT_TIMEOUT: '2h' })[0]!, /DRAIN_TIMEOUT_MS="7200000": must be at most 3600000/);
  });

  describe('CONFIG_FILE', () => {
    const withFile = (text: string, body: (path: string) => void): void => {
      const dir = mkdtempSync(join(tmpdir(), 'srt-proxy-config-'));
      try {
        const path = join(dir, 'proxy.env');
        writeFileSync(path, text);
        body(path);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };

    it('reads KEY=value lines, comments and quotes, reference names included', () => {
      withFile('# comment\nSRT_LISTEN=127.0.0.1:9001\nLOG_LEVEL="debug"\nPROXY_GRACE_QUIT_TIMEOUT=2s\n', (path) => {
        const config = loadConfig({ CONFIG_FILE: path });
        assert.deepEqual(config.srt.listen, { host: '127.0.0.1', port: 9001 });
        assert.equal(config.logLevel, 'debug');
        assert.equal(config.drainTimeoutMs, 2000);
      });
    });

    it('lets the real environment win over the file (an empty variable counts as unset)', () => {
      withFile('SRT_LISTEN=127.0.0.1:9001\nMAX_SESSIONS=5\n', (path) => {
        const config = loadConfig({ CONFIG_FILE: path, SRT_LISTEN: '9002', MAX_SESSIONS: '' });
        assert.deepEqual(config.srt.listen, { host: '0.0.0.0', port: 9002 });
        assert.equal(config.srt.maxSessions, 5);
      });
    });

    it('validates the file like the environment', () => {
      withFile('MAX_SESSIONS=many\n', (path) => {
        assert.match(problemsOf({ CONFIG_FILE: path })[0]!, /MAX_SESSIONS="many": expected a whole number/);
      });
    });

    it('stops start-up with one line when the file cannot be read', () => {
      const problems = problemsOf({ CONFIG_FILE: '/nonexistent/proxy.env' });
      assert.deepEqual(problems, ['invalid configuration: CONFIG_FILE="/nonexistent/proxy.env": cannot read it (ENOENT)']);
    });

    it('accepts every example in config/ as it stands', () => {
      const examples = readdirSync(join(REPO_ROOT, 'config')).filter((f) => f.endsWith('.env')).sort();
      assert.deepEqual(examples, ['compose.env', 'kubernetes.env', 'local.env']);
      for (const file of examples) {
        const config = loadConfig({ CONFIG_FILE: join(REPO_ROOT, 'config', file) });
        assert.ok(config.origins.length > 0, file);
      }
      const local = loadConfig({ CONFIG_FILE: join(REPO_ROOT, 'config', 'local.env') });
      assert.deepEqual(local.srt.listen, { host: '127.0.0.1', port: 20080 });
      const k8s = loadConfig({ CONFIG_FILE: join(REPO_ROOT, 'config', 'kubernetes.env') });
      assert.deepEqual(k8s.origins, [{ host: 'srs-origin.media.svc.cluster.local', port: 10080 }]);
      assert.equal(k8s.srt.cookieSecret, undefined);
    });
  });
});
