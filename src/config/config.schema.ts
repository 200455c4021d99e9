import { z } from 'zod';
import {
  BALANCER_PROVIDERS,
  BALANCER_STRATEGIES,
  LOG_LEVELS,
  type AppConfig,
} from './app-config.js';
import { parseHostPort, type HostPort } from './listen-address.js';

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

const flag = z
  .string()
  .transform((s) => s.trim().toLowerCase())
  .pipe(z.enum(['true', 'false', '1', '0', 'on', 'off', 'yes', 'no'], { message: 'expected true or false (also 1/0, on/off, yes/no)' }))
  .transform((s) => s === 'true' || s === '1' || s === 'on' || s === 'yes');

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
  SRT_TELEMETRY: flag.prefault('true'),
  METRICS_PER_STREAM: flag.prefault('false'),
  METRICS_PER_STREAM_MAX: integer(1, 100_000).prefault('100'),
  // Read by loadConfig before validation; listed here so that it is documented and checked like every variable.
  CONFIG_FILE: z.string().optional(),
});

/** Variables whose values must never be echoed back, not even in a validation error. */
export const SECRET_VARIABLES: ReadonlySet<string> = new Set(['COOKIE_SECRET']);

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
      telemetry: env.SRT_TELEMETRY,
    },
    metrics: { perStream: env.METRICS_PER_STREAM, perStreamMax: env.METRICS_PER_STREAM_MAX },
    http: { listen: env.HTTP_LISTEN },
    origins: env.ORIGINS,
    originHealth: { failureCooldownMs: env.ORIGIN_FAILURE_COOLDOWN_MS, dnsRefreshMs: env.ORIGIN_DNS_REFRESH_MS },
    // `static` is the reference's word for the in-memory provider.
    balancer: { provider: 'memory', strategy: env.BALANCER_STRATEGY, stickyGraceMs: env.BALANCER_STICKY_GRACE_MS },
    drainTimeoutMs: env.DRAIN_TIMEOUT_MS,
    logLevel: env.LOG_LEVEL,
  };
}
