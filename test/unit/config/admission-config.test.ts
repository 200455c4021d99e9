import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../../src/config/load-config.js';

function problem(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.message;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
}

describe('admission configuration', () => {
  it('has defaults that fit the handshake budget', () => {
    const c = loadConfig({ ADMISSION_URL: 'http://127.0.0.1:8080/admit' });
    assert.equal(c.admission.timeoutMs, 1000);
    assert.equal(c.admission.onError, 'deny');
    assert.equal(c.admission.cacheMs, 5000);
    assert.equal(c.admission.url?.href, 'http://127.0.0.1:8080/admit');
    assert.equal(c.adminToken, undefined);
    assert.equal(c.events.url, undefined);
  });

  it('refuses a webhook timeout that leaves the origin handshake less than 500 ms', () => {
    const text = problem({ ADMISSION_URL: 'http://h/a', ADMISSION_TIMEOUT_MS: '1600', ORIGIN_HANDSHAKE_TIMEOUT_MS: '2000' });
    assert.match(text, /^invalid configuration: ADMISSION_TIMEOUT_MS=1600: must be at most ORIGIN_HANDSHAKE_TIMEOUT_MS \(2000\) - 500/);
    assert.equal(text.split('\n').length, 1);
    // Without a webhook the timeout is not used, so it is not held against the budget.
    loadConfig({ ADMISSION_TIMEOUT_MS: '1600', ORIGIN_HANDSHAKE_TIMEOUT_MS: '2000' });
    loadConfig({ ADMISSION_URL: 'http://h/a', ADMISSION_TIMEOUT_MS: '1500', ORIGIN_HANDSHAKE_TIMEOUT_MS: '2000' });
  });

  it('names the bad variable, never echoing URLs or the token', () => {
    assert.match(problem({ PUBLISH_DENY_CIDRS: '10.0.0.0/8,10.0.0.0/40' }), /^invalid configuration: PUBLISH_DENY_CIDRS=.*"10.0.0.0\/40": prefix must be 0 to 32$/);
    assert.match(problem({ PLAY_ALLOW_CIDRS: 'example.com' }), /PLAY_ALLOW_CIDRS=.*not an IPv4 or IPv6 address/);
    assert.match(problem({ ADMISSION_ON_ERROR: 'maybe' }), /ADMISSION_ON_ERROR="maybe": expected one of deny, allow/);
    const url = problem({ ADMISSION_URL: 'ftp://user:pw@h/a?key=s3cret' });
    assert.match(url, /^invalid configuration: ADMISSION_URL=<redacted>: scheme must be http/);
    assert.ok(!url.includes('s3cret'));
    assert.match(problem({ ADMIN_TOKEN: 'short' }), /^invalid configuration: ADMIN_TOKEN=<redacted>: must be at least 16 characters$/);
    assert.match(problem({ EVENTS_QUEUE_MAX: '0' }), /EVENTS_QUEUE_MAX="0": must be at least 1/);
  });

  it('shows webhook URLs without credentials or query in the start-up line', () => {
    const c = loadConfig({ ADMISSION_URL: 'https://u:pw@auth.example/admit?key=s3cret', EVENTS_URL: 'http://ev.example/e?token=t' });
    const shown = JSON.stringify(c);
    assert.ok(shown.includes('"https://auth.example/admit"'), shown);
    assert.ok(shown.includes('"http://ev.example/e"'), shown);
    assert.ok(!shown.includes('s3cret') && !shown.includes('pw@') && !shown.includes('token=t'), shown);
    assert.equal(c.admission.url?.searchParams.get('key'), 's3cret', 'the real URL keeps its query');
  });
});
