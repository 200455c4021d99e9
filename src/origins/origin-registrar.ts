import type { Heartbeat } from './heartbeat.js';

/** Takes a validated heartbeat; implemented by the origin registry (helper A). */
export interface OriginRegistrar {
  /** Rejects when the heartbeat could not be recorded (e.g. the shared store is down); the caller answers 503. */
  register(heartbeat: Heartbeat): Promise<void>;
}

export const ORIGIN_REGISTRAR = Symbol('ORIGIN_REGISTRAR');
