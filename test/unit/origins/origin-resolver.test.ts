import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OriginHealth } from '../../../src/origins/origin-health.js';
import { OriginResolver } from '../../../src/origins/origin-resolver.js';

describe('OriginResolver', () => {
  it('knows IP literals at once, in ORIGINS order, IPv6 bracketed in the id', () => {
    const resolver = new OriginResolver([
      { host: '10.0.0.2', port: 10080 },
      { host: 'fd00::1', port: 10081 },
    ]);
    assert.deepEqual(
      resolver.origins().map((o) => [o.id, o.host, o.port]),
      [
        ['10.0.0.2:10080', '10.0.0.2', 10080],
        ['[fd00::1]:10081', 'fd00::1', 10081],
      ],
    );
  });

  it('turns every address of a name into an origin of its own, without duplicates', async () => {
    const resolver = new OriginResolver(
      [
        { host: 'srs-headless', port: 10080 },
        { host: '10.0.0.9', port: 10080 },
      ],
      async () => ['10.0.0.9', '10.0.0.8', '10.0.0.8'],
    );
    assert.deepEqual(resolver.origins().map((o) => o.id), ['10.0.0.9:10080'], 'names wait for refresh()');
    assert.deepEqual(await resolver.refresh(), []);
    assert.deepEqual(resolver.origins().map((o) => [o.id, o.source]), [
      ['10.0.0.8:10080', 'srs-headless:10080'],
      ['10.0.0.9:10080', 'srs-headless:10080'],
    ]);
  });

  it('answers with the same list between refreshes (nothing made per handshake), a new one after an address change', async () => {
    let addresses = ['10.0.0.1'];
    const resolver = new OriginResolver([{ host: 'srs', port: 1 }], async () => addresses);
    await resolver.refresh();
    const first = resolver.origins();
    assert.equal(resolver.origins(), first);
    addresses = ['10.0.0.2'];
    await resolver.refresh();
    assert.notEqual(resolver.origins(), first);
    assert.deepEqual(resolver.origins().map((o) => o.id), ['10.0.0.2:1']);
    assert.deepEqual(first.map((o) => o.id), ['10.0.0.1:1'], 'an answer already given does not change');
  });

  it('keeps the last addresses when a later lookup fails, and says so', async () => {
    let fail = false;
    const resolver = new OriginResolver([{ host: 'srs', port: 1 }], async () => {
      if (fail) throw new Error('EAI_AGAIN');
      return ['10.1.1.1'];
    });
    await resolver.refresh();
    fail = true;
    const problems = await resolver.refresh();
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /cannot resolve origin srs:1: EAI_AGAIN/);
    assert.deepEqual(resolver.origins().map((o) => o.id), ['10.1.1.1:1']);
  });

  it('reports a name with no address', async () => {
    const resolver = new OriginResolver([{ host: 'nothing', port: 1 }], async () => []);
    assert.match((await resolver.refresh())[0]!, /no address/);
    assert.deepEqual(resolver.origins(), []);
  });
});

describe('OriginHealth', () => {
  it('leaves a failed origin out for the cooldown, and a success brings it back early', () => {
    let now = 1000;
    const health = new OriginHealth(5000, () => now);
    assert.equal(health.isUp('a'), true);
    health.reportFailure('a');
    assert.equal(health.isUp('a'), false);
    assert.deepEqual(health.downIds(), ['a']);
    now = 5999;
    assert.equal(health.isUp('a'), false);
    now = 6000;
    assert.equal(health.isUp('a'), true);
    assert.deepEqual(health.downIds(), []);
    health.reportFailure('a');
    health.reportSuccess('a');
    assert.equal(health.isUp('a'), true);
  });

  it('a cooldown of 0 disables passive health', () => {
    const health = new OriginHealth(0);
    health.reportFailure('a');
    assert.equal(health.isUp('a'), true);
  });
});
