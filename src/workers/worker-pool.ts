import { randomBytes } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { SessionListing } from '../admin/session-listing.js';
import { BALANCER, type Balancer } from '../balancer/balancer.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.tokens.js';
import { formatHostPort } from '../config/listen-address.js';
import type { Origin } from '../origins/origin.js';
import { ORIGIN_REPORTS, type OriginReports } from '../origins/origin-reports.js';
import type { StreamMode } from '../srt/protocol/stream-id.js';
import type { ProxySnapshot } from '../srt/session/proxy-snapshot.js';
import type { StreamLinkFigures } from '../srt/session/stream-links.js';
import type { SrtSide, WorkerRestart, WorkerStats } from '../srt/srt-side.js';
import {
  mergeByStream,
  mergeCounts,
  mergeStreamLinks,
  parseWorkerSessionId,
  workerSessionView,
} from './merge-views.js';
import { RpcChannel } from './rpc-channel.js';
import { RetiredCounts } from './retired-counts.js';
import { LISTEN_SOCKETS, type ListenSockets } from './listen-sockets.js';
import { SocketGroup } from './socket-group.js';
import { MainMethods, WorkerMethods, type ObservationBatch, type SrtWorkerData, type WorkerBinding } from './worker-protocol.js';

/** Questions to a worker (views, counts) must not hold up an API answer or a scrape for long. */
const QUERY_TIMEOUT_MS = 2000;
/** A worker builds its Nest context and binds its socket in well under this, even on a loaded machine. */
const START_TIMEOUT_MS = 30_000;
/** A worker ends its sessions (SHUTDOWN both ways) and closes within this, or is terminated. */
const STOP_TIMEOUT_MS = 5000;
/** Restart delay after a crash: doubles per crash in a row, from 100 ms up to 5 s. */
const RESTART_BACKOFF_MS = { first: 100, max: 5000 };
/** A worker that ran this long before crashing starts the backoff anew. */
const STABLE_AFTER_MS = 30_000;

const WORKER_ENTRY = new URL('./srt-worker.js', import.meta.url);

/** Streams a worker holds through the balancer, so that a worker that dies does not leak its assignments. */
type Held = Map<string, { origin: Origin; sessions: number }>;

interface Slot {
  readonly index: number;
  worker: Worker | undefined;
  channel: RpcChannel | undefined;
  bound: boolean;
  restarts: number;
  crashesInARow: number;
  startedAt: number;
  /** The next exit was asked for (the pool stopping, or an admin restart on a held socket): not a crash. */
  expectedExit: 'stop' | 'replace' | undefined;
  /** A new thread is taking this slot over (admin restart). */
  replacing: boolean;
  restartTimer: NodeJS.Timeout | undefined;
  held: Held;
  exited: Promise<void>;
}

/**
 * WORKERS > 1, main thread: starts the SRT worker threads, serves their balancer and origin reports, restarts the
 * ones that die (with a backoff), and answers the API, health and metrics with their views merged. The kernel's
 * SO_REUSEPORT hash gives each caller's 4-tuple to one worker; the shared cookie secret lets any worker verify any
 * caller's cookie. On the native data path this thread opens the workers' sockets and holds them (SocketGroup), so a
 * worker that restarts leaves its socket in the group and no other worker's flows move; on the TypeScript path each
 * worker binds its own (docs/KUBERNETES.md "SO_REUSEPORT and restarts").
 */
