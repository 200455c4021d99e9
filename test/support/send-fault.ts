// Kernel send refusals injected into a real process: test/support/send-fault-shim.c (an LD_PRELOAD library that
// fails chosen sends with a chosen errno), compiled here with gcc into a temp dir, and what it says it refused.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface SendFaultRule {
  /** Destination port of the sends to fail (the address argument, or the connected socket's peer). */
  readonly port: number;
  /** EAGAIN, ENOBUFS, EPERM... */
  readonly errno: string;
  /** Length range of the call's first datagram (inclusive). */
  readonly minBytes: number;
  readonly maxBytes: number;
  /** Fail every Kth matched call (1: each). */
  readonly every: number;
  /** At most this many failed calls, then none (0: no limit). */
  readonly limit: number;
}

export interface RuleTally {
  /** Calls the rule matched. */
  readonly matched: number;
  /** Calls it failed. */
  readonly failed: number;
  /** Datagrams in the calls it failed (a failed sendmmsg refuses all it was given). */
  readonly datagrams: number;
}

const SOURCE = resolve(process.cwd(), 'test/support/send-fault-shim.c');

/** The shim, built once per test file, and the env that loads it into a child with some rules. */
export class SendFaultShim {
  private constructor(
    private readonly dir: string,
    readonly library: string,
  ) {}

  /** Compiles the shim; throws naming the package when gcc is missing (scripts/install-test-deps.sh installs it). */
  static build(): SendFaultShim {
    if (spawnSync('gcc', ['--version'], { stdio: 'ignore' }).status !== 0) {
      throw new Error('gcc not found: the send-refusal tests compile test/support/send-fault-shim.c (apt-get install gcc)');
    }
    if (!existsSync(SOURCE)) throw new Error(`${SOURCE} is missing (run the tests from the repository root)`);
    const dir = mkdtempSync(join(tmpdir(), 'srt-send-fault-'));
    const library = join(dir, 'send-fault-shim.so');
    const r = spawnSync('gcc', ['-O2', '-Wall', '-Werror', '-shared', '-fPIC', '-o', library, SOURCE, '-ldl', '-lpthread'], { encoding: 'utf8' });
    if (r.status !== 0) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`gcc failed on ${SOURCE}:\n${r.stderr ?? r.error?.message}`);
    }
    return new SendFaultShim(dir, library);
  }

  /**
   * Env for a child that fails the sends `rules` name and tallies them in `tallyFile`. An LD_PRELOAD already set
   * (the AddressSanitizer pass's libasan, which must come first) is kept in front.
   */
  env(rules: readonly SendFaultRule[], tallyFile: string): Record<string, string> {
    const spec = rules.map((r) => [r.port, r.errno, r.minBytes, r.maxBytes, r.every, r.limit].join(',')).join(';');
    const preload = [process.env.LD_PRELOAD, this.library].filter((p) => p !== undefined && p !== '').join(':');
    return { LD_PRELOAD: preload, SEND_FAULT_RULES: spec, SEND_FAULT_TALLY: tallyFile };
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The tally the shim last wrote, per rule in order (zeros before the first matched call). */
export function readTally(tallyFile: string, rules: number): RuleTally[] {
  const tallies: RuleTally[] = Array.from({ length: rules }, () => ({ matched: 0, failed: 0, datagrams: 0 }));
  let text = '';
  try {
    text = readFileSync(tallyFile, 'utf8');
  } catch {
    return tallies;
  }
  for (const line of text.split('\n')) {
    const [index, matched, failed, datagrams] = line.trim().split(' ').map(Number);
    if (index === undefined || Number.isNaN(index) || index >= rules || datagrams === undefined) continue;
    tallies[index] = { matched: matched!, failed: failed!, datagrams };
  }
  return tallies;
}
