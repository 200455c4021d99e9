import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { AdmissionConfig, AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.tokens.js';
import { refusedByRules, type AdmissionAction } from './access-rules.js';
import { ADMISSION_CLIENT, type AdmissionAnswer, type AdmissionClient } from './admission-client.js';
import { AdmissionCounters, type AdmissionCounts } from './admission-counters.js';
import { admissionCacheKey, type AdmissionRequest } from './admission-request.js';

/** Why a caller was refused; becomes the session's close reason. */
export type AdmissionRefusal = 'forbidden-by-rules' | 'forbidden-by-webhook' | 'admission-unavailable';

export type AdmissionVerdict = { readonly allowed: true } | { readonly allowed: false; readonly reason: AdmissionRefusal };

const ALLOWED: AdmissionVerdict = { allowed: true };
const DENIED_BY_RULES: AdmissionVerdict = { allowed: false, reason: 'forbidden-by-rules' };
/** Decisions kept at most; the oldest go first (a flood of distinct keys cannot grow memory without bound). */
const CACHE_MAX_ENTRIES = 10_000;
/** A webhook that is down fails every call: one warn line per this interval, with the count of the others. */
const FAILURE_LOG_INTERVAL_MS = 10_000;

interface CachedAnswer {
  readonly allowed: boolean;
  readonly expiresAt: number;
}

/**
 * Decides whether a new session may be routed: the static CIDR rules first (no I/O), then the webhook when one is
 * configured, its answers cached per identical request for ADMISSION_CACHE_MS and identical requests in flight
 * sharing one call. Errors never reject: they become ADMISSION_ON_ERROR's verdict.
 */
@Injectable()
export class AdmissionGate implements OnModuleDestroy {
  private readonly counters = new AdmissionCounters();
  private readonly config: AdmissionConfig;
  private readonly cache = new Map<string, CachedAnswer>();
  private readonly inFlight = new Map<string, Promise<AdmissionAnswer>>();
  private readonly logger = new Logger('Admission');
  private lastFailureLogAt = -Infinity;
  private unloggedFailures = 0;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(ADMISSION_CLIENT) private readonly client: AdmissionClient | null,
    private readonly clock: () => number = Date.now,
  ) {
    this.config = config.admission;
  }

  counts(): AdmissionCounts {
    return { ...this.counters };
  }

  /**
   * decide() without a promise or a request object when no webhook is configured (the rules need no I/O): the same
   * verdict and counters. undefined when a webhook is configured: only decide() can tell then.
   */
  decideNow(action: AdmissionAction, callerAddress: string): AdmissionVerdict | undefined {
    if (this.client !== null) return undefined;
    if (refusedByRules(action === 'publish' ? this.config.publish : this.config.play, callerAddress)) {
      this.counters.deniedByRules++;
      return DENIED_BY_RULES;
    }
    this.counters.allowedByRules++;
    return ALLOWED;
  }

  async decide(request: AdmissionRequest): Promise<AdmissionVerdict> {
    const rules = request.action === 'publish' ? this.config.publish : this.config.play;
    if (refusedByRules(rules, request.caller.address)) {
      this.counters.deniedByRules++;
      return DENIED_BY_RULES;
    }
    if (this.client === null) {
      this.counters.allowedByRules++;
      return ALLOWED;
    }
    const key = admissionCacheKey(request);
    const cached = this.cache.get(key);
    if (cached !== undefined) {
      if (cached.expiresAt > this.clock()) {
        this.counters.cacheHits++;
        return this.verdictOf(cached.allowed);
      }
      this.cache.delete(key);
    }
    let call = this.inFlight.get(key);
    if (call === undefined) {
      call = this.call(key, request);
    } else {
      this.counters.sharedCalls++;
    }
    const answer = await call;
    if (answer.kind === 'error') {
      if (this.config.onError === 'allow') {
        this.counters.errorsAllowed++;
        return ALLOWED;
      }
      this.counters.errorsDenied++;
      return { allowed: false, reason: 'admission-unavailable' };
    }
    return this.verdictOf(answer.kind === 'allow');
  }

  async onModuleDestroy(): Promise<void> {
    await this.client?.close();
  }

  private verdictOf(allowed: boolean): AdmissionVerdict {
    if (allowed) {
      this.counters.allowedByWebhook++;
      return ALLOWED;
    }
    this.counters.deniedByWebhook++;
    return { allowed: false, reason: 'forbidden-by-webhook' };
  }

  private call(key: string, request: AdmissionRequest): Promise<AdmissionAnswer> {
    this.counters.webhookCalls++;
    const call = this.client!.ask(request)
      .catch((error: unknown): AdmissionAnswer => ({ kind: 'error', detail: error instanceof Error ? error.name : 'failed' }))
      .then((answer) => {
        this.inFlight.delete(key);
        if (answer.kind === 'error') {
          // Not cached: the next caller tries again, so a recovered webhook is used at once.
          this.logFailure(answer.detail, request);
        } else if (this.config.cacheMs > 0) {
          this.remember(key, answer.kind === 'allow');
        }
        return answer;
      });
    this.inFlight.set(key, call);
    return call;
  }

  /** No params and no URL in the line: either may hold secrets. */
  private logFailure(detail: string, request: AdmissionRequest): void {
    const now = this.clock();
    if (now - this.lastFailureLogAt < FAILURE_LOG_INTERVAL_MS) {
      this.unloggedFailures++;
      return;
    }
    this.lastFailureLogAt = now;
    const alsoFailed = this.unloggedFailures;
    this.unloggedFailures = 0;
    this.logger.warn({ msg: 'admission webhook failed', detail, stream: request.streamKey, action: request.action, onError: this.config.onError, alsoFailed });
  }

  private remember(key: string, allowed: boolean): void {
    if (this.cache.size >= CACHE_MAX_ENTRIES) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(key, { allowed, expiresAt: this.clock() + this.config.cacheMs });
  }
}
