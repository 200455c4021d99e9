import type { RedisClient } from '../../redis/redis-client.js';
import type {
  BalancerProvider,
  Claim,
  ClusterSnapshot,
  ProviderStatus,
  ProviderTimings,
  RegisteredOriginRecord,
} from './balancer-provider.js';
import { CLAIM, DROP, KEEP_ALIVE, PROBE, REASSIGN, REGISTER, SNAPSHOT } from './redis-scripts.js';

/** The scripts as ioredis commands (EVALSHA, falling back to EVAL when Redis lost its script cache). */
interface ScriptCommands {
  srtProxyClaim(key: string, candidate: string, ttlMs: number): Promise<[string, number]>;
  srtProxyReassign(key: string, expected: string, candidate: string, ttlMs: number): Promise<string>;
  srtProxyKeepAlive(key: string, origin: string, ttlMs: number): Promise<number>;
  srtProxyDrop(key: string, origin: string): Promise<number>;
  srtProxyRegister(origins: string, seen: string, id: string, json: string): Promise<number>;
  srtProxyProbe(down: string, id: string, flag: string): Promise<number>;
  srtProxySnapshot(origins: string, seen: string, down: string, forgetMs: number, downTtlMs: number): Promise<[string[], string[]]>;
}

/**
 * Routing state shared by every replica through Redis (key schema in docs/REDIS.md). A handshake costs one
 * round trip (the claim script); renewals go in batches, pipelined by the client.
 */
export class RedisProvider implements BalancerProvider {
  readonly name = 'redis';
  private readonly commands: ScriptCommands;
  private readonly originsKey: string;
  private readonly seenKey: string;
  private readonly probeDownKey: string;
  private readonly streamPrefix: string;
  private reachable = true;
  private lastError: string | undefined;
  private since = new Date().toISOString();

  constructor(
    private readonly client: RedisClient,
    keyPrefix: string,
    private readonly timings: ProviderTimings,
  ) {
    // The hash tag keeps the origin keys in one Cluster slot, so the scripts touching several of them are legal.
    this.originsKey = `{${keyPrefix}}:origins`;
    this.seenKey = `{${keyPrefix}}:origin-seen`;
    this.probeDownKey = `{${keyPrefix}}:probe-down`;
    this.streamPrefix = `${keyPrefix}:stream:`;
    const define = (name: string, numberOfKeys: number, lua: string): void => {
      if (!(name in client)) client.defineCommand(name, { numberOfKeys, lua });
    };
    define('srtProxyClaim', 1, CLAIM);
    define('srtProxyReassign', 1, REASSIGN);
    define('srtProxyKeepAlive', 1, KEEP_ALIVE);
    define('srtProxyDrop', 1, DROP);
    define('srtProxyRegister', 2, REGISTER);
    define('srtProxyProbe', 1, PROBE);
    define('srtProxySnapshot', 3, SNAPSHOT);
    this.commands = client as unknown as ScriptCommands;
  }

  /** The Redis key of a stream's assignment. */
  streamKeyOf(streamKey: string): string {
    return this.streamPrefix + streamKey;
  }

  async claim(streamKey: string, candidate: string): Promise<Claim> {
    const [owner, created] = await this.track(
      this.commands.srtProxyClaim(this.streamKeyOf(streamKey), candidate, this.timings.assignmentTtlMs),
    );
    return { owner, created: created === 1 };
  }

  reassign(streamKey: string, expected: string, candidate: string): Promise<string> {
    return this.track(
      this.commands.srtProxyReassign(this.streamKeyOf(streamKey), expected, candidate, this.timings.assignmentTtlMs),
    );
  }

  async keepAlive(assignments: ReadonlyMap<string, string>): Promise<number> {
    // Auto-pipelining sends these together (per node on a Cluster): one batch, not one round trip each.
    const ttl = this.timings.assignmentTtlMs;
    const renewed = await this.track(
      Promise.all([...assignments].map(([key, origin]) => this.commands.srtProxyKeepAlive(this.streamKeyOf(key), origin, ttl))),
    );
    return renewed.filter((r) => r === 0).length;
  }

  idle(): Promise<void> {
    // The key's own TTL ends it a grace period after the last renewal; another replica may still be renewing it.
    return Promise.resolve();
  }

  async drop(streamKey: string, origin: string): Promise<void> {
    await this.track(this.commands.srtProxyDrop(this.streamKeyOf(streamKey), origin));
  }

  async register(record: RegisteredOriginRecord): Promise<void> {
    await this.track(this.commands.srtProxyRegister(this.originsKey, this.seenKey, record.id, JSON.stringify(record)));
  }

  async reportProbe(originId: string, down: boolean): Promise<void> {
    await this.track(this.commands.srtProxyProbe(this.probeDownKey, originId, down ? '1' : '0'));
  }

  async snapshot(): Promise<ClusterSnapshot> {
    const [flat, probeDown] = await this.track(
      this.commands.srtProxySnapshot(
        this.originsKey,
        this.seenKey,
        this.probeDownKey,
        this.timings.originForgetMs,
        this.timings.probeDownTtlMs,
      ),
    );
    const origins: { record: RegisteredOriginRecord; ageMs: number }[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const record = parseRecord(flat[i]!);
      if (record !== undefined) origins.push({ record, ageMs: Number(flat[i + 1]) });
    }
    return { origins, probeDown };
  }

  status(): ProviderStatus {
    // A dropped connection shows at once, before any command fails on it.
    if (this.client.status !== 'ready' && this.reachable) {
      this.reachable = false;
      this.lastError = `connection ${this.client.status}`;
      this.since = new Date().toISOString();
    }
    return {
      provider: this.name,
      reachable: this.reachable,
      ...(this.reachable || this.lastError === undefined ? {} : { lastError: this.lastError }),
      since: this.since,
    };
  }

  async close(): Promise<void> {
    this.client.disconnect();
  }

  /** Every command's outcome feeds the reachability shown in /readyz and /api/v1/stats. */
  private async track<T>(command: Promise<T>): Promise<T> {
    try {
      const result = await command;
      if (!this.reachable) {
        this.reachable = true;
        this.since = new Date().toISOString();
      }
      return result;
    } catch (error) {
      this.lastError = (error as Error).message;
      if (this.reachable) {
        this.reachable = false;
        this.since = new Date().toISOString();
      }
      throw error;
    }
  }
}

function parseRecord(json: string): RegisteredOriginRecord | undefined {
  try {
    const value = JSON.parse(json) as RegisteredOriginRecord;
    return typeof value.id === 'string' && typeof value.host === 'string' && typeof value.port === 'number' ? value : undefined;
  } catch {
    return undefined;
  }
}
