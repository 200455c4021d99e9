/**
 * Process-wide counters. Plain number fields because they are bumped on the per-packet path (a prom-client
 * `inc()` costs ~25x more); exporters read them at scrape time.
 */
export class ProxyCounters {
  // Datagrams dropped, by reason.
  malformed = 0;
  unknownSession = 0;
  foreignAddress = 0;
  badCookie = 0;
  /** Rendezvous, HSv4 and other handshakes a stream-id relay cannot route. */
  unsupported = 0;
  /** Datagrams from an origin socket that arrived before the session could relay them. */
  originStray = 0;
  /** Sends that threw (handshake path; relay sends without a callback cannot report failures). */
  sendErrors = 0;
  /** Errors reported by origin sockets: ICMP unreachable, bind or connect failures. */
  originErrors = 0;
  /** Errors reported by the public socket. */
  socketErrors = 0;

  inductions = 0;
  conclusions = 0;
  /** CONCLUSIONs a caller sent again for a session already under way (answered from the session). */
  repeatedConclusions = 0;
  accepted = 0;
  readonly rejected = new Map<number, number>();

  sessionsOpened = 0;
  sessionsClosed = 0;

  countRejection(wireCode: number): void {
    this.rejected.set(wireCode, (this.rejected.get(wireCode) ?? 0) + 1);
  }
}
