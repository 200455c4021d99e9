/** A parsed `host:port`, `port` or `[v6]:port` listen/endpoint value. */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/**
 * Parses `port`, `:port`, `host:port` and `[v6]:port`. `defaultHost` fills a bare port and `:port` (Go's form for
 * "every interface", which the reference proxy's values use); without one a host is required.
 */
export function parseHostPort(text: string, defaultHost: string | undefined): HostPort | string {
  const value = text.trim();
  let host: string | undefined;
  let portText: string;
  const bracketed = /^\[([0-9a-fA-F:.]+)\]:(\d+)$/.exec(value);
  if (bracketed) {
    host = bracketed[1]!;
    portText = bracketed[2]!;
  } else if (/^:?\d+$/.test(value)) {
    portText = value.startsWith(':') ? value.slice(1) : value;
  } else {
    const colon = value.lastIndexOf(':');
    if (colon <= 0 || value.indexOf(':') !== colon) {
      return 'expected host:port, port or [ipv6]:port';
    }
    host = value.slice(0, colon);
    portText = value.slice(colon + 1);
    if (!/^\d+$/.test(portText)) return 'port must be a number';
    if (!/^[A-Za-z0-9.-]+$/.test(host)) return `invalid host "${host}"`;
  }
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return 'port must be 1-65535';
  if (host === undefined) {
    if (defaultHost === undefined) return 'a host is required (host:port)';
    host = defaultHost;
  }
  return { host, port };
}

export function formatHostPort(hp: HostPort): string {
  return hp.host.includes(':') ? `[${hp.host}]:${hp.port}` : `${hp.host}:${hp.port}`;
}
