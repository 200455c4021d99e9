import { HEADER_SIZE } from './packet-header.js';
import { readU32 } from './uint32.js';

/** A range wider than any receive buffer libsrt allows (its flow window tops out far below) is garbage, not loss. */
const MAX_RANGE_PACKETS = 1 << 20;

/**
 * How many packets a NAK (loss report, control type 3) lists. The CIF is a list of 31-bit sequence numbers; one
 * with its top bit set starts a range whose last number is the next word (draft-sharabayko-srt §3.2.5). Ranges
 * may wrap past 2^31. A range start without its end counts as one packet; an implausibly wide range counts nothing.
 */
export function countNakLoss(p: Uint8Array): number {
  let lost = 0;
  const end = p.length - 3;
  for (let at = HEADER_SIZE; at < end; at += 4) {
    const word = readU32(p, at);
    if (word < 0x80000000) {
      lost++;
      continue;
    }
    if (at + 4 >= end) {
      lost++;
      break;
    }
    at += 4;
    const width = ((readU32(p, at) - (word & 0x7fffffff)) & 0x7fffffff) + 1;
    if (width <= MAX_RANGE_PACKETS) lost += width;
  }
  return lost;
}
