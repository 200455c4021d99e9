import { z } from 'zod';
import {
  BALANCER_PROVIDERS,
  BALANCER_STRATEGIES,
  LOG_LEVELS,
  type AppConfig,
} from './app-config.js';
import { parseHostPort, type HostPort } from './listen-address.js';
import { CidrList } from '../admission/cidr-list.js';

const hostPort = (defaultHost: string | undefined) =>
  z.string().transform((text, ctx): HostPort => {
    const parsed = parseHostPort(text, defaultHost);
    if (typeof parsed === 'string') {
      ctx.addIssue({ code: 'custom', message: parsed });
      return z.NEVER;
    }
    return parsed;
  });

const originList = z.string().transform((text, ctx): HostPort[] => {
  const out: HostPort[] = [];
  for (const item of text.split(',').map((s) => s.trim()).filter((s) => s.length > 0)) {
    const parsed = parseHostPort(item, undefined);
    if (typeof parsed === 'string') {
      ctx.addIssue({ code: 'custom', message: `"${item}": ${parsed}` });
      return z.NEVER;
    }
    out.push(parsed);
  }
  return out;
});

const integer = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, { message: `expected a whole number from ${min} to ${max}` })
    .transform(Number)
    .pipe(z.number().int().min(min, { message: `must be at least ${min}` }).max(max, { message: `must be at most ${max}` }));

const oneOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z
    .string()
    .transform((s) => s.trim().toLowerCase())
    .pipe(z.enum(values, { message: `expected one of ${values.join(', ')}` }));

const cidrList = z.string().transform((text, ctx): CidrList => {
  const parsed = CidrList.parse(text);
  if (typeof parsed === 'string') {
    ctx.addIssue({ code: 'custom', message: parsed });
    return z.NEVER;
  }
  return parsed;
});

/** An http(s) URL; its JSON form (the start-up log line) leaves out credentials and the query, which may hold keys. */
const webhookUrl = z.string().transform((text, ctx): URL => {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    ctx.addIssue({ code: 'custom', message: 'expected an http:// or https:// URL' });
    return z.NEVER;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    ctx.addIssue({ code: 'custom', message: 'scheme must be http:// or https://' });
    return z.NEVER;
  }
  const shown = `${url.protocol}//${url.host}${url.pathname}`;
  Object.defineProperty(url, 'toJSON', { value: () => shown });
  return url;
});

/** A token that travels in an HTTP header. */
const headerToken = z
  .string()
  .min(16, { message: 'must be at least 16 characters' })
  .max(1024, { message: 'must be at most 1024 characters' })
  .regex(/^[\x21-\x7e]+$/, { message: 'must be printable ASCII without spaces (it travels in an HTTP header)' });

/** Every variable the proxy reads, with its default. Values are strings as they come from the environment. */
export const envSchema = z.object({
  SRT_LISTEN: hostPort('0.0.0.0').prefault('20080'),
  HTTP_LISTEN: hostPort('0.0.0.0').prefault('12025'),
  ORIGINS: originList.prefault('127.0.0.1:10080'),
  BALANCER_PROVIDER: oneOf(BALANCER_PROVIDERS).prefault('memory'),
  BALANCER_STRATEGY: oneOf(BALANCER_STRATEGIES).prefault('random'),
  BALANCER_STICKY_GRACE_MS: integer(0, 3_600_000).prefault('30000'),
  SESSION_IDLE_TIMEOUT_MS: integer(3000, 3_600_000).prefault('10000'),
  MAX_SESSIONS: integer(0, 1_000_000).prefault('10000'),
  ORIGIN_HANDSHAKE_TIMEOUT_MS: integer(250, 2900).prefault('2000'),
  ORIGIN_RETRY_INTERVAL_MS: integer(50, 1000).prefault('250'),
  SRT_RECV_BUFFER_BYTES: integer(0, 1 << 30).prefault('4194304'),
  SRT_SEND_BUFFER_BYTES: integer(0, 1 << 30).prefault('4194304'),
  ORIGIN_SOCKET_BUFFER_BYTES: integer(0, 1 << 30).prefault('524288'),
  ORIGIN_FAILURE_COOLDOWN_MS: integer(0, 3_600_000).prefault('10000'),
  ORIGIN_DNS_REFRESH_MS: integer(1000, 3_600_000).prefault('10000'),
  COOKIE_SECRET: z.string().min(16, { message: 'must be at least 16 characters' }).optional(),
  DRAIN_TIMEOUT_MS: integer(0, 3_600_000).prefault('25000'),
  LOG_LEVEL: oneOf(LOG_LEVELS).prefault('info'),
  ADMISSION_URL: webhookUrl.optional(),
  ADMISSION_ON_ERROR: oneOf(['deny', 'allow'] as const).prefault('deny'),
  ADMISSION_TIMEOUT_MS: integer(50, 2650).prefault('1000'),
  ADMISSION_CACHE_MS: integer(0, 3_600_000).prefault('5000'),
  ADMISSION_MAX_CONNECTIONS: integer(1, 1024).prefault('16'),
  PUBLISH_ALLOW_CIDRS: cidrList.optional(),
  PUBLISH_DENY_CIDRS: cidrList.optional(),
  PLAY_ALLOW_CIDRS: cidrList.optional(),
  PLAY_DENY_CIDRS: cidrList.optional(),
  ADMIN_TOKEN: headerToken.optional(),
  EVENTS_URL: webhookUrl.optional(),
  EVENTS_QUEUE_MAX: integer(1, 1_000_000).prefault('1000'),
  EVENTS_TIMEOUT_MS: integer(100, 60_000).prefault('2000'),
  // Read by loadConfig before validation; listed here so that it is documented and checked like every variable.
  CONFIG_FILE: z.string().optional(),
});

