import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.tokens.js';
import type { AppConfig } from '../config/app-config.js';
import { formatHostPort } from '../config/listen-address.js';
import type { Origin } from './origin.js';

/** The origins a new stream may be assigned to. For now only the static list from `ORIGINS`. */
@Injectable()
export class OriginRegistry {
  private readonly origins: readonly Origin[];

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.origins = config.origins.map((o) => ({ id: formatHostPort(o), host: o.host, port: o.port }));
  }

  /** Origins that may take new streams. */
  available(): readonly Origin[] {
    return this.origins;
  }

  get(id: string): Origin | undefined {
    return this.origins.find((o) => o.id === id);
  }
}
