// Golden packets captured from real libsrt 1.5.1 peers (test/fixtures/srt-handshakes.json), shared by the unit
// tests (test/unit), the e2e harness check and the benchmarks (bench).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface VectorPacket {
  readonly capture: string;
  readonly index: number;
  readonly t: number;
  readonly from: string;
  readonly to: string;
  readonly kind: 'handshake' | 'shutdown';
  readonly hsType?: number;
  readonly bytes: Buffer;
}

interface RawFile {
  readonly captures: ReadonlyArray<{
    readonly capture: string;
    readonly packets: ReadonlyArray<{ t: number; from: string; to: string; kind: string; hsType?: number; hex: string }>;
  }>;
}

/**
 * The fixture lives in the source tree (test/fixtures), not under dist: found from this file, which runs as
 * dist/test/support/vectors.js, so neither npm's cwd nor a sibling checkout matters.
 */
export const VECTORS_PATH = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../test/fixtures/srt-handshakes.json');

/** The fixture as stored: captures with their packets as hex. */
export function rawCaptures(): RawFile['captures'] {
  return (JSON.parse(readFileSync(VECTORS_PATH, 'utf8')) as RawFile).captures;
}

function load(): VectorPacket[] {
  const raw = { captures: rawCaptures() };
  return raw.captures.flatMap((c) =>
    c.packets.map((p, index) => ({
      capture: c.capture,
      index,
      t: p.t,
      from: p.from,
      to: p.to,
      kind: p.kind as VectorPacket['kind'],
      ...(p.hsType === undefined ? {} : { hsType: p.hsType }),
      bytes: Buffer.from(p.hex, 'hex'),
    })),
  );
}

/** Every packet of every capture, in file order (fresh Buffers per call: tests may mutate them). */
export function allPackets(): VectorPacket[] {
  return load();
}

export function capture(name: string): VectorPacket[] {
  const packets = load().filter((p) => p.capture === name);
  if (packets.length === 0) throw new Error(`no capture ${name} in ${VECTORS_PATH}`);
  return packets;
}

export function packet(name: string, index: number): Buffer {
  const found = capture(name)[index];
  if (found === undefined) throw new Error(`capture ${name} has no packet ${index}`);
  return Buffer.from(found.bytes);
}
