import type { LoggerService } from '@nestjs/common';
import type { DataPath, DataPathKind } from './data-path.js';
import { JsDataPath } from './js-data-path.js';
import { loadNativeDataPath } from './native/load-native-data-path.js';

/**
 * The DataPath DATA_PATH asks for. `native` falls back to the TypeScript path when the addon is missing (not built,
 * another platform) or fails to load: the proxy runs either way, and the one start-up line says which path and why.
 */
export function createDataPath(kind: DataPathKind, logger: Pick<LoggerService, 'log' | 'warn'>): DataPath {
  if (kind === 'js') {
    logger.log('data path: js (DATA_PATH=js)');
    return new JsDataPath();
  }
  try {
    const native = loadNativeDataPath();
    logger.log('data path: native');
    return native;
  } catch (error) {
    logger.warn(`data path: js (native data path unavailable: ${error instanceof Error ? error.message : String(error)})`);
    return new JsDataPath();
  }
}
