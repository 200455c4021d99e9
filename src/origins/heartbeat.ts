// The body SRS POSTs to /api/v1/srs/register (srs_app_heartbeat.cpp), SRS 5 to 8. Pure: no Nest, no I/O.
//
// What is read, and why:
// - `ip`, `server`, `service`, `pid` are required (as in the reference). `device_id` is optional.
// - `srt` is optional. Only its first entry is used, like the reference. A body without one (an RTMP-only
//   origin, or SRS with `heartbeat.ports off`) is still a valid heartbeat: it is accepted (the controller answers
//   code 0) and yields `srt: undefined`, so the registry does not route SRT callers to it.
// - `rtmp` is not required (unlike the reference, which refuses SRT-only origins); it and every other field
//   (`http`, `api`, `rtc`, `summaries`, ...) are ignored, so a newer SRS that adds fields keeps working.
// - Hosts must be IP literals (IPv4, or IPv6 with or without brackets): SRS sends `SRS_DEVICE_IP` or its own
//   interface address there, and a name would need DNS on the registration path and could change under a live
//   stream. IPv6 `ip` values are returned without brackets.
// Every check returns an error naming the field; nothing here throws on any JSON value.

import { isIP } from 'node:net';

export interface Heartbeat {
  readonly serverId: string;
  readonly serviceId: string;
  readonly pid: string;
  readonly deviceId?: string;
  readonly ip: string;
  /**
   * The origin's SRT endpoint: host = the `ip` field (the srt entry's own host only if it is a concrete,
   * non-wildcard address), port from the `srt` array; undefined when the body has no srt entry (RTMP-only).
   */
  readonly srt?: { readonly host: string; readonly port: number };
}

export type HeartbeatResult = { ok: true; value: Heartbeat } | { ok: false; error: string };

/** Identifiers are short in every SRS version (random 8-12 characters, a device id from the config). */
const MAX_ID_LENGTH = 128;
/** The longest IPv6 literal with an embedded IPv4 and brackets is 47 characters; zone ids make it a bit longer. */
const MAX_HOST_LENGTH = 64;
const MAX_ENDPOINT_LENGTH = 300;
/** Longest value echoed back in an error message. */
const MAX_SHOWN = 64;

const PRINTABLE = /^[\x21-\x7e]+$/;
const DIGITS = /^\d{1,5}$/;

export function parseHeartbeat(body: unknown): HeartbeatResult {
  try {
    return parseFields(body);
  } catch {
    // Only a non-JSON value (a proxy object, a throwing getter) can get here; a parsed JSON body never does.
    return fail('the body could not be read as a heartbeat');
  }
}

function parseFields(body: unknown): HeartbeatResult {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return fail(`the body must be a JSON object, not ${describeType(body)}`);
  }
  const fields = body as Record<string, unknown>;

  const ip = requiredString(fields, 'ip', MAX_HOST_LENGTH);
  if (!ip.ok) return ip;
  const host = parseHost(ip.value);
  if (host === undefined) return fail(`"ip" ${show(ip.value)} is not an IPv4 or IPv6 address`);

  const serverId = requiredString(fields, 'server', MAX_ID_LENGTH);
  if (!serverId.ok) return serverId;
  const serviceId = requiredString(fields, 'service', MAX_ID_LENGTH);
  if (!serviceId.ok) return serviceId;
  const pid = pidOf(fields);
  if (!pid.ok) return pid;
  const deviceId = optionalString(fields, 'device_id', MAX_ID_LENGTH);
  if (!deviceId.ok) return deviceId;

  const srt = srtOf(fields, host);
  if (!srt.ok) return srt;

  const value: Heartbeat = {
    serverId: serverId.value,
    serviceId: serviceId.value,
    pid: pid.value,
    ...(deviceId.value === undefined ? {} : { deviceId: deviceId.value }),
    ip: host,
    ...(srt.value === undefined ? {} : { srt: srt.value }),
  };
  return { ok: true, value };
}

type Field<T> = { ok: true; value: T } | { ok: false; error: string };

function fail(error: string): { ok: false; error: string } {
  return { ok: false, error };
}

function requiredString(fields: Record<string, unknown>, name: string, maxLength: number): Field<string> {
  const value = optionalString(fields, name, maxLength);
  if (!value.ok) return value;
  if (value.value === undefined) return fail(`missing "${name}"`);
  return { ok: true, value: value.value };
}

/** Absent, null and "" all mean "not given" (SRS writes "" for an unset device_id). */
function optionalString(fields: Record<string, unknown>, name: string, maxLength: number): Field<string | undefined> {
  const raw = Object.hasOwn(fields, name) ? fields[name] : undefined;
  if (raw === undefined || raw === null || raw === '') return { ok: true, value: undefined };
  if (typeof raw !== 'string') return fail(`"${name}" must be a string, not ${describeType(raw)}`);
  if (raw.length > maxLength) return fail(`"${name}" is longer than ${maxLength} characters`);
  if (!PRINTABLE.test(raw)) return fail(`"${name}" ${show(raw)} must be printable ASCII without spaces`);
  return { ok: true, value: raw };
}

