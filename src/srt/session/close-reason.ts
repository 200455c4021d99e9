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
  | 'proxy-shutdown'
  /** Admission: refused by the CIDR rules, by the webhook, or because the webhook failed with ADMISSION_ON_ERROR=deny. */
  | 'forbidden-by-rules'
  | 'forbidden-by-webhook'
  | 'admission-unavailable'
  /** DELETE /api/v1/sessions/{id}. */
  | 'ended-by-admin';
