import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { HostPort } from '../config/listen-address.js';
import { formatHostPort } from '../config/listen-address.js';
import type { Origin } from './origin.js';

export type Lookup = (hostname: string) => Promise<readonly string[]>;

const systemLookup: Lookup = async (hostname) => (await lookup(hostname, { all: true })).map((a) => a.address);

function originAt(address: string, port: number, source: string): Origin {
  return { id: formatHostPort({ host: address, port }), host: address, port, source };
}

/**
 * Turns `ORIGINS` entries into origins with IP literals. Each address of a name is an origin of its own: a session
 * must reach the one SRS instance that owns its stream, so a name that spreads flows (a ClusterIP Service) would
 * split publishers from players. Names are resolved here, off the handshake path, so slow DNS never delays a caller.
 */
export class OriginResolver {
  private readonly resolved = new Map<string, readonly Origin[]>();
  /** What origins() answers, made again only when an address changes (every handshake asks). */
  private list: readonly Origin[] = [];

  constructor(
    private readonly entries: readonly HostPort[],
    private readonly resolve: Lookup = systemLookup,
  ) {
    for (const entry of entries) {
      if (isIP(entry.host) !== 0) this.resolved.set(formatHostPort(entry), [originAt(entry.host, entry.port, formatHostPort(entry))]);
    }
    this.list = this.collect();
  }

  /** Every origin known now, in `ORIGINS` order, without duplicates; the same array until a refresh changes it. */
  origins(): readonly Origin[] {
    return this.list;
  }

  private collect(): readonly Origin[] {
    const out: Origin[] = [];
    const seen = new Set<string>();
    for (const entry of this.entries) {
      for (const origin of this.resolved.get(formatHostPort(entry)) ?? []) {
        if (!seen.has(origin.id)) {
          seen.add(origin.id);
          out.push(origin);
        }
      }
    }
    return out;
  }

  /**
   * Resolves every name entry again. A failed lookup keeps the addresses it had (stale beats none during a DNS
   * hiccup) and is reported in the returned list.
   */
  async refresh(): Promise<string[]> {
    const problems: string[] = [];
    await Promise.all(
      this.entries
        .filter((entry) => isIP(entry.host) === 0)
        .map(async (entry) => {
          const source = formatHostPort(entry);
          try {
            const addresses = [...new Set(await this.resolve(entry.host))].sort();
            if (addresses.length === 0) throw new Error('no address');
            this.resolved.set(source, addresses.map((address) => originAt(address, entry.port, source)));
            this.list = this.collect();
          } catch (error) {
            problems.push(`cannot resolve origin ${source}: ${(error as Error).message}`);
          }
        }),
    );
    return problems;
  }
}
