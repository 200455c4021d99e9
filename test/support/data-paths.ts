import type { DataPath, DataPathKind } from '../../src/srt/transport/data-path.js';
import { JsDataPath } from '../../src/srt/transport/js-data-path.js';
import { loadNativeDataPath } from '../../src/srt/transport/native/load-native-data-path.js';

/**
 * Every DataPath implementation the conformance tests (test/e2e/data-path.test.ts) run against. `native` throws
 * (failing its tests loudly, never skipping them) when the addon is not built: install python3, make and g++.
 */
export const DATA_PATHS: readonly { readonly kind: DataPathKind; create(): DataPath }[] = [
  { kind: 'js', create: () => new JsDataPath() },
  { kind: 'native', create: () => loadNativeDataPath() },
];
