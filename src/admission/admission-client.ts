import type { AdmissionRequest } from './admission-request.js';

/**
 * The webhook's answer: `allow` (2xx), `deny` (401/403), or `error` (anything else: timeout, connection refused,
 * 5xx, another status), which ADMISSION_ON_ERROR turns into allow or deny.
 */
export type AdmissionAnswer =
  | { readonly kind: 'allow' }
  | { readonly kind: 'deny'; readonly status: number }
  | { readonly kind: 'error'; readonly detail: string };

/** The one way out to the admission webhook. Never rejects: failures come back as `error`. */
export interface AdmissionClient {
  ask(request: AdmissionRequest): Promise<AdmissionAnswer>;
  close(): Promise<void>;
}

export const ADMISSION_CLIENT = Symbol('ADMISSION_CLIENT');
