import { parseGoDuration } from './go-duration.js';

/**
 * The Go SRS proxy's variable names, accepted so a deployment can switch images without rewriting its config.
 * Our own name wins when both are set. Each alias lists every reference variable it reads: the README's
 * "reference alias" column is checked against these lists by a unit test.
 */
export interface ReferenceAlias {
  /** Our variable. */
  readonly variable: string;
  /** The reference's variables it is derived from. */
  readonly reference: readonly string[];
  /** Our value in our own form, undefined when the reference variables do not set it. */
  readonly translate: (env: Env) => string | undefined | AliasProblem;
}

/** A reference value that cannot be translated, reported like any bad value: against the variable that holds it. */
export interface AliasProblem {
  readonly variable: string;
  readonly message: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** The same name, the same value form (listen values: `20080`, `:20080`, `0.0.0.0:20080` are all ours too). */
const renamed = (variable: string, reference: string): ReferenceAlias => ({
  variable,
  reference: [reference],
  translate: (env) => valueOf(env, reference),
});

export const REFERENCE_ALIASES: readonly ReferenceAlias[] = [
  renamed('SRT_LISTEN', 'PROXY_SRT_SERVER'),
  renamed('HTTP_LISTEN', 'PROXY_SYSTEM_API'),
  renamed('BALANCER_PROVIDER', 'PROXY_LOAD_BALANCER_TYPE'),
  renamed('REDIS_PASSWORD', 'PROXY_REDIS_PASSWORD'),
  renamed('REDIS_DB', 'PROXY_REDIS_DB'),
  renamed('REDIS_KEY_PREFIX', 'PROXY_REDIS_KEY_PREFIX'),
  {
    variable: 'REDIS_URL',
    reference: ['PROXY_REDIS_HOST', 'PROXY_REDIS_PORT'],
    translate: (env) => {
      const host = valueOf(env, 'PROXY_REDIS_HOST');
      const port = valueOf(env, 'PROXY_REDIS_PORT');
      if (host === undefined && port === undefined) return undefined;
      const h = host ?? '127.0.0.1';
      return `redis://${h.includes(':') ? `[${h}]` : h}:${port ?? '6379'}`;
    },
  },
  {
    // The reference's TTL of a registered origin is a Go duration (`300s`).
    variable: 'ORIGIN_TTL_MS',
    reference: ['PROXY_ORIGIN_SERVER_TTL'],
    translate: (env) => {
      const text = valueOf(env, 'PROXY_ORIGIN_SERVER_TTL');
      if (text === undefined) return undefined;
      const ms = parseGoDuration(text);
      if (typeof ms === 'string') return { variable: 'PROXY_ORIGIN_SERVER_TTL', message: ms };
      if (ms <= 0) return { variable: 'PROXY_ORIGIN_SERVER_TTL', message: 'must be positive' };
      return String(Math.round(ms));
    },
  },
  {
    // The reference only uses its default backend when PROXY_DEFAULT_BACKEND_ENABLED=on.
    variable: 'ORIGINS',
    reference: ['PROXY_DEFAULT_BACKEND_ENABLED', 'PROXY_DEFAULT_BACKEND_IP', 'PROXY_DEFAULT_BACKEND_SRT'],
    translate: (env) => {
      if (valueOf(env, 'PROXY_DEFAULT_BACKEND_ENABLED') !== 'on') return undefined;
      const ip = valueOf(env, 'PROXY_DEFAULT_BACKEND_IP') ?? '127.0.0.1';
      const port = valueOf(env, 'PROXY_DEFAULT_BACKEND_SRT') ?? '10080';
      return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
    },
  },
  {
    // The reference gives in-flight work PROXY_GRACE_QUIT_TIMEOUT to finish and kills itself (exit 1) once
    // PROXY_FORCE_QUIT_TIMEOUT has passed since the signal. Our drain is that grace period, and it ends in time to
    // exit 0: so it is the shorter of the two that are set.
    variable: 'DRAIN_TIMEOUT_MS',
    reference: ['PROXY_GRACE_QUIT_TIMEOUT', 'PROXY_FORCE_QUIT_TIMEOUT'],
    translate: (env) => {
      let shortest: number | undefined;
      for (const name of ['PROXY_GRACE_QUIT_TIMEOUT', 'PROXY_FORCE_QUIT_TIMEOUT']) {
        const text = valueOf(env, name);
        if (text === undefined) continue;
        const ms = parseGoDuration(text);
        if (typeof ms === 'string') return { variable: name, message: ms };
        if (ms < 0) return { variable: name, message: 'must not be negative' };
        shortest = Math.min(shortest ?? Infinity, Math.round(ms));
      }
      return shortest === undefined ? undefined : String(shortest);
    },
  },
];

export interface AliasResult {
  readonly env: Record<string, string | undefined>;
  readonly problems: readonly AliasProblem[];
}

/** `env` with our variables filled from the reference's where ours are unset. */
export function applyReferenceAliases(env: Env): AliasResult {
  const out: Record<string, string | undefined> = { ...env };
  const problems: AliasProblem[] = [];
  for (const alias of REFERENCE_ALIASES) {
    if (valueOf(out, alias.variable) !== undefined) continue;
    const translated = alias.translate(env);
    if (typeof translated === 'object') problems.push(translated);
    else if (translated !== undefined) out[alias.variable] = translated;
  }
  return { env: out, problems };
}

/** Empty strings count as unset, as in most 12-factor tooling (and the reference's own setEnvDefault). */
function valueOf(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
