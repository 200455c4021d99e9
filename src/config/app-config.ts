import type { HostPort } from './listen-address.js';
import type { CidrRules } from '../admission/access-rules.js';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Values of BALANCER_PROVIDER; `static` is the reference's word for `memory`. */
export const BALANCER_PROVIDER_VALUES = ['memory', 'static', 'redis'] as const;
export type BalancerProviderName = 'memory' | 'redis';
/** Values of DATA_PATH: the native addon (falls back to js when it cannot load) or the TypeScript path. */
export const DATA_PATH_KINDS = ['native', 'js'] as const;
export const BALANCER_STRATEGIES = ['random', 'round-robin', 'least-streams', 'consistent-hash'] as const;
export type BalancerStrategyName = (typeof BALANCER_STRATEGIES)[number];

export interface SrtConfig {
  readonly listen: HostPort;
  /** SO_RCVBUF / SO_SNDBUF for the public socket and every origin socket; 0 keeps the kernel default. */
  readonly receiveBufferBytes: number;
  readonly sendBufferBytes: number;
  /**
   * SO_RCVBUF and SO_SNDBUF of each session's origin socket. Smaller than the public socket's: one session carries
   * one stream, and thousands of sessions with deep buffers could hold a pod's memory hostage.
   */
  readonly originSocketBufferBytes: number;
  /** Budget for the whole origin handshake; must end before the caller's own 3 s connect timeout. */
  readonly originHandshakeTimeoutMs: number;
  /** libsrt callers resend every ~250 ms; the proxy resends to the origin on the same beat. */
  readonly originRetryIntervalMs: number;
  readonly sessionIdleTimeoutMs: number;
  /** 0 = unlimited. With N workers, each worker's share of MAX_SESSIONS (src/workers/worker-shares.ts). */
  readonly maxSessions: number;
  /**
   * SO_REUSEPORT on the public socket: set in SRT worker threads (WORKERS > 1), which bind one port together; never
   * from the environment (a single process must still fail on a port in use).
   */
  readonly reusePort: boolean;
  /**
   * An SRT worker's public socket, opened by the worker pool in the main thread, to adopt instead of binding
   * `listen` (DataPathListenOptions.socketFd); never from the environment. Undefined: bind `listen`.
   */
  readonly listenFd?: number | undefined;
  /** undefined = a random key per process. */
  readonly cookieSecret: string | undefined;
  readonly abuse: AbuseConfig;
  /** Read ACKs, NAKs and retransmit flags of relayed sessions (SRT_TELEMETRY). */
  readonly telemetry: boolean;
  /** DATA_PATH: which packet mover relays (docs/CONTRACTS.md, the DataPath). */
  readonly dataPath: (typeof DATA_PATH_KINDS)[number];
}

/** Per-source limits on the handshake path (docs/ABUSE.md explains the defaults). */
export interface AbuseConfig {
  /** CONCLUSIONs per second each source (IPv4 address, IPv6 /64) may make; 0 = no budget. */
  readonly handshakeRatePerSource: number;
  /** How many CONCLUSIONs a quiet source may make at once. */
  readonly handshakeBurstPerSource: number;
  /** Sources the handshake budget tracks at once (fixed memory). */
  readonly handshakeLimiterSources: number;
  /** Live sessions per source; 0 = no cap. */
  readonly maxSessionsPerSource: number;
  /** How long a refusal that will not change soon is replayed from cache; 0 = off. */
  readonly negativeCacheMs: number;
}

export interface MetricsConfig {
  /** Series labelled by stream key (unbounded cardinality, hence opt-in and capped). */
  readonly perStream: boolean;
  readonly perStreamMax: number;
}

export interface HttpConfig {
  readonly listen: HostPort;
  /** A request's headers must arrive within this (else 408 and close). */
  readonly headersTimeoutMs: number;
  /** The whole request must arrive within this. */
  readonly requestTimeoutMs: number;
}

export interface BalancerConfig {
  readonly provider: BalancerProviderName;
  readonly strategy: BalancerStrategyName;
  /** How long a stream keeps its origin after its last session ends. */
  readonly stickyGraceMs: number;
}

export interface OriginHealthConfig {
  /** How long an origin that failed a handshake is left out of new assignments. */
  readonly failureCooldownMs: number;
  /** How often DNS names in ORIGINS are resolved again. */
  readonly dnsRefreshMs: number;
  /** Consecutive failed handshakes that take an origin out (for `failureCooldownMs`). */
  readonly failuresToDown: number;
  /** A registered origin expires this long after its last heartbeat. */
  readonly ttlMs: number;
  /** Active SRT probe period; 0 disables the probe. */
  readonly probeIntervalMs: number;
  readonly probeTimeoutMs: number;
  /** Consecutive unanswered probes that mark an origin down. */
  readonly probeMisses: number;
}

export type RedisMode = 'standalone' | 'sentinel' | 'cluster';

export interface RedisConfig {
  /** Chosen by which variables are set: REDIS_CLUSTER_NODES, then REDIS_SENTINELS, else REDIS_URL. */
  readonly mode: RedisMode;
  /** Standalone: `redis://` or `rediss://` (TLS). Its password, if any, is moved to `password`. */
  readonly url: string;
  readonly tls: boolean;
  readonly password: string | undefined;
  readonly db: number;
  /** Every key the proxy writes starts with `<keyPrefix>:`. */
  readonly keyPrefix: string;
  readonly sentinels: readonly HostPort[];
  readonly sentinelMaster: string;
  readonly sentinelPassword: string | undefined;
  readonly clusterNodes: readonly HostPort[];
  /** A command not answered in this time fails, so no handshake waits on a hung Redis. */
  readonly commandTimeoutMs: number;
}

export interface AdmissionConfig {
  /** The webhook asked before a new session is routed; undefined = only the CIDR rules apply. */
  readonly url: URL | undefined;
  /** What a webhook timeout or error means. */
  readonly onError: 'deny' | 'allow';
  /** Counts inside ORIGIN_HANDSHAKE_TIMEOUT_MS (checked at start-up). */
  readonly timeoutMs: number;
  /** How long a webhook answer is reused for an identical request; 0 = not cached (concurrent ones still share). */
  readonly cacheMs: number;
  /** Connections to the webhook at most. */
  readonly maxConnections: number;
  readonly publish: CidrRules;
  readonly play: CidrRules;
}

export interface EventsConfig {
  /** Where session start and end events are posted; undefined = no events. */
  readonly url: URL | undefined;
  readonly queueMax: number;
  readonly timeoutMs: number;
}

export interface AppConfig {
  readonly srt: SrtConfig;
  readonly http: HttpConfig;
  readonly metrics: MetricsConfig;
  readonly origins: readonly HostPort[];
  readonly originHealth: OriginHealthConfig;
  readonly balancer: BalancerConfig;
  readonly redis: RedisConfig;
  /** Bearer token required by POST /api/v1/srs/register; undefined = open. A secret: never logged. */
  readonly registerToken: string | undefined;
  /** On SIGTERM, how long live sessions may go on before they are closed. */
  readonly drainTimeoutMs: number;
  /** SRT worker threads (WORKERS); undefined = the pod's CPUs, resolved at start-up. */
  readonly workers: number | undefined;
  readonly logLevel: LogLevel;
  readonly admission: AdmissionConfig;
  /** Bearer token for mutating API endpoints; undefined = those endpoints are refused (403). */
  readonly adminToken: string | undefined;
  readonly events: EventsConfig;
}
