import type { DataPath } from '../data-path.js';

/** Placeholder until the native addon lands (branch issue7-native replaces this body). */
export function loadNativeDataPath(): DataPath {
  throw new Error('native data path not built');
}
