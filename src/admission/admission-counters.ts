/** What admission decided since start; plain numbers read by SessionManager.snapshot() for /metrics. */
export class AdmissionCounters {
  /** Admitted by the webhook (a fresh, shared or cached answer). */
  allowedByWebhook = 0;
  /** Admitted by the CIDR rules with no webhook configured. */
  allowedByRules = 0;
  /** Refused by PUBLISH_/PLAY_ DENY or ALLOW lists (no webhook call). */
  deniedByRules = 0;
  /** Refused by the webhook (401/403), fresh or from the cache. */
  deniedByWebhook = 0;
  /** Webhook failed (timeout, connection error, other status) and ADMISSION_ON_ERROR decided. */
  errorsAllowed = 0;
  errorsDenied = 0;
  /** HTTP calls actually made to the webhook. */
  webhookCalls = 0;
  /** Answered from the decision cache. */
  cacheHits = 0;
  /** Joined a call already in flight for the same request (single flight). */
  sharedCalls = 0;
}

export type AdmissionCounts = Readonly<AdmissionCounters>;
