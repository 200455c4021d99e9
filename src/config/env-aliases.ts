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
  // The reference only uses its default backend when PROXY_DEFAULT_BACKEND_ENABLED=on.
  if (isUnset(out.ORIGINS) && env.PROXY_DEFAULT_BACKEND_ENABLED === 'on') {
    const ip = env.PROXY_DEFAULT_BACKEND_IP || '127.0.0.1';
    const port = env.PROXY_DEFAULT_BACKEND_SRT || '10080';
    out.ORIGINS = ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
  }
  return out;
}

function isUnset(v: string | undefined): boolean {
  return v === undefined || v.trim() === '';
}
