/**
 * The Helm chart, checked offline against real Kubernetes schemas by scripts/chart-check.sh: helm lint, helm
 * template with the default, Redis, Sentinel and Cluster values, kubeconform -strict on each (missing schemas
 * fail), the expected content of each rendering, and proof that the check rejects a bogus field or value.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runScript } from './support/run-script.js';

// helm takes ~150 s to build the first time on these machines; afterwards the check takes seconds.
const TIMEOUT_MS = 15 * 60_000;

test('the Helm chart lints, renders and validates strictly against Kubernetes 1.29 and 1.37 schemas, and the check can fail', { timeout: TIMEOUT_MS + 60_000 }, async () => {
  const run = await runScript('chart-check.sh', TIMEOUT_MS);
  console.log(run.output.split('\n').filter((line) => line.startsWith('chart-check:')).map((line) => line.slice(0, 240)).join('\n'));
  assert.equal(run.code, 0, `scripts/chart-check.sh failed:\n${run.output}`);
  for (const values of ['default', 'redis', 'sentinel', 'cluster']) {
    for (const version of ['1.29.0', '1.37.0']) {
      assert.match(run.output, new RegExp(`^chart-check: helm lint --strict, helm template, kubeconform -strict, Kubernetes ${version.replaceAll('.', '\\.')}, ${values} values: \\d+ resources found .*Invalid: 0, Errors: 0, Skipped: 0`, 'm'));
    }
  }
  assert.match(run.output, /^chart-check: a bogus Deployment field is rejected/m);
  assert.match(run.output, /^chart-check: OK in \d+ s$/m);
});
