import { Injectable } from '@nestjs/common';
import { sessionListingOf, type SessionListing } from '../admin/session-listing.js';
import type { StreamMode } from './protocol/stream-id.js';
import type { ProxySnapshot } from './session/proxy-snapshot.js';
import { SessionManager } from './session/session-manager.js';
import type { StreamLinkFigures } from './session/stream-links.js';
import type { SrtSide, WorkerStats } from './srt-side.js';
import { SrtListener } from './transport/srt-listener.js';

/**
 * The SRT side in this very thread: WORKERS=1 in the main thread, and each SRT worker thread's own view of itself
 * (src/workers/srt-worker.ts answers the main thread's questions through it).
 */
@Injectable()
export class LocalSrtSide implements SrtSide {
  /** The worker's number in its views (0 in the main thread). */
  worker = 0;

  constructor(
    private readonly sessionManager: SessionManager,
    private readonly listener: SrtListener,
  ) {}

  start(): Promise<void> {
    return this.listener.start();
  }

  stop(): Promise<void> {
    return this.listener.stop();
  }

  listening(): { address: string; port: number } | undefined {
    return this.listener.address();
  }

  get isDraining(): boolean {
    return this.sessionManager.isDraining;
  }

  drain(): void {
    this.sessionManager.drain();
  }

  async liveSessions(): Promise<number> {
    return this.sessionManager.sessionCount;
  }

  async snapshot(): Promise<ProxySnapshot> {
    return this.sessionManager.snapshot();
  }

  /** The same as snapshot(), for callers that cannot wait (the metrics of one thread). */
  snapshotNow(): ProxySnapshot {
    return this.sessionManager.snapshot();
  }

  async sessions(): Promise<SessionListing[]> {
    return this.sessionManager.sessionViews().map((s) => sessionListingOf(s, this.worker));
  }

  async sessionsByStream(): Promise<Map<string, Record<string, number>>> {
    return this.sessionManager.sessionsByStream();
  }

  async sessionsByOrigin(): Promise<Map<string, number>> {
    return this.sessionManager.sessionsByOrigin();
  }

  async streamLinks(max: number): Promise<{ streams: StreamLinkFigures[]; omitted: number }> {
    return this.sessionManager.streamLinks(max);
  }

  async endSession(id: string): Promise<boolean> {
    return this.sessionManager.end(id);
  }

  observeHandshakes(observer: (seconds: number) => void): void {
    this.sessionManager.observeHandshakes(observer);
  }

  observeRtt(observer: (mode: StreamMode, origin: string, seconds: number) => void): void {
    this.sessionManager.observeRtt((session, seconds) => observer(session.streamId.mode, session.origin!.id, seconds));
  }

  workerStats(): WorkerStats {
    return { workers: 1, restarts: { crash: 0, admin: 0 }, threads: [] };
  }

  restartWorker(): boolean {
    return false;
  }
}
