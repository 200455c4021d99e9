import type { AdmissionRequest } from '../../admission/admission-request.js';
import type { SessionEvent } from '../../events/session-event.js';
import type { Session } from './session.js';

/** The admission webhook's view of a new session. */
export function admissionRequestOf(session: Session): AdmissionRequest {
  const id = session.streamId;
  // Repeated keys: the last one wins, as SRS reads them.
  const params: Record<string, string> = {};
  for (const [key, value] of id.params) params[key] = value;
  return {
    action: id.mode === 'publish' ? 'publish' : 'play',
    streamKey: id.key,
    vhost: id.vhost,
    app: id.app,
    stream: id.stream,
    user: id.user ?? null,
    params,
    caller: { address: unmapIpv4(session.callerAddress), port: session.callerPort },
  };
}

export function sessionEventOf(session: Session, type: 'start' | 'end'): SessionEvent {
  const base = {
    type,
    at: new Date().toISOString(),
    session: session.id,
    action: session.streamId.mode === 'publish' ? 'publish' : 'play',
    streamKey: session.streamId.key,
    caller: { address: unmapIpv4(session.callerAddress), port: session.callerPort },
    origin: session.origin?.id ?? null,
  } as const;
  if (type === 'start') return base;
  return {
    ...base,
    reason: session.closeReason,
    durationMs: Date.now() - session.connectedAt,
    bytesFromCaller: session.bytesFromCaller,
    bytesFromOrigin: session.bytesFromOrigin,
  };
}

/** A dual-stack socket reports IPv4 callers as ::ffff:a.b.c.d; webhooks expect them as plain IPv4. */
function unmapIpv4(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
