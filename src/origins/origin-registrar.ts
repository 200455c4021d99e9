import type { Heartbeat } from './heartbeat.js';

/** Takes a validated heartbeat; implemented by the origin registry (helper A). */
export interface OriginRegistrar {
  register(heartbeat: Heartbeat): Promise<void>;
}

export const ORIGIN_REGISTRAR = Symbol('ORIGIN_REGISTRAR');
