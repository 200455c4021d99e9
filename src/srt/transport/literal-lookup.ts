import { lookup as dnsLookup, type LookupOneOptions } from 'node:dns';
import { isIP } from 'node:net';

/**
 * dgram resolves the address of every unconnected send() through its lookup function; the default (dns.lookup)
 * answers even an IP literal on the next tick, with a closure per datagram. Every address the proxy sends to from
 * its public socket is a caller's IP literal, so answer those synchronously and leave names to dns.lookup.
 */
export function literalLookup(
  hostname: string,
  options: LookupOneOptions,
  callback: (error: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  const family = isIP(hostname);
  if (family !== 0) {
    callback(null, hostname, family);
    return;
  }
  dnsLookup(hostname, options, callback);
}
