import type { Origin } from '../../origins/origin.js';
import type { DataPath, LinkId } from '../transport/data-path.js';
import type { HandshakeTimers } from './handshake-timers.js';
import type { ProxyCounters } from './proxy-counters.js';
import type { Session } from './session.js';

/** What a Session needs from the proxy around it; kept narrow so a session can be driven in isolation. */
export interface SessionHost {
  /** The handshake-path sends and the link's relay switch; the relay itself never passes through the session. */
  readonly dataPath: Pick<DataPath, 'sendToCaller' | 'sendToOrigin' | 'startRelay' | 'closeLink'>;
  readonly counters: ProxyCounters;
  /** Drives every session's origin-handshake resends and deadline. */
  readonly handshakeTimers: HandshakeTimers;
  readonly config: {
    readonly originHandshakeTimeoutMs: number;
    readonly originRetryIntervalMs: number;
    /** SRT_TELEMETRY: count ACKs, NAKs and retransmit flags. */
    readonly telemetry: boolean;
  };
  readonly rejections: { readonly originDown: number; readonly overload: number };
  /** Opens the session's link to `origin`; its events reach the session from now on. */
  openLink(session: Session, origin: Origin): LinkId;
  onConnected(session: Session): void;
  /** The session closed; its link is still open (for its final counters) and closes right after. */
  onClosed(session: Session, wasConnected: boolean): void;
  /** The origin failed a handshake (unreachable or silent): passive health. */
  onOriginFailed(origin: Origin): void;
  onOriginSucceeded(origin: Origin): void;
}
