import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AppConfig } from '../../../src/config/app-config.js';
import { listenSocketsFor } from '../../../src/workers/listen-sockets.js';

function config(dataPath: 'native' | 'js'): AppConfig {
  return { srt: { dataPath } } as unknown as AppConfig;
}

describe('listenSocketsFor', () => {
  it('holds no sockets in the main thread on the TypeScript path (each worker binds its own)', () => {
    assert.equal(listenSocketsFor(config('js')), null);
  });

  it('holds none either when the addon cannot load here (the workers fall back to the TypeScript path)', () => {
    const saved = process.env.SRT_PROXY_NATIVE_ADDON;
    process.env.SRT_PROXY_NATIVE_ADDON = '/nonexistent/srt_datapath.node';
    try {
      assert.equal(listenSocketsFor(config('native')), null);
    } finally {
      if (saved === undefined) delete process.env.SRT_PROXY_NATIVE_ADDON;
      else process.env.SRT_PROXY_NATIVE_ADDON = saved;
    }
  });
});
