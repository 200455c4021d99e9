import type { AdmissionAction } from './access-rules.js';

/** What the admission webhook is asked (the JSON body of its POST, see docs/ADMISSION.md). */
export interface AdmissionRequest {
  readonly action: AdmissionAction;
  readonly streamKey: string;
  readonly vhost: string;
  readonly app: string;
  readonly stream: string;
  readonly user: string | null;
  /** The stream id's other items in order (`secret=`, `token=` ...): may hold secrets, never logged. */
  readonly params: Readonly<Record<string, string>>;
  readonly caller: { readonly address: string; readonly port: number };
}

/**
 * Requests that must get the same answer share one cache entry and one in-flight call. The caller's port is left
 * out: a caller retrying (or a hundred players behind one NAT) comes from a new port each time, and no webhook
 * decides by source port.
 */
export function admissionCacheKey(request: AdmissionRequest): string {
  return JSON.stringify([
    request.action,
    request.streamKey,
    request.vhost,
    request.app,
    request.stream,
    request.user,
    Object.entries(request.params),
    request.caller.address,
  ]);
}
