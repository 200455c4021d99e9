/** Why a session ended; appears in the session-end log line and in metrics. */
export type CloseReason =
  | 'caller-shutdown'
  | 'origin-shutdown'
  | 'caller-idle'
  /** Both directions silent: both sides are told, in case either is merely behind a broken path. */
  | 'idle'
  | 'origin-idle'
  | 'origin-rejected'
  | 'origin-unreachable'
  | 'origin-timeout'
  | 'no-origin'
  /** This proxy ran out of a local resource (fds, ephemeral ports) while opening the origin socket. */
  | 'proxy-exhausted'
  | 'proxy-shutdown';
