/** What EVENTS_URL receives, one POST per event (docs/ADMISSION.md). Never the stream id's params. */
export interface SessionEvent {
  readonly type: 'start' | 'end';
  /** ISO 8601 time of the event. */
  readonly at: string;
  readonly session: string;
  readonly action: 'publish' | 'play';
  readonly streamKey: string;
  readonly caller: { readonly address: string; readonly port: number };
  readonly origin: string | null;
  /** `end` only. */
  readonly reason?: string;
  readonly durationMs?: number;
  readonly bytesFromCaller?: number;
  readonly bytesFromOrigin?: number;
}
