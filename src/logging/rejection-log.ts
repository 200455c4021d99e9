import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';

/** Where the lines go; Nest's Logger in production, a recorder in tests. */
export interface RejectionSink {
  log(record: Record<string, unknown>): void;
  warn(record: Record<string, unknown>): void;
}

/** One line per (source, code) per window; later repeats are only counted. */
export const REJECTION_WINDOW_MS = 60_000;
/** Bounds the memory a spray of spoofed sources can take; beyond it rejections are counted in one sum. */
const MAX_KEYS = 10_000;

interface Entry {
  readonly source: string;
  readonly code: number;
  suppressed: number;
}

/**
 * Handshake rejections, logged without letting one noisy source flood the log: the first rejection per (source
 * address, code) in each minute is a full line, the rest of that minute are summed into one summary line at its
 * end. A caller retrying every second with a bad passphrase makes two lines a minute, not sixty.
 */
@Injectable()
export class RejectionLog implements OnModuleDestroy {
  private readonly window = new Map<string, Entry>();
  private overflow = 0;
  private readonly timer: NodeJS.Timeout;
  private sink: RejectionSink;

  constructor() {
    this.sink = new Logger('Handshake') as unknown as RejectionSink;
    this.timer = setInterval(() => this.flush(), REJECTION_WINDOW_MS);
    this.timer.unref();
  }

  /** For tests: lines go to `sink` instead of the application logger. */
  static withSink(sink: RejectionSink): RejectionLog {
    const log = new RejectionLog();
    log.sink = sink;
    return log;
  }

  /** A rejected handshake from `source` (the caller's address, without port: callers retry from new ports). */
  record(source: string, code: number, fields: Record<string, unknown>): void {
    const key = `${source}|${code}`;
    const entry = this.window.get(key);
    if (entry !== undefined) {
      entry.suppressed++;
      return;
    }
    if (this.window.size >= MAX_KEYS) {
      this.overflow++;
      return;
    }
    this.window.set(key, { source, code, suppressed: 0 });
    this.sink.log({ msg: 'handshake rejected', source, code, ...fields });
  }

  /** Ends the window: one summary line per (source, code) that was repeated, then a fresh window. */
  flush(): void {
    for (const entry of this.window.values()) {
      if (entry.suppressed === 0) continue;
      this.sink.log({
        msg: 'handshake rejections repeated',
        source: entry.source,
        code: entry.code,
        count: entry.suppressed,
        windowSeconds: REJECTION_WINDOW_MS / 1000,
      });
    }
    if (this.overflow > 0) {
      this.sink.warn({ msg: 'handshake rejections from too many sources to list', count: this.overflow, sources: MAX_KEYS });
    }
    this.window.clear();
    this.overflow = 0;
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
    this.flush();
  }
}
