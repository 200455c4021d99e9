import { readFileSync } from 'node:fs';

const PACKET = 188;
const NULL_PID = 0x1fff;

export interface ContinuityReport {
  /** Whole 188-byte TS packets read. */
  readonly packets: number;
  /** Packets whose continuity counter skipped: each is at least one TS packet lost on the way. */
  readonly gaps: number;
  /** Bytes that were not on a sync byte where a packet should start. */
  readonly unsynced: number;
}

/**
 * Counts continuity-counter gaps in an MPEG-TS file: what SRT could not recover in time (too-late packet drop) shows
 * up as TS packets missing from the received stream. A counter repeated once is a legal duplicate, not a gap.
 */
export function continuityOf(file: string): ContinuityReport {
  const data = readFileSync(file);
  const last = new Map<number, number>();
  let packets = 0;
  let gaps = 0;
  let unsynced = 0;
  let pos = 0;
  while (pos + PACKET <= data.length) {
    if (data[pos] !== 0x47) {
      unsynced++;
      pos++;
      continue;
    }
    packets++;
    const pid = ((data[pos + 1]! & 0x1f) << 8) | data[pos + 2]!;
    const control = (data[pos + 3]! >> 4) & 0x3;
    const counter = data[pos + 3]! & 0xf;
    const discontinuity = control >= 2 && data[pos + 4]! > 0 && (data[pos + 5]! & 0x80) !== 0;
    if (pid !== NULL_PID && (control & 0x1) === 1) {
      const previous = last.get(pid);
      if (previous !== undefined && !discontinuity && counter !== previous && counter !== ((previous + 1) & 0xf)) gaps++;
      last.set(pid, counter);
    }
    pos += PACKET;
  }
  return { packets, gaps, unsynced };
}
