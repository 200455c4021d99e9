import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AdmissionGate } from '../../../src/admission/admission-gate.js';
import type { AdmissionAnswer, AdmissionClient } from '../../../src/admission/admission-client.js';
import type { AdmissionRequest } from '../../../src/admission/admission-request.js';
import type { AppConfig } from '../../../src/config/app-config.js';
import { loadConfig } from '../../../src/config/load-config.js';

/** A webhook stand-in whose answers the test releases by hand. */
class HeldClient implements AdmissionClient {
  readonly asked: AdmissionRequest[] = [];
  private readonly pending: ((answer: AdmissionAnswer) => void)[] = [];
  ask(request: AdmissionRequest): Promise<AdmissionAnswer> {
    this.asked.push(request);
    return new Promise((resolve) => this.pending.push(resolve));
  }
  answerAll(answer: AdmissionAnswer): void {
    for (const resolve of this.pending.splice(0)) resolve(answer);
  }
  async close(): Promise<void> {}
}

function config(env: Record<string, string>): AppConfig {
  return loadConfig({ ADMISSION_URL: 'http://127.0.0.1:9/admit', ...env });
}

function request(overrides: Partial<AdmissionRequest> = {}): AdmissionRequest {
  return {
    action: 'publish',
    streamKey: 'v/live/a',
    vhost: 'v',
    app: 'live',
    stream: 'a',
    user: null,
    params: { secret: 'k1' },
    caller: { address: '10.0.0.1', port: 5000 },
    ...overrides,
  };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('AdmissionGate', () => {
  it('identical concurrent requests share one call; a different port shares it too, other params do not', async () => {
    const client = new HeldClient();
    const gate = new AdmissionGate(config({}), client);
    const verdicts = Array.from({ length: 50 }, (_, i) => gate.decide(request({ caller: { address: '10.0.0.1', port: 5000 + i } })));
    const other = gate.decide(request({ params: { secret: 'k2' } }));
    await flush();
    assert.equal(client.asked.length, 2);
    client.answerAll({ kind: 'deny', status: 403 });
    for (const v of await Promise.all(verdicts)) assert.deepEqual(v, { allowed: false, reason: 'forbidden-by-webhook' });
    assert.equal((await other).allowed, false);
    const counts = gate.counts();
    assert.equal(counts.webhookCalls, 2);
    assert.equal(counts.sharedCalls, 49);
    assert.equal(counts.deniedByWebhook, 51);
  });

  it('caches answers for ADMISSION_CACHE_MS, then asks again', async () => {
    let now = 1000;
    const client = new HeldClient();
    const gate = new AdmissionGate(config({ ADMISSION_CACHE_MS: '5000' }), client, () => now);
    const first = gate.decide(request());
    await flush();
    client.answerAll({ kind: 'allow' });
    assert.deepEqual(await first, { allowed: true });
    now += 4999;
    assert.deepEqual(await gate.decide(request()), { allowed: true });
    assert.equal(client.asked.length, 1);
    assert.equal(gate.counts().cacheHits, 1);
    now += 2;
    const later = gate.decide(request());
    await flush();
    assert.equal(client.asked.length, 2, 'expired: asked again');
    client.answerAll({ kind: 'deny', status: 401 });
    assert.equal((await later).allowed, false);
  });

  it('errors follow ADMISSION_ON_ERROR and are never cached', async () => {
    for (const onError of ['deny', 'allow'] as const) {
      const client = new HeldClient();
      const gate = new AdmissionGate(config({ ADMISSION_ON_ERROR: onError }), client);
      const v = gate.decide(request());
      await flush();
      client.answerAll({ kind: 'error', detail: 'timeout' });
      assert.deepEqual(await v, onError === 'allow' ? { allowed: true } : { allowed: false, reason: 'admission-unavailable' });
      const again = gate.decide(request());
      await flush();
      assert.equal(client.asked.length, 2, `${onError}: an error is not cached`);
      client.answerAll({ kind: 'allow' });
      assert.deepEqual(await again, { allowed: true });
    }
  });

  it('CIDR rules refuse before the webhook is asked, per action', async () => {
    const client = new HeldClient();
    const gate = new AdmissionGate(config({ PUBLISH_ALLOW_CIDRS: '192.0.2.0/24', PLAY_DENY_CIDRS: '10.0.0.0/8' }), client);
    assert.deepEqual(await gate.decide(request()), { allowed: false, reason: 'forbidden-by-rules' });
    assert.deepEqual(await gate.decide(request({ action: 'play' })), { allowed: false, reason: 'forbidden-by-rules' });
    assert.equal(client.asked.length, 0);
    const allowed = gate.decide(request({ caller: { address: '::ffff:192.0.2.9', port: 1 } }));
    await flush();
    assert.equal(client.asked.length, 1, 'an allowed caller goes on to the webhook');
    client.answerAll({ kind: 'allow' });
    assert.equal((await allowed).allowed, true);
    assert.equal(gate.counts().deniedByRules, 2);
  });

  it('without a webhook only the rules decide', async () => {
    const gate = new AdmissionGate(loadConfig({ PLAY_ALLOW_CIDRS: '::1' }), null);
    assert.equal((await gate.decide(request({ action: 'play', caller: { address: '::1', port: 1 } }))).allowed, true);
    assert.equal((await gate.decide(request({ action: 'play', caller: { address: '127.0.0.1', port: 1 } }))).allowed, false);
    assert.equal((await gate.decide(request())).allowed, true);
    assert.equal(gate.counts().allowedByRules, 2);
  });

  it('without a webhook decides at once (decideNow), as decide() would, counting alike', async () => {
    const env = { PLAY_ALLOW_CIDRS: '::1', PUBLISH_DENY_CIDRS: '192.0.2.0/24' };
    const now = new AdmissionGate(loadConfig(env), null);
    const later = new AdmissionGate(loadConfig(env), null);
    const cases: [AdmissionRequest['action'], string][] = [
      ['play', '::1'],
      ['play', '127.0.0.1'],
      ['publish', '::ffff:192.0.2.7'],
      ['publish', '192.0.2.7'],
      ['publish', '198.51.100.1'],
    ];
    for (const [action, address] of cases) {
      assert.deepEqual(now.decideNow(action, address), await later.decide(request({ action, caller: { address, port: 1 } })), `${action} ${address}`);
    }
    assert.deepEqual(now.counts(), later.counts());
    assert.equal(now.counts().deniedByRules, 3);
  });

  it('with a webhook leaves the decision to decide()', () => {
    const client = new HeldClient();
    const gate = new AdmissionGate(config({}), client);
    assert.equal(gate.decideNow('publish', '10.0.0.1'), undefined);
    assert.equal(client.asked.length, 0);
    assert.deepEqual(gate.counts(), new AdmissionGate(config({}), new HeldClient()).counts(), 'nothing counted');
  });
});