/** Variables whose values must never be echoed back, not even in a validation error. */
export const SECRET_VARIABLES: ReadonlySet<string> = new Set(['COOKIE_SECRET', 'ADMIN_TOKEN', 'ADMISSION_URL', 'EVENTS_URL']);

/** Time the origin handshake keeps at least, after the admission webhook used all of ADMISSION_TIMEOUT_MS. */
export const ORIGIN_BUDGET_AFTER_ADMISSION_MS = 500;

/**
 * Admission rules spanning variables, one line each: the webhook's time counts inside ORIGIN_HANDSHAKE_TIMEOUT_MS
 * (both start at the caller's CONCLUSION), and the origin handshake must still have time after a slow answer.
 */
export function admissionProblems(env: z.output<typeof envSchema>): string[] {
  if (env.ADMISSION_URL === undefined) return [];
  const left = env.ORIGIN_HANDSHAKE_TIMEOUT_MS - env.ADMISSION_TIMEOUT_MS;
  if (left >= ORIGIN_BUDGET_AFTER_ADMISSION_MS) return [];
  return [
    `invalid configuration: ADMISSION_TIMEOUT_MS=${env.ADMISSION_TIMEOUT_MS}: must be at most ORIGIN_HANDSHAKE_TIMEOUT_MS ` +
      `(${env.ORIGIN_HANDSHAKE_TIMEOUT_MS}) - ${ORIGIN_BUDGET_AFTER_ADMISSION_MS}, so the origin handshake still has time ` +
      `after the webhook (both count from the caller's CONCLUSION, and the caller gives up at about 3 s)`,
  ];
}

export function toAppConfig(env: z.output<typeof envSchema>): AppConfig {
  return {
    srt: {
      listen: env.SRT_LISTEN,
      receiveBufferBytes: env.SRT_RECV_BUFFER_BYTES,
      sendBufferBytes: env.SRT_SEND_BUFFER_BYTES,
      originSocketBufferBytes: env.ORIGIN_SOCKET_BUFFER_BYTES,
      originHandshakeTimeoutMs: env.ORIGIN_HANDSHAKE_TIMEOUT_MS,
      originRetryIntervalMs: env.ORIGIN_RETRY_INTERVAL_MS,
      sessionIdleTimeoutMs: env.SESSION_IDLE_TIMEOUT_MS,
      maxSessions: env.MAX_SESSIONS,
      cookieSecret: env.COOKIE_SECRET,
    },
    http: { listen: env.HTTP_LISTEN },
    origins: env.ORIGINS,
    originHealth: { failureCooldownMs: env.ORIGIN_FAILURE_COOLDOWN_MS, dnsRefreshMs: env.ORIGIN_DNS_REFRESH_MS },
    // `static` is the reference's word for the in-memory provider.
    balancer: { provider: 'memory', strategy: env.BALANCER_STRATEGY, stickyGraceMs: env.BALANCER_STICKY_GRACE_MS },
    drainTimeoutMs: env.DRAIN_TIMEOUT_MS,
    logLevel: env.LOG_LEVEL,
    admission: {
      url: env.ADMISSION_URL,
      onError: env.ADMISSION_ON_ERROR,
      timeoutMs: env.ADMISSION_TIMEOUT_MS,
      cacheMs: env.ADMISSION_CACHE_MS,
      maxConnections: env.ADMISSION_MAX_CONNECTIONS,
      publish: { allow: env.PUBLISH_ALLOW_CIDRS ?? CidrList.EMPTY, deny: env.PUBLISH_DENY_CIDRS ?? CidrList.EMPTY },
      play: { allow: env.PLAY_ALLOW_CIDRS ?? CidrList.EMPTY, deny: env.PLAY_DENY_CIDRS ?? CidrList.EMPTY },
    },
    adminToken: env.ADMIN_TOKEN,
    events: { url: env.EVENTS_URL, queueMax: env.EVENTS_QUEUE_MAX, timeoutMs: env.EVENTS_TIMEOUT_MS },
  };
}
