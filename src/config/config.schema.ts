import { z } from 'zod';
import {
  BALANCER_PROVIDER_VALUES,
  BALANCER_STRATEGIES,
  DATA_PATH_KINDS,
  LOG_LEVELS,
  type AppConfig,
  type RedisConfig,
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

const redisUrl = z.string().transform((text, ctx): URL => {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    ctx.addIssue({ code: 'custom', message: 'expected redis://[:password@]host[:port][/db] or rediss://...' });
    return z.NEVER;
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    ctx.addIssue({ code: 'custom', message: 'scheme must be redis:// or rediss://' });
    return z.NEVER;
  }
  if (url.pathname.length > 1 && !/^\/\d+$/.test(url.pathname)) {
    ctx.addIssue({ code: 'custom', message: 'the path, if any, must be the database number' });
    return z.NEVER;
  }
  return url;
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

const flag = z
  .string()
  .transform((s) => s.trim().toLowerCase())
  .pipe(z.enum(['true', 'false', '1', '0', 'on', 'off', 'yes', 'no'], { message: 'expected true or false (also 1/0, on/off, yes/no)' }))
  .transform((s) => s === 'true' || s === '1' || s === 'on' || s === 'yes');
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
  HTTP_HEADERS_TIMEOUT_MS: integer(500, 300_000).prefault('10000'),
  HTTP_REQUEST_TIMEOUT_MS: integer(500, 300_000).prefault('30000'),
  // An empty ORIGINS (set, but to nothing) means registered origins only; loadConfig passes it through.
  ORIGINS: originList.prefault('127.0.0.1:10080'),
  BALANCER_PROVIDER: oneOf(BALANCER_PROVIDER_VALUES).prefault('memory'),
  BALANCER_STRATEGY: oneOf(BALANCER_STRATEGIES).prefault('random'),
  BALANCER_STICKY_GRACE_MS: integer(0, 3_600_000).prefault('30000'),
  SESSION_IDLE_TIMEOUT_MS: integer(3000, 3_600_000).prefault('10000'),
  MAX_SESSIONS: integer(0, 1_000_000).prefault('10000'),
  // Unset = the pod's CPUs (src/workers/worker-count.ts).
  WORKERS: integer(1, 256).optional(),
  HANDSHAKE_RATE_PER_SOURCE: integer(0, 1_000_000).prefault('200'),
  HANDSHAKE_BURST_PER_SOURCE: integer(1, 1_000_000).prefault('2000'),
  HANDSHAKE_LIMITER_SOURCES: integer(1024, 4_194_304).prefault('65536'),
  MAX_SESSIONS_PER_SOURCE: integer(0, 1_000_000).prefault('4000'),
  NEGATIVE_CACHE_MS: integer(0, 60_000).prefault('2000'),
  ORIGIN_HANDSHAKE_TIMEOUT_MS: integer(250, 2900).prefault('2000'),
  ORIGIN_RETRY_INTERVAL_MS: integer(50, 1000).prefault('250'),
  SRT_RECV_BUFFER_BYTES: integer(0, 1 << 30).prefault('4194304'),
  SRT_SEND_BUFFER_BYTES: integer(0, 1 << 30).prefault('4194304'),
  ORIGIN_SOCKET_BUFFER_BYTES: integer(0, 1 << 30).prefault('2097152'),
  ORIGIN_FAILURE_COOLDOWN_MS: integer(0, 3_600_000).prefault('10000'),
  ORIGIN_DNS_REFRESH_MS: integer(1000, 3_600_000).prefault('10000'),
  ORIGIN_FAILURES_TO_DOWN: integer(1, 1000).prefault('3'),
  ORIGIN_TTL_MS: integer(1000, 86_400_000).prefault('30000'),
  ORIGIN_PROBE_INTERVAL_MS: integer(0, 3_600_000).prefault('2000'),
  ORIGIN_PROBE_TIMEOUT_MS: integer(50, 60_000).prefault('1000'),
  ORIGIN_PROBE_MISSES: integer(1, 100).prefault('2'),
  REGISTER_TOKEN: z
    .string()
    .min(8, { message: 'must be at least 8 characters' })
    .max(1024, { message: 'must be at most 1024 characters' })
    .regex(/^[\x21-\x7e]+$/, { message: 'must be printable ASCII without spaces (it travels in an HTTP header)' })
    .optional(),
  REDIS_URL: redisUrl.prefault('redis://127.0.0.1:6379'),
  REDIS_PASSWORD: z.string().optional(),
  REDIS_DB: integer(0, 10_000).optional(),
  REDIS_KEY_PREFIX: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, { message: 'expected 1-64 of A-Z a-z 0-9 _ . : -' }).prefault('srt-proxy'),
  REDIS_SENTINELS: originList.optional(),
  REDIS_SENTINEL_MASTER: z.string().min(1).prefault('mymaster'),
  REDIS_SENTINEL_PASSWORD: z.string().optional(),
  REDIS_CLUSTER_NODES: originList.optional(),
  REDIS_COMMAND_TIMEOUT_MS: integer(10, 60_000).prefault('300'),
  COOKIE_SECRET: z.string().min(16, { message: 'must be at least 16 characters' }).optional(),
  DRAIN_TIMEOUT_MS: integer(0, 3_600_000).prefault('25000'),
  LOG_LEVEL: oneOf(LOG_LEVELS).prefault('info'),
  SRT_TELEMETRY: flag.prefault('true'),
  DATA_PATH: oneOf(DATA_PATH_KINDS).prefault('native'),
  METRICS_PER_STREAM: flag.prefault('false'),
  METRICS_PER_STREAM_MAX: integer(1, 100_000).prefault('100'),
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
export const SECRET_VARIABLES: ReadonlySet<string> = new Set([
  'COOKIE_SECRET',
  'ADMIN_TOKEN',
  'ADMISSION_URL',
  'EVENTS_URL',
  'REGISTER_TOKEN',
  'REDIS_URL',
  'REDIS_PASSWORD',
  'REDIS_SENTINEL_PASSWORD',
]);

function toRedisConfig(env: z.output<typeof envSchema>): RedisConfig {
  const url = env.REDIS_URL;
  const urlPassword = url.password !== '' ? decodeURIComponent(url.password) : undefined;
  const urlDb = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0;
  // The password travels separately so the URL can be shown without it.
  const shown = new URL(url.toString());
  shown.password = '';
  shown.username = '';
  const mode = env.REDIS_CLUSTER_NODES?.length ? 'cluster' : env.REDIS_SENTINELS?.length ? 'sentinel' : 'standalone';
  return {
    mode,
    url: shown.toString(),
    tls: url.protocol === 'rediss:',
    password: env.REDIS_PASSWORD ?? urlPassword,
    db: env.REDIS_DB ?? urlDb,
    keyPrefix: env.REDIS_KEY_PREFIX,
    sentinels: env.REDIS_SENTINELS ?? [],
    sentinelMaster: env.REDIS_SENTINEL_MASTER,
    sentinelPassword: env.REDIS_SENTINEL_PASSWORD,
    clusterNodes: env.REDIS_CLUSTER_NODES ?? [],
    commandTimeoutMs: env.REDIS_COMMAND_TIMEOUT_MS,
  };
}

/**
 * Rules that span variables, one line each, naming the variable to change. Run after the schema accepted every
 * value on its own.
 */
export function combinationProblems(env: z.output<typeof envSchema>): string[] {
  const problems: string[] = [];
  if (env.ORIGIN_PROBE_INTERVAL_MS > 0 && env.ORIGIN_PROBE_INTERVAL_MS < 100) {
    problems.push(`ORIGIN_PROBE_INTERVAL_MS=${env.ORIGIN_PROBE_INTERVAL_MS}: must be 0 (probe off) or at least 100`);
  }
  if (env.ORIGIN_PROBE_INTERVAL_MS > 0 && env.ORIGIN_PROBE_TIMEOUT_MS >= env.ORIGIN_PROBE_INTERVAL_MS) {
    problems.push(
      `ORIGIN_PROBE_TIMEOUT_MS=${env.ORIGIN_PROBE_TIMEOUT_MS}: must be less than ORIGIN_PROBE_INTERVAL_MS ` +
        `(${env.ORIGIN_PROBE_INTERVAL_MS}), so one probe ends before the next starts`,
    );
  }
  problems.push(...admissionProblems(env));
  return problems.map((p) => `invalid configuration: ${p}`);
}

/** Time the origin handshake keeps at least, after the admission webhook used all of ADMISSION_TIMEOUT_MS. */
export const ORIGIN_BUDGET_AFTER_ADMISSION_MS = 500;

/**
 * The webhook's time counts inside ORIGIN_HANDSHAKE_TIMEOUT_MS (both start at the caller's CONCLUSION), and the
 * origin handshake must still have time after a slow answer.
 */
function admissionProblems(env: z.output<typeof envSchema>): string[] {
  if (env.ADMISSION_URL === undefined) return [];
  const left = env.ORIGIN_HANDSHAKE_TIMEOUT_MS - env.ADMISSION_TIMEOUT_MS;
  if (left >= ORIGIN_BUDGET_AFTER_ADMISSION_MS) return [];
  return [
    `ADMISSION_TIMEOUT_MS=${env.ADMISSION_TIMEOUT_MS}: must be at most ORIGIN_HANDSHAKE_TIMEOUT_MS ` +
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
      reusePort: false,
      cookieSecret: env.COOKIE_SECRET,
      abuse: {
        handshakeRatePerSource: env.HANDSHAKE_RATE_PER_SOURCE,
        handshakeBurstPerSource: env.HANDSHAKE_BURST_PER_SOURCE,
        handshakeLimiterSources: env.HANDSHAKE_LIMITER_SOURCES,
        maxSessionsPerSource: env.MAX_SESSIONS_PER_SOURCE,
        negativeCacheMs: env.NEGATIVE_CACHE_MS,
      },
      telemetry: env.SRT_TELEMETRY,
      dataPath: env.DATA_PATH,
    },
    metrics: { perStream: env.METRICS_PER_STREAM, perStreamMax: env.METRICS_PER_STREAM_MAX },
    http: {
      listen: env.HTTP_LISTEN,
      headersTimeoutMs: env.HTTP_HEADERS_TIMEOUT_MS,
      // Node requires the request budget to cover the headers'.
      requestTimeoutMs: Math.max(env.HTTP_REQUEST_TIMEOUT_MS, env.HTTP_HEADERS_TIMEOUT_MS),
    },
    origins: env.ORIGINS,
    originHealth: {
      failureCooldownMs: env.ORIGIN_FAILURE_COOLDOWN_MS,
      dnsRefreshMs: env.ORIGIN_DNS_REFRESH_MS,
      failuresToDown: env.ORIGIN_FAILURES_TO_DOWN,
      ttlMs: env.ORIGIN_TTL_MS,
      probeIntervalMs: env.ORIGIN_PROBE_INTERVAL_MS,
      probeTimeoutMs: env.ORIGIN_PROBE_TIMEOUT_MS,
      probeMisses: env.ORIGIN_PROBE_MISSES,
    },
    balancer: {
      // `static` is the reference's word for the in-memory provider.
      provider: env.BALANCER_PROVIDER === 'static' ? 'memory' : env.BALANCER_PROVIDER,
      strategy: env.BALANCER_STRATEGY,
      stickyGraceMs: env.BALANCER_STICKY_GRACE_MS,
    },
    redis: toRedisConfig(env),
    registerToken: env.REGISTER_TOKEN,
    drainTimeoutMs: env.DRAIN_TIMEOUT_MS,
    workers: env.WORKERS,
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
