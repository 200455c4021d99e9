// Stand-in with the contract's exact public surface (interfaces6.md); helper B's version replaces it at merge.
export interface Heartbeat {
  readonly serverId: string;
  readonly serviceId: string;
  readonly pid: string;
  readonly deviceId?: string;
  readonly ip: string;
  /** The origin's SRT endpoint; undefined when the body has no srt entry (RTMP-only). */
  readonly srt?: { readonly host: string; readonly port: number };
}

export type HeartbeatResult = { ok: true; value: Heartbeat } | { ok: false; error: string };

export function parseHeartbeat(body: unknown): HeartbeatResult {
  if (typeof body !== 'object' || body === null) return { ok: false, error: 'body must be a JSON object' };
  const b = body as Record<string, unknown>;
  for (const field of ['ip', 'server', 'service', 'pid']) {
    if (typeof b[field] !== 'string' || (b[field] as string).length === 0) return { ok: false, error: `empty ${field}` };
  }
  const base = {
    serverId: b.server as string,
    serviceId: b.service as string,
    pid: b.pid as string,
    ip: b.ip as string,
    ...(typeof b.device_id === 'string' ? { deviceId: b.device_id } : {}),
  };
  const srt = Array.isArray(b.srt) ? b.srt[0] : undefined;
  if (srt === undefined) return { ok: true, value: base };
  const m = typeof srt === 'string' ? /^(?:udp:\/\/)?(?:(.*):)?(\d+)$/.exec(srt) : null;
  const port = m ? Number(m[2]) : NaN;
  if (!m || port < 1 || port > 65535) return { ok: false, error: 'bad srt port' };
  const own = m[1];
  const host = own && own !== '0.0.0.0' && own !== '::' && own !== '[::]' ? own.replace(/^\[(.*)\]$/, '$1') : base.ip;
  return { ok: true, value: { ...base, srt: { host, port } } };
}
