// The bench's C programs (bench/<name>.c, each with bench/bench-net.h beside it), compiled with gcc -O2 into a temp
// folder of their own, so a benchmark always runs what the tree holds.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The flags every tool is built with (the header comments of bench/*.c say the same). */
const GCC_FLAGS = ['-O2', '-Wall'];

export interface CTools<Name extends string> {
  /** The compiled program of each name. */
  readonly paths: Readonly<Record<Name, string>>;
  /** Removes the temp folder. */
  cleanup(): void;
}

export function hasGcc(): boolean {
  return spawnSync('gcc', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Compiles bench/<name>.c for every name; throws naming the file (and gcc's output) when one does not build. */
export function compileCTools<Name extends string>(names: readonly Name[]): CTools<Name> {
  if (!hasGcc()) throw new Error(`gcc not found: the benchmark compiles ${names.map((n) => `bench/${n}.c`).join(', ')} (apt-get install gcc)`);
  const dir = mkdtempSync(join(tmpdir(), 'srt-bench-'));
  const cleanup = (): void => rmSync(dir, { recursive: true, force: true });
  try {
    const paths = {} as Record<Name, string>;
    for (const name of names) {
      const out = join(dir, name);
      const r = spawnSync('gcc', [...GCC_FLAGS, '-o', out, resolve(`bench/${name}.c`)], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`gcc failed on bench/${name}.c:\n${r.stderr ?? r.error?.message}`);
      paths[name] = out;
    }
    return { paths, cleanup };
  } catch (error) {
    cleanup();
    throw error;
  }
}
