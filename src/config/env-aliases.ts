import { parseGoDuration } from './go-duration.js';

/**
 * The Go SRS proxy's variable names, accepted so a deployment can switch images without rewriting its config.
 * Our own name wins when both are set.
 */
export function applyReferenceAliases(env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = { ...env };
  const alias = (ours: string, theirs: string): void => {
    if (isUnset(out[ours]) && !isUnset(env[theirs])) out[ours] = env[theirs];
  };
  alias('SRT_LISTEN', 'PROXY_SRT_SERVER');
  alias('HTTP_LISTEN', 'PROXY_SYSTEM_API');
  alias('BALANCER_PROVIDER', 'PROXY_LOAD_BALANCER_TYPE');
  alias('REDIS_PASSWORD', 'PROXY_REDIS_PASSWORD');
  alias('REDIS_DB', 'PROXY_REDIS_DB');
  alias('REDIS_KEY_PREFIX', 'PROXY_REDIS_KEY_PREFIX');
  if (isUnset(out.REDIS_URL) && (!isUnset(env.PROXY_REDIS_HOST) || !isUnset(env.PROXY_REDIS_PORT))) {
    const host = env.PROXY_REDIS_HOST?.trim() || '127.0.0.1';
    out.REDIS_URL = `redis://${host.includes(':') ? `[${host}]` : host}:${env.PROXY_REDIS_PORT?.trim() || '6379'}`;
  }
  // The reference takes a Go duration (`300s`); a value that is not one is passed on as is and fails validation.
  if (isUnset(out.ORIGIN_TTL_MS) && !isUnset(env.PROXY_ORIGIN_SERVER_TTL)) {
    const ms = parseGoDuration(env.PROXY_ORIGIN_SERVER_TTL!);
    out.ORIGIN_TTL_MS = ms === undefined ? `PROXY_ORIGIN_SERVER_TTL=${env.PROXY_ORIGIN_SERVER_TTL} is not a Go duration` : String(ms);
  }
  // The reference only uses its default backend when PROXY_DEFAULT_BACKEND_ENABLED=on.
  if (out.ORIGINS === undefined && env.PROXY_DEFAULT_BACKEND_ENABLED === 'on') {
    const ip = env.PROXY_DEFAULT_BACKEND_IP || '127.0.0.1';
    const port = env.PROXY_DEFAULT_BACKEND_SRT || '10080';
    out.ORIGINS = ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
  }
  return out;
}

function isUnset(v: string | undefined): boolean {
  return v === undefined || v.trim() === '';
}
