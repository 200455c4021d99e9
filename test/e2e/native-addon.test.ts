/**
 * The native data path was built and loads. `npm ci` builds it (scripts/build-native.sh) but never fails when it
 * cannot, and the proxy then runs on the TypeScript path: without this test a CI machine lacking a compiler would
 * pass the whole suite on the fallback. Loads what the proxy would (SRT_PROXY_NATIVE_ADDON, which the ASan pass
 * points at build-asan/, or build/Release/srt_datapath.node), through the proxy's own loader.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { loadNativeAddon, nativeAddonPath } from '../../src/srt/transport/native/load-native-data-path.js';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const INSTALL = 'install python3, make and g++ (Debian: apt-get install python3 make g++), then `npm ci` or `bash scripts/build-native.sh`';

function buildLogTail(): string {
  const log = path.join(root, 'build', 'build-native.log');
  return existsSync(log) ? `; ${log} ends:\n${readFileSync(log, 'utf8').split('\n').slice(-15).join('\n')}` : '';
}

test('the native data path addon was built and loads into this node', () => {
  const file = nativeAddonPath();
  assert.ok(existsSync(file), `the native data path was not built (${file} missing): ${INSTALL}${buildLogTail()}`);
  let error: unknown;
  try {
    loadNativeAddon();
  } catch (caught) {
    error = caught;
  }
  assert.equal(error, undefined, `${file} does not load (${String(error)}): rebuild it, ${INSTALL}${buildLogTail()}`);
});
