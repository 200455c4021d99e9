import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';

const PROTOCOL_DIR = resolve(process.cwd(), 'src/srt/protocol');
const ALLOWED_NODE_MODULES = new Set(['node:crypto', 'node:buffer']);

describe('src/srt/protocol stays pure', () => {
  const files = readdirSync(PROTOCOL_DIR).filter((f) => f.endsWith('.ts'));

  it('has source files to check', () => {
    assert.ok(files.length >= 10, `expected the codec files, found ${files.length}`);
  });

  for (const file of files) {
    it(`${file} imports only sibling files and allowed built-ins`, () => {
      const text = readFileSync(join(PROTOCOL_DIR, file), 'utf8');
      const specifiers = [...text.matchAll(/(?:import|export)[^'";]*?from\s+['"]([^'"]+)['"]/g)].map((m) => m[1]!);
      for (const spec of specifiers) {
        const sibling = spec.startsWith('./') && !spec.slice(2).includes('/');
        assert.ok(sibling || ALLOWED_NODE_MODULES.has(spec), `${file} imports "${spec}"`);
      }
      assert.doesNotMatch(text, /require\(|import\(/, `${file} loads modules dynamically`);
    });
  }
});