@Injectable()
export class WorkerPool implements SrtSide {
  private readonly logger = new Logger('Workers');
  private readonly slots: Slot[];
  private readonly cookieSecret: string;
  private port: number;
  private address: string;
  private draining = false;
  private stopping = false;
  private readonly restarts = { crash: 0, admin: 0 };
  private readonly handshakeObservers: ((seconds: number) => void)[] = [];
  private readonly rttObservers: ((mode: StreamMode, origin: string, seconds: number) => void)[] = [];
  /** Counters of threads that missed a scrape or exited, so the merged totals never go backwards. */
  private readonly counts = new RetiredCounts<Worker>();
  /** The workers' sockets when this thread holds them (native data path); undefined: each worker binds its own. */
  private readonly group: SocketGroup | undefined;
  private readonly buffers: { receive: number; send: number };

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(BALANCER) private readonly balancer: Balancer,
    @Inject(ORIGIN_REPORTS) private readonly origins: OriginReports,
    @Inject(LISTEN_SOCKETS) sockets: ListenSockets | null,
  ) {
    const count = config.workers ?? 1;
    this.slots = Array.from({ length: count }, (_, index) => newSlot(index));
    this.group = sockets === null ? undefined : new SocketGroup(sockets, count);
    this.buffers = { receive: config.srt.receiveBufferBytes, send: config.srt.sendBufferBytes };
    // One secret for every worker (and every restart), so a cookie issued by one verifies on another.
    this.cookieSecret = config.srt.cookieSecret ?? randomBytes(32).toString('base64');
    this.port = config.srt.listen.port;
    this.address = config.srt.listen.host;
  }

  async start(): Promise<void> {
    const dataPaths = new Set<string>();
    if (this.group !== undefined) {
      // Opened here in slot order (the group holds socket i at index i for good), then adopted by the workers in any
      // order: the kernel's group never changes while the pool runs.
      const bound = this.group.open(this.address, this.port, this.buffers.receive, this.buffers.send);
      this.port = bound.port;
      this.address = bound.address;
      for (const slot of this.slots) this.launch(slot);
      for (const binding of await Promise.all(this.slots.map((slot) => this.bind(slot)))) dataPaths.add(binding.dataPath);
      // Before the listening line, so that a reader who has that line has this one.
      this.logger.log('SRT sockets held by the main thread: a worker restart moves no other worker\'s flows');
      this.logger.log(
        `SRT listening on udp ${formatHostPort({ host: this.address, port: this.port })} in ${this.slots.length} worker threads, data path: ${[...dataPaths].join(', ')}`,
      );
      return;
    }
    let rest = this.slots;
    if (this.port === 0) {
      // Port 0 (tests): worker 0 picks the port the others then share.
      const first = await this.spawn(this.slots[0]!);
      this.port = first.port;
      this.address = first.address;
      dataPaths.add(first.dataPath);
      rest = this.slots.slice(1);
    }
    // The threads boot at once (each builds its Nest context, about a second of CPU), but bind one after the other:
    // the kernel's SO_REUSEPORT group then holds worker i in slot i, the order docs/KUBERNETES.md "Workers" relies
    // on for what a restart does to the flows.
    for (const slot of rest) this.launch(slot);
    for (const slot of rest) {
      const binding = await this.bind(slot);
      this.address = binding.address;
      dataPaths.add(binding.dataPath);
    }
    this.logger.log(
      `SRT listening on udp ${formatHostPort({ host: this.address, port: this.port })} in ${this.slots.length} worker threads, data path: ${[...dataPaths].join(', ')}`,
    );
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(
      this.slots.map(async (slot) => {
        if (slot.restartTimer !== undefined) clearTimeout(slot.restartTimer);
        const { worker, channel } = slot;
        if (worker === undefined) return;
        slot.expectedExit = 'stop';
        await channel?.call(WorkerMethods.stop, [], STOP_TIMEOUT_MS).catch((error: unknown) => {
          this.logger.warn(`worker ${slot.index} did not stop cleanly: ${(error as Error).message}`);
        });
        await worker.terminate();
        await slot.exited;
      }),
    );
    // Every worker has exited: no thread reads the sockets any more.
    for (const error of this.group?.closeAll() ?? []) this.logger.warn(`SRT socket not closed: ${error.message}`);
  }

  listening(): { address: string; port: number } | undefined {
    return this.slots.every((s) => s.bound) ? { address: this.address, port: this.port } : undefined;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  drain(): void {
    this.draining = true;
    for (const slot of this.slots) slot.channel?.notify(WorkerMethods.drain);
  }

  async liveSessions(): Promise<number> {
    const counts = await Promise.all(this.live().map((s) => s.channel!.call<number>(WorkerMethods.liveSessions, [], QUERY_TIMEOUT_MS)));
    return counts.reduce((a, b) => a + b, 0);
  }

  async snapshot(): Promise<ProxySnapshot> {
    const answers = await this.ask<{ snapshot: ProxySnapshot; observations: ObservationBatch }>(WorkerMethods.snapshot);
    for (const { value } of answers) this.observe(value.observations);
    const merged = this.counts.merge(answers.map((a) => ({ thread: a.thread, snapshot: a.value.snapshot })));
    return { ...merged, draining: this.draining };
  }

  async sessions(): Promise<SessionListing[]> {
    const answers = await this.ask<SessionListing[]>(WorkerMethods.sessions);
    return answers.flatMap(({ worker, value }) => value.map((view) => workerSessionView(view, worker)));
  }

  async sessionsByStream(): Promise<Map<string, Record<string, number>>> {
    return mergeByStream((await this.ask<Map<string, Record<string, number>>>(WorkerMethods.sessionsByStream)).map((a) => a.value));
  }

  async sessionsByOrigin(): Promise<Map<string, number>> {
    return mergeCounts((await this.ask<Map<string, number>>(WorkerMethods.sessionsByOrigin)).map((a) => a.value));
  }

  async streamLinks(max: number): Promise<{ streams: StreamLinkFigures[]; omitted: number }> {
    // Every worker's streams, then the cap: a stream's sessions may sit on several workers.
    const answers = await this.ask<{ streams: StreamLinkFigures[] }>(WorkerMethods.streamLinks, [Number.MAX_SAFE_INTEGER]);
    return mergeStreamLinks(answers.map((a) => a.value.streams), max);
  }

  async endSession(id: string): Promise<boolean> {
    const parsed = parseWorkerSessionId(id);
    const slot = parsed === undefined ? undefined : this.slots[parsed.worker];
    if (parsed === undefined || slot?.channel === undefined || !slot.bound) return false;
    return slot.channel.call<boolean>(WorkerMethods.endSession, [parsed.id], QUERY_TIMEOUT_MS);
  }

  observeHandshakes(observer: (seconds: number) => void): void {
    this.handshakeObservers.push(observer);
  }

  observeRtt(observer: (mode: StreamMode, origin: string, seconds: number) => void): void {
    this.rttObservers.push(observer);
  }

  workerStats(): WorkerStats {
    return {
      workers: this.slots.length,
      restarts: { ...this.restarts },
      threads: this.slots.map((s) => ({ worker: s.index, bound: s.bound, restarts: s.restarts })),
    };
  }

  restartWorker(index: number, how: WorkerRestart): boolean {
    const slot = this.slots[index];
    if (slot?.worker === undefined || this.stopping) return false;
    if (slot.replacing) return true;
    if (how === 'crash') {
      // Through the real crash path: an uncaught error in the worker, counted as a crash.
      slot.channel?.notify(WorkerMethods.crash);
    } else {
      void (this.group !== undefined ? this.replaceOnHeldSocket(slot) : this.replace(slot));
    }
    return true;
  }

  /**
   * A planned restart on the socket this thread holds: the old thread ends first (two threads never read one
   * socket), then the new one adopts the same socket. Meanwhile the socket stays in the group and its datagrams
   * wait in its receive buffer; readiness stays up (the socket stays bound).
   */
  private async replaceOnHeldSocket(slot: Slot): Promise<void> {
    const old = slot.worker!;
    slot.replacing = true;
    slot.expectedExit = 'replace';
    try {
      await old.terminate();
      await slot.exited;
      // stop() saw no thread in this slot: none must start after it.
      if (this.stopping) return;
      this.launch(slot);
      await this.bindReplacement(slot);
    } catch (error) {
      // The new thread's exit is counted and retried as a crash.
      this.logger.error((error as Error).message);
    } finally {
      slot.replacing = false;
    }
  }

  /**
   * A planned restart: the new thread binds before the old one ends. Its socket joins the SO_REUSEPORT group at the
   * end and the kernel moves it into the old socket's slot when that closes, so every other worker's flows keep
   * their worker (a worker that just died would leave its slot to the last worker instead: docs/KUBERNETES.md).
   */
  private async replace(slot: Slot): Promise<void> {
    const old = slot.worker!;
    slot.replacing = true;
    this.launch(slot);
    try {
      // The old thread serves until the new one is bound: readiness stays up.
      await this.bindReplacement(slot);
    } catch (error) {
      // The new thread's exit is counted and retried as a crash; the old one goes anyway (it was asked to).
      this.logger.error((error as Error).message);
    } finally {
      slot.replacing = false;
      await old.terminate();
    }
  }

  /** Waits until the thread just launched in `slot` to replace its worker is bound (the slot counts as bound meanwhile), and counts the restart. */
  private async bindReplacement(slot: Slot): Promise<void> {
    slot.bound = true;
    await this.bind(slot);
    this.restarts.admin++;
    slot.restarts++;
    this.logger.warn(`SRT worker ${slot.index} replaced (admin API); its sessions ended`);
  }

  /** Starts the worker of `slot` and waits until its socket is bound. Rejects when it cannot start. */
  private spawn(slot: Slot): Promise<WorkerBinding> {
    this.launch(slot);
    return this.bind(slot);
  }

  /** Starts the worker thread of `slot` (it builds its Nest context, and binds when bind() asks). */
  private launch(slot: Slot): void {
    const data: SrtWorkerData = {
      index: slot.index,
      workers: this.slots.length,
      port: this.port,
      cookieSecret: this.cookieSecret,
      listenFd: this.group?.fdOf(slot.index),
    };
    const worker = new Worker(WORKER_ENTRY, { workerData: data, name: `srt-worker-${slot.index}` });
    const channel = new RpcChannel(worker, QUERY_TIMEOUT_MS);
    slot.worker = worker;
    slot.channel = channel;
    slot.bound = false;
    slot.startedAt = Date.now();
    const held: Held = new Map();
    slot.held = held;
    this.serve(channel, held);
    let failure: Error | undefined;
    worker.on('error', (error) => {
      failure = error;
      // Never rethrown: one worker's bug must not take the process (and the other workers' sessions) down.
      this.logger.error(`SRT worker ${slot.index} failed: ${error.stack ?? error.message}`);
    });
    slot.exited = new Promise((resolve) => {
      worker.once('exit', (code) => {
        this.onExit(slot, worker, channel, held, code, failure);
        resolve();
      });
    });
  }

  /** Has the worker of `slot` bind the SRT port; rejects (and ends the worker) when it cannot. */
  private bind(slot: Slot): Promise<WorkerBinding> {
    const { worker, channel } = slot;
    if (worker === undefined || channel === undefined) return Promise.reject(new Error(`SRT worker ${slot.index} is not running`));
    return channel.call<WorkerBinding | undefined>(WorkerMethods.start, [this.draining], START_TIMEOUT_MS).then(
      (binding) => {
        if (binding === undefined) throw new Error(`SRT worker ${slot.index} started without a bound socket`);
        slot.bound = true;
        return binding;
      },
      async (error: unknown) => {
        await worker.terminate();
        throw new Error(`SRT worker ${slot.index} did not start: ${(error as Error).message}`);
      },
    );
  }

  /** What a worker asks of the main thread: the balancer, and the origin registry's passive health. */
  private serve(channel: RpcChannel, streams: Held): void {
    channel.handle(MainMethods.acquire, async (streamKey: string) => {
      const origin = await this.balancer.acquire(streamKey);
      if (origin !== undefined) {
        const held = streams.get(streamKey);
        if (held === undefined) streams.set(streamKey, { origin, sessions: 1 });
        else held.sessions++;
      }
      return origin;
    });
    channel.handle(MainMethods.release, (streamKey: string, origin: Origin, connected: boolean) => {
      const held = streams.get(streamKey);
      if (held !== undefined && --held.sessions <= 0) streams.delete(streamKey);
      this.balancer.release(streamKey, origin, connected);
    });
    channel.handle(MainMethods.originFailed, (origin: Origin) => this.origins.reportFailure(origin));
    channel.handle(MainMethods.originSucceeded, (origin: Origin) => this.origins.reportSuccess(origin));
  }

  private onExit(slot: Slot, worker: Worker, channel: RpcChannel, streams: Held, code: number, failure: Error | undefined): void {
    channel.close(`SRT worker ${slot.index} exited`);
    this.counts.retire(worker);
    // Its sessions are gone: give their streams back, as if each had ended after relaying (so a caller that
    // reconnects within the sticky grace finds its stream's origin again).
    for (const [streamKey, held] of streams) {
      for (let i = 0; i < held.sessions; i++) this.balancer.release(streamKey, held.origin, true);
    }
    streams.clear();
    // A thread replaced by a newer one (admin restart): the slot is the new one's.
    if (slot.worker !== worker) return;
    slot.worker = undefined;
    slot.channel = undefined;
    const expected = slot.expectedExit;
    slot.expectedExit = undefined;
    // Ended for an admin restart on the held socket: still bound (readiness stays up), replaceOnHeldSocket goes on.
    if (expected === 'replace') return;
    slot.bound = false;
    if (this.stopping || expected === 'stop') return;
    slot.restarts++;
    let delay = 0;
    {
      this.restarts.crash++;
      if (Date.now() - slot.startedAt > STABLE_AFTER_MS) slot.crashesInARow = 0;
      delay = Math.min(RESTART_BACKOFF_MS.first * 2 ** slot.crashesInARow, RESTART_BACKOFF_MS.max);
      slot.crashesInARow++;
      const why = failure !== undefined ? failure.message : `exit code ${code}`;
      this.logger.error(`SRT worker ${slot.index} exited (${why}); its sessions are lost; restarting in ${delay} ms`);
    }
    this.scheduleRestart(slot, delay);
  }

  private scheduleRestart(slot: Slot, delayMs: number): void {
    slot.restartTimer = setTimeout(() => {
      slot.restartTimer = undefined;
      if (this.stopping) return;
      this.spawn(slot).then(
        () => this.logger.log(`SRT worker ${slot.index} back on udp port ${this.port}`),
        // The failed start's exit already scheduled the next attempt (with a longer delay).
        (error: unknown) => this.logger.error((error as Error).message),
      );
    }, delayMs);
  }

  private live(): Slot[] {
    return this.slots.filter((s) => s.bound && s.channel !== undefined);
  }

  /** Asks every bound worker; one that does not answer in time is left out (and logged), not waited for. */
  private async ask<T>(method: string, args: unknown[] = []): Promise<{ worker: number; thread: Worker; value: T }[]> {
    const live = this.live();
    const threads = live.map((s) => s.worker!);
    const settled = await Promise.allSettled(live.map((s) => s.channel!.call<T>(method, args, QUERY_TIMEOUT_MS)));
    const out: { worker: number; thread: Worker; value: T }[] = [];
    settled.forEach((result, i) => {
      if (result.status === 'fulfilled') out.push({ worker: live[i]!.index, thread: threads[i]!, value: result.value });
      else this.logger.warn(`SRT worker ${live[i]!.index} left out of ${method}: ${(result.reason as Error).message}`);
    });
    return out;
  }

  private observe(batch: ObservationBatch): void {
    for (const seconds of batch.handshakeSeconds) for (const observe of this.handshakeObservers) observe(seconds);
    for (const { mode, origin, seconds } of batch.rtt) for (const observe of this.rttObservers) observe(mode, origin, seconds);
  }
}

function newSlot(index: number): Slot {
  return {
    index,
    worker: undefined,
    channel: undefined,
    bound: false,
    restarts: 0,
    crashesInARow: 0,
    startedAt: 0,
    expectedExit: undefined,
    replacing: false,
    restartTimer: undefined,
    held: new Map(),
    exited: Promise.resolve(),
  };
}
