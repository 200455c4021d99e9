/** An SRS origin's SRT endpoint, as the balancer hands it out. */
export interface Origin {
  /** Stable identity (`host:port`), used as the balancer's stickiness value and in logs and metrics. */
  readonly id: string;
  readonly host: string;
  readonly port: number;
}