/** SRS sends the pid as a string; a whole number is accepted too, for hand-written registrations. */
function pidOf(fields: Record<string, unknown>): Field<string> {
  const raw = Object.hasOwn(fields, 'pid') ? fields.pid : undefined;
  if (typeof raw === 'number') {
    if (!Number.isSafeInteger(raw) || raw < 0) return fail(`"pid" ${show(String(raw))} is not a process id`);
    return { ok: true, value: String(raw) };
  }
  return requiredString(fields, 'pid', MAX_ID_LENGTH);
}

function srtOf(fields: Record<string, unknown>, ip: string): Field<Heartbeat['srt']> {
  const raw = Object.hasOwn(fields, 'srt') ? fields.srt : undefined;
  if (raw === undefined || raw === null) return { ok: true, value: undefined };
  if (!Array.isArray(raw)) return fail(`"srt" must be an array of endpoints, not ${describeType(raw)}`);
  if (raw.length === 0) return { ok: true, value: undefined };
  const first: unknown = raw[0];
  if (typeof first !== 'string') return fail(`"srt[0]" must be a string, not ${describeType(first)}`);
  const endpoint = parseEndpoint(first);
  if (typeof endpoint === 'string') return fail(`"srt[0]" ${show(first)}: ${endpoint}`);
  const host = endpoint.host !== undefined && !isWildcard(endpoint.host) ? endpoint.host : ip;
  if (isWildcard(host)) {
    return fail(`"ip" ${show(ip)} is a wildcard address and "srt[0]" names no concrete host: no address to route to`);
  }
  return { ok: true, value: { host, port: endpoint.port } };
}

interface Endpoint {
  readonly host: string | undefined;
  readonly port: number;
}

/**
 * The listen-endpoint forms SRS has written over its versions: `"10080"`, `"ip:port"`, `"udp://ip:port"`,
 * `"udp://:port"`, `"udp://port"` and the legacy `"udp:ip:port"`. IPv6 hosts need brackets (`udp://[::1]:10080`).
 * Returns a reason on failure.
 */
function parseEndpoint(text: string): Endpoint | string {
  if (text.length > MAX_ENDPOINT_LENGTH) return `longer than ${MAX_ENDPOINT_LENGTH} characters`;
  let rest = text.trim();
  // With "//" any scheme is recognised (and all but udp/srt refused); without it only the legacy "udp:" prefix.
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):(\/\/)?/.exec(rest);
  if (scheme !== null && (scheme[2] !== undefined || isSchemeName(scheme[1]!))) {
    if (scheme[1]!.toLowerCase() !== 'udp' && scheme[1]!.toLowerCase() !== 'srt') {
      return `an SRT endpoint must be UDP, not "${scheme[1]}"`;
    }
    rest = rest.slice(scheme[0].length);
  }
  if (DIGITS.test(rest)) return portOnly(rest);
  const colon = rest.lastIndexOf(':');
  if (colon < 0) return 'expected "port", "host:port" or "udp://host:port"';
  const hostText = rest.slice(0, colon);
  const port = parsePort(rest.slice(colon + 1));
  if (typeof port === 'string') return port;
  if (hostText === '') return { host: undefined, port };
  const host = parseHost(hostText);
  if (host === undefined) return `"${truncate(hostText)}" is not an IPv4 or IPv6 address (IPv6 needs [brackets])`;
  if (isIP(host) === 6 && !hostText.startsWith('[')) return 'an IPv6 host needs [brackets] before the port';
  return { host, port };
}

function isSchemeName(name: string): boolean {
  const lower = name.toLowerCase();
  return lower === 'udp' || lower === 'tcp' || lower === 'srt';
}

function portOnly(text: string): Endpoint | string {
  const port = parsePort(text);
  return typeof port === 'string' ? port : { host: undefined, port };
}

function parsePort(text: string): number | string {
  if (!DIGITS.test(text)) return `port "${truncate(text)}" is not a number from 1 to 65535`;
  const port = Number(text);
  if (port < 1 || port > 65535) return `port ${port} is out of range 1-65535`;
  return port;
}

/** An IPv4 or IPv6 literal (brackets allowed and removed); undefined for anything else. */
function parseHost(text: string): string | undefined {
  if (text.length === 0 || text.length > MAX_HOST_LENGTH) return undefined;
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  return isIP(bare) !== 0 ? bare : undefined;
}

/** 0.0.0.0 and every spelling of :: (a listener's "any address", never a destination). */
function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || (isIP(host) === 6 && /^[0:]+$/.test(host));
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function truncate(text: string): string {
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}...` : text;
}

function show(text: string): string {
  return JSON.stringify(truncate(text));
}
