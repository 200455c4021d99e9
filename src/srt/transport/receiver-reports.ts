import { AckKind, readAck } from '../protocol/ack.js';
import { countNakLoss } from '../protocol/nak.js';
import { ControlType } from '../protocol/packet-header.js';
import type { ReceiverCounters } from './data-path.js';

/**
 * Counts one ACK or NAK a side sent into its ReceiverCounters (other control types are not telemetry). True for a
 * full ACK, whose time the caller keeps (for fullAckAgeMs). Control packets are a few per 10 ms per link: parsing
 * them is affordable, unlike data packets.
 */
export function countReceiverReport(type: number, p: Uint8Array, into: ReceiverCounters): boolean {
  if (type === ControlType.ACK) {
    const kind = readAck(p, into);
    if (kind === AckKind.FULL) {
      into.fullAcks++;
      return true;
    }
    if (kind !== AckKind.MALFORMED) into.lightAcks++;
  } else if (type === ControlType.NAK) {
    into.naks++;
    into.lossReported += countNakLoss(p);
  }
  return false;
}
