/** An SRS origin's SRT endpoint, as the balancer hands it out. */
export interface Origin {
  /** Stable identity (`ip:port`, the SRT endpoint), used as the balancer's stickiness value and in logs and metrics. */
  readonly id: string;
  /** Always an IP literal: names are resolved by the registry, never per session. */
  readonly host: string;
  readonly port: number;
  /** The `ORIGINS` entry it came from (a DNS name may give several origins), or `registered`. */
  readonly source: string;
}
