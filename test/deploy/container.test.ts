/**
 * The image is proven, not assumed: scripts/container-check.sh builds it and runs it read-only, without
 * capabilities, as uid 1000 under tini, publishes a real ffmpeg stream through it to a srt-live-transmit origin on
 * the host, checks that it runs the native data path (built in the image's build stage, no toolchain shipped),
 * /readyz and the HEALTHCHECK, then `docker stop`s it mid-stream: /readyz stays 200 with the
 * draining detail, and it exits 0 within DRAIN_TIMEOUT_MS.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runScript } from './support/run-script.js';

// First run on a machine: debootstrap base (~60 s) + image build (~45 s); later runs reuse the base and layers.
const TIMEOUT_MS = 15 * 60_000;

test('the container builds, relays a real stream to an origin on the host, and drains to exit 0 on docker stop', { timeout: TIMEOUT_MS + 60_000 }, async () => {
  const run = await runScript('container-check.sh', TIMEOUT_MS, { DRAIN_TIMEOUT_MS: '4000' });
  const summary = run.output.split('\n').filter((line) => /^container-check: (built|made|reusing|\/readyz|start-up log|runtime image|HEALTHCHECK|runs as|draining|docker stop|origin saw|image|OK|FAIL|host restored|took)/.test(line));
  console.log(summary.map((line) => line.slice(0, 240)).join('\n'));
  assert.equal(run.code, 0, `scripts/container-check.sh failed:\n${run.output}`);
  assert.match(run.output, /^container-check: draining: \/readyz 200 with drain.draining true$/m);
  assert.match(run.output, /^container-check: docker stop: exit code 0 after \d+ ms/m);
  assert.match(run.output, /^container-check: runs as uid 1000 under tini, read-only root filesystem/m);
  assert.match(run.output, /^container-check: start-up log: data path: native$/m);
  assert.match(run.output, /^container-check: runtime image: build\/Release\/srt_datapath.node present, no compiler/m);
  assert.match(run.output, /^container-check: image srt-proxy:check: \d+ MB/m);
  assert.match(run.output, /^container-check: OK$/m);
});
