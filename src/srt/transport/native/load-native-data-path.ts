import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DataPath } from '../data-path.js';
import type { NativeAddon } from './native-addon.js';
import { NativeDataPath } from './native-data-path.js';

/** Where npm ci (scripts/build-native.sh) puts the addon, relative to the package root. */
const ADDON_PATH = 'build/Release/srt_datapath.node';
/** Overrides the addon file (the AddressSanitizer build points it at its own). */
const ADDON_ENV = 'SRT_PROXY_NATIVE_ADDON';

/** The package root: the nearest directory above this file with srt-proxy's package.json (src/ or dist/src/). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'srt-proxy') return dir;
      } catch {
        // not ours; keep climbing
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('native data path: cannot find the srt-proxy package root');
    dir = parent;
  }
}

let loaded: NativeAddon | undefined;

/** The addon file this process would load. */
export function nativeAddonPath(): string {
  const override = process.env[ADDON_ENV];
  return override !== undefined && override !== '' ? resolve(override) : join(packageRoot(), ADDON_PATH);
}

/** The addon file to load; throws an Error saying why the native path cannot run here (platform, not built). */
export function checkNativeAddonFile(): string {
  if (process.platform !== 'linux') throw new Error(`native data path: Linux only (this is ${process.platform})`);
  const file = nativeAddonPath();
  if (!existsSync(file)) {
    throw new Error(
      `native data path: ${file} is not built; run npm ci with python3, make and g++ installed (log: /tmp/srt-proxy-build-native.log)`,
    );
  }
  return file;
}

/** Loads the addon (once per thread) or throws an Error saying why it cannot run here. */
export function loadNativeAddon(): NativeAddon {
  if (loaded !== undefined) return loaded;
  const file = checkNativeAddonFile();
  try {
    loaded = createRequire(import.meta.url)(file) as NativeAddon;
  } catch (error) {
    throw new Error(`native data path: ${file} does not load: ${error instanceof Error ? error.message : String(error)}`);
  }
  return loaded;
}

/** A fresh native DataPath; throws (see loadNativeAddon) when the addon is unavailable. */
export function loadNativeDataPath(): DataPath {
  return new NativeDataPath(loadNativeAddon());
}
