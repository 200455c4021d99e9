import type { DataPath, DataPathKind } from '../../src/srt/transport/data-path.js';
import { JsDataPath } from '../../src/srt/transport/js-data-path.js';

/** Every DataPath implementation the conformance tests (test/e2e/data-path.test.ts) run against. */
export const DATA_PATHS: readonly { readonly kind: DataPathKind; create(): DataPath }[] = [
  { kind: 'js', create: () => new JsDataPath() },
];
