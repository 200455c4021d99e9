// Golden packets captured from real libsrt 1.5.1 peers (../shared/vectors/srt-handshakes.json), shared by the unit
// tests (test/unit) and the benchmarks (bench).
import { existsSync, readFileSync } from 'node:fs';
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

/** ../shared/vectors/srt-handshakes.json from the repo root (npm's cwd), or found relative to this file. */
function vectorsPath(): string {
  const fromCwd = path.resolve(process.cwd(), '../shared/vectors/srt-handshakes.json');
  if (existsSync(fromCwd)) return fromCwd;
  // dist/test/support/vectors.js -> the repo root is three levels up.
  const root = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
  return path.resolve(root, '../shared/vectors/srt-handshakes.json');
}

export const VECTORS_PATH = vectorsPath();

function load(): VectorPacket[] {
  const raw = JSON.parse(readFileSync(VECTORS_PATH, 'utf8')) as RawFile;
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
