import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cpusOfCpuMax, nodeHasReusePort, resolveWorkerCount } from '../../../src/workers/worker-count.js';

const node24 = '24.11.1';

describe('worker count', () => {
  it('reads cgroup v2 cpu.max: the quota rounded up, none for "max" or garbage', () => {
    assert.equal(cpusOfCpuMax('200000 100000\n'), 2);
    assert.equal(cpusOfCpuMax('150000 100000'), 2);
    assert.equal(cpusOfCpuMax('50000 100000'), 1);
    assert.equal(cpusOfCpuMax('max 100000\n'), undefined);
    assert.equal(cpusOfCpuMax(''), undefined);
    assert.equal(cpusOfCpuMax('abc 100000'), undefined);
    assert.equal(cpusOfCpuMax('0 100000'), undefined);
  });

  it('defaults to the cgroup limit, capped by the CPUs available', () => {
    assert.equal(resolveWorkerCount(undefined, { cpuMax: '300000 100000', parallelism: 8, nodeVersion: node24 }).workers, 3);
    assert.equal(resolveWorkerCount(undefined, { cpuMax: '1600000 100000', parallelism: 4, nodeVersion: node24 }).workers, 4);
    assert.equal(resolveWorkerCount(undefined, { cpuMax: '25000 100000', parallelism: 4, nodeVersion: node24 }).workers, 1);
    const unlimited = resolveWorkerCount(undefined, { cpuMax: 'max 100000', parallelism: 6, nodeVersion: node24 });
    assert.equal(unlimited.workers, 6);
    assert.match(unlimited.why, /6 CPUs available/);
    assert.equal(resolveWorkerCount(undefined, { cpuMax: undefined, parallelism: 2, nodeVersion: node24 }).workers, 2);
  });

  it('WORKERS wins over the CPUs', () => {
    const count = resolveWorkerCount(5, { cpuMax: '100000 100000', parallelism: 2, nodeVersion: node24 });
    assert.deepEqual(count, { workers: 5, why: 'WORKERS=5' });
  });

  it('a Node without dgram reusePort runs 1 worker and says so', () => {
    assert.equal(nodeHasReusePort('22.11.0'), false);
    assert.equal(nodeHasReusePort('22.12.0'), true);
    assert.equal(nodeHasReusePort('23.0.0'), false);
    assert.equal(nodeHasReusePort('23.1.0'), true);
    assert.equal(nodeHasReusePort('20.20.0'), false);
    assert.equal(nodeHasReusePort('24.0.0'), true);
    const old = resolveWorkerCount(4, { cpuMax: undefined, parallelism: 8, nodeVersion: '22.11.0' });
    assert.equal(old.workers, 1);
    assert.match(old.warning ?? '', /22\.12/);
  });
});
