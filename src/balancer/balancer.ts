import type { Origin } from '../origins/origin.js';

/**
 * The one question the SRT code asks: which origin owns this stream key. The first session of a key assigns an
 * origin; every later session of the same key gets the same one while the assignment lives.
 */
export interface Balancer {
  /** Resolves to undefined when no origin can take the stream. */
  acquire(streamKey: string): Promise<Origin | undefined>;
  /** A session of `streamKey` on `origin` ended (or never started after `acquire`). */
  release(streamKey: string, origin: Origin): void;
}

export const BALANCER = Symbol('BALANCER');
