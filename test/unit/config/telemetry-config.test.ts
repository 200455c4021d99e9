import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../../src/config/load-config.js';
import { problemsOf } from '../../support/config-problems.js';

describe('telemetry configuration', () => {
  it('defaults: telemetry on, no per-stream series, at most 100 of them', () => {
    const config = loadConfig({});
    assert.equal(config.srt.telemetry, true);
    assert.deepEqual(config.metrics, { perStream: false, perStreamMax: 100 });
  });

  it('reads the switches in their usual spellings', () => {
    assert.equal(loadConfig({ SRT_TELEMETRY: 'false' }).srt.telemetry, false);
    assert.equal(loadConfig({ SRT_TELEMETRY: 'OFF' }).srt.telemetry, false);
    assert.equal(loadConfig({ SRT_TELEMETRY: '0' }).srt.telemetry, false);
    assert.deepEqual(loadConfig({ METRICS_PER_STREAM: 'on', METRICS_PER_STREAM_MAX: '20' }).metrics, { perStream: true, perStreamMax: 20 });
    assert.equal(loadConfig({ METRICS_PER_STREAM: 'yes' }).metrics.perStream, true);
  });

  it('rejects anything else with one line naming the variable', () => {
    const problems = problemsOf({ SRT_TELEMETRY: 'maybe', METRICS_PER_STREAM_MAX: '0' });
    assert.equal(problems.length, 2, problems.join('\n'));
    assert.ok(problems.some((p) => p.includes('SRT_TELEMETRY') && p.includes('true or false')), problems.join('\n'));
    assert.ok(problems.some((p) => p.includes('METRICS_PER_STREAM_MAX') && p.includes('at least 1')), problems.join('\n'));
  });
});
