import type { Socket } from 'node:dgram';
import type { Origin } from '../../origins/origin.js';
import type { CoarseClock } from './coarse-clock.js';
import type { ProxyCounters } from './proxy-counters.js';
import type { Session } from './session.js';

/** What a Session needs from the proxy around it; kept narrow so a session can be driven in isolation. */
export interface SessionHost {
  readonly publicSocket: Socket;
  readonly counters: ProxyCounters;
  readonly clock: CoarseClock;
  readonly config: {
    readonly originHandshakeTimeoutMs: number;
    readonly originRetryIntervalMs: number;
    /** SRT_TELEMETRY: read ACKs, NAKs and retransmit flags. */
    readonly telemetry: boolean;
  };
  readonly rejections: { readonly originDown: number; readonly overload: number };
  createOriginSocket(origin: Origin): Socket;
  /** Applies buffer sizes once the socket is bound. */
  tuneSocket(socket: Socket): void;
  onConnected(session: Session): void;
  onClosed(session: Session, wasConnected: boolean): void;
  /** The origin failed a handshake (unreachable or silent): passive health. */
  onOriginFailed(origin: Origin): void;
  onOriginSucceeded(origin: Origin): void;
}
