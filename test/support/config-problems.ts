import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../src/config/load-config.js';

/** The lines loadConfig refuses `env` with; fails the test when it accepts it or throws anything else. */
export function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    return error.problems;
  }
  assert.fail('expected the configuration to be rejected');
}
