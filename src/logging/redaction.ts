/**
 * What never reaches a log line. Structured fields are cut by pino's `redact` paths (by key, at any of the first
 * levels where config and errors put them); free text (messages, error strings that may quote a stream id) is
 * scrubbed of `name=value` pairs whose name says secret, which is how SRT stream ids and URLs carry them
 * (`#!::r=live/x,secret=...`, `?token=...`).
 */
const SECRET_KEYS = [
  'password',
  'secret',
  'token',
  'passphrase',
  'cookieSecret',
  'authorization',
  'streamId',
  'apiKey',
  // AppConfig's own names (the start-up 'configuration' line logs it whole).
  'sentinelPassword',
  'registerToken',
];

export const REDACT_PATHS: readonly string[] = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((k) => `*.${k}`),
  ...SECRET_KEYS.map((k) => `*.*.${k}`),
  ...SECRET_KEYS.map((k) => `*.*.*.${k}`),
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
];

export const REDACTED = '[redacted]';

const SECRET_PARAM = /\b(secret|token|password|passwd|pwd|passphrase|auth|authorization|key|sign|signature|sig)=([^&,\s"';]*)/gi;
const BEARER = /\b(bearer)\s+[A-Za-z0-9._~+/=-]+/gi;

/** `text` with the values of secret-looking `name=value` pairs and bearer tokens replaced. */
export function scrubSecrets(text: string): string {
  if (!text.includes('=') && !/bearer/i.test(text)) return text;
  return text.replace(SECRET_PARAM, `$1=${REDACTED}`).replace(BEARER, `$1 ${REDACTED}`);
}

/** A shallow copy of a log record with every string field scrubbed (nested objects are left to REDACT_PATHS). */
export function scrubRecord(record: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  for (const key of Object.keys(record)) {
    const value = record[key];
    if (typeof value !== 'string') continue;
    const clean = scrubSecrets(value);
    if (clean !== value) (out ??= { ...record })[key] = clean;
  }
  return out ?? record;
}
