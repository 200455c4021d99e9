/**
 * The native data path was built and loads. `npm ci` builds it (scripts/build-native.sh) but never fails when it
 * cannot, and the proxy then quietly runs on the TypeScript path: so without this test a CI machine lacking a
 * compiler would pass the whole suite on the fallback. Checks the addon the proxy would load: SRT_PROXY_NATIVE_ADDON
 * (the ASan pass points it at build-asan/) or build/Release/srt_datapath.node.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const INSTALL = 'install python3, make and g++ (Debian: apt-get install python3 make g++), then `npm ci` or `bash scripts/build-native.sh`';

test('the native data path addon was built and loads into this node', () => {
  const addon = process.env['SRT_PROXY_NATIVE_ADDON'] ?? path.join(root, 'build', 'Release', 'srt_datapath.node');
  const buildLog = path.join(root, 'build', 'build-native.log');
  const why = existsSync(buildLog) ? `; build log ${buildLog} ends:\n${readFileSync(buildLog, 'utf8').split('\n').slice(-15).join('\n')}` : '';
  assert.ok(existsSync(addon), `the native data path was not built (${addon} missing): ${INSTALL}${why}`);
  const exports: unknown = createRequire(import.meta.url)(addon);
  assert.equal(typeof exports, 'object', `${addon} loaded but exports ${typeof exports}`);
  assert.ok(Object.keys(exports as object).length > 0, `${addon} loaded but exports nothing`);
});
