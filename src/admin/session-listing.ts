import type { SessionView } from '../srt/session/session-view.js';
import { sessionTelemetryView } from './telemetry-view.js';

/** One session as GET /api/v1/sessions lists it; `worker` is the SRT worker that holds it (0 with WORKERS=1). */
export function sessionListingOf(s: SessionView, worker: number) {
  return {
    id: s.id,
    worker,
    caller: `${s.callerAddress}:${s.callerPort}`,
    callerSocketId: s.callerSocketId,
    originSocketId: s.originSocketId,
    origin: s.origin?.id ?? null,
    streamKey: s.streamId.key,
    mode: s.streamId.mode,
    state: s.state,
    startedAt: new Date(s.startedAt).toISOString(),
    packetsFromCaller: s.packetsFromCaller,
    bytesFromCaller: s.bytesFromCaller,
    packetsFromOrigin: s.packetsFromOrigin,
    bytesFromOrigin: s.bytesFromOrigin,
    drops: s.drops,
    sendQueueDrops: s.sendQueueDrops,
    sendErrors: s.sendErrors,
    telemetry: sessionTelemetryView(s),
  };
}

export type SessionListing = ReturnType<typeof sessionListingOf>;
