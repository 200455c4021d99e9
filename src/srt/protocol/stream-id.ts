/**
 * SRT Stream ID -> (vhost, app, stream, mode) and the balancer's stickiness key.
 *
 * Accepted forms (SRS `srs_srt_streamid_info` semantics unless noted):
 *   plain   `stream`                     app = defaultApp, mode request
 *   plain   `app/stream[?k=v&k2=v2]`     mode request (SRS makes every plain id a player; `?m=publish` is a param)
 *   libsrt  `#!::r=app/stream,...`       or `r=stream` (default app)
 *   libsrt  `#!::h=app/stream,...`       legacy SRS: h with one '/'
 *   libsrt  `#!::h=vhost/app/stream,...` legacy SRS: h with two '/'
 *   libsrt  `#!::h=vhost,r=app/stream`   h without '/' names the vhost
 * In the `#!::` form the items are separated by ',' and, as SRS does, also by '?', '&' and ';' (so
 * `r=live/x?secret=1&k=v` and `h=live/x?secret=1,m=publish` work). Keys are matched exactly: r, h, m and u are
 * consumed; every other key (s, t, custom ones) is kept in `params`, in order.
 *
 * Decisions where SRS or libsrt leave room:
 *   - The key is `vhost/app/stream` only; mode, user and params never change it, so a publisher and its players
 *     land on the same origin whatever tokens they carry.
 *   - Paths with more than two segments (plain `a/b/c`, `r=a/b/c`, `h=v/a/b/c`) are BAD_FORMAT. SRS would read
 *     them as app `a`, stream `b/c`, while SLS-style clients mean vhost/app/stream; guessing either way would give
 *     the proxy a different idea of the stream than one of them, so the caller gets a clear 2400 instead.
 *   - Both `r=` and `h=<path>`: r wins for the path and h still supplies its vhost (what SRS does, so the key
 *     matches the stream SRS serves).
 *   - r, h, m or u given twice is BAD_FORMAT: SRS keeps the last one, a naive parser the first, and an id that
 *     means different streams to the proxy and to the origin must not be routed. Other keys may repeat.
 *   - An empty `r=`, `h=` or `u=` counts as absent; an empty `m=` is BAD_MODE; an item without '=' is a param with
 *     an empty value (SRS does the same); an item with an empty key is BAD_FORMAT.
 *   - vhost is lowercased. Like the reference proxy's BuildStreamURL, an IP literal or a name without a dot
 *     (`localhost`, `__defaultVhost__`) becomes defaultVhost: SRS falls back to its default vhost for such names,
 *     and callers often put the address they dial into h=.
 *   - Names are restricted so the key is safe in Redis keys, metrics labels and log lines: app and stream
 *     [A-Za-z0-9._~-], vhost [A-Za-z0-9._-] (hostname characters), param keys [A-Za-z0-9._~-]; segments made only
 *     of dots are refused. Param values and the user may hold any printable character (they never reach the key)
 *     and are kept raw, not percent-decoded (ffmpeg 5.1 sends them verbatim).
 *   - Control characters (C0, DEL, C1), Unicode line separators, bidi controls, BOM and lone surrogates are refused
 *     anywhere in the id (INVALID_CHARACTERS): they would let a caller forge or reorder log output.
 *   - libsrt's nested `#!{...}` form is BAD_FORMAT (nothing in the SRS world sends it).
 * Options are trusted configuration (validated where it is loaded), not caller input.
 */
import { err, ok, type Result } from './result.js';
import { StreamIdError, type StreamIdErrorCode } from './stream-id-error.js';

export { StreamIdError, type StreamIdErrorCode } from './stream-id-error.js';

export type StreamMode = 'publish' | 'request';

export interface StreamId {
  readonly vhost: string;
  readonly app: string;
  readonly stream: string;
  readonly mode: StreamMode;
  readonly user?: string;
  readonly params: ReadonlyArray<readonly [string, string]>;
  readonly key: string;
}

export interface StreamIdOptions {
  defaultVhost?: string;
  defaultApp?: string;
}

/** libsrt's MAX_SID_LENGTH: a caller cannot send more, a listener treats more as a protocol error. */
export const MAX_STREAM_ID_BYTES = 512;
export const DEFAULT_VHOST = '__defaultVhost__';
export const DEFAULT_APP = 'live';

const LIBSRT_PREFIX = '#!::';
const VHOST = /^[A-Za-z0-9._-]+$/;
const PARAM_KEY = /^[A-Za-z0-9._~-]+$/;
const ONLY_DOTS = /^\.+$/;
const IPV4_LITERAL = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const IPV6_LITERAL = /^\[?[0-9A-Fa-f]*:[0-9A-Fa-f:.]*\]?$/;

/** The `#!::` form's item separators: ',' and, as SRS reads it, '?', '&' and ';'. */
function isLibsrtSeparator(c: number): boolean {
  return c === 0x2c || c === 0x3f || c === 0x26 || c === 0x3b;
}

type Failure = { readonly ok: false; readonly error: StreamIdError };

function fail(code: StreamIdErrorCode, message: string): Failure {
  return err(new StreamIdError(code, message));
}

interface Defaults {
  readonly vhost: string;
  readonly app: string;
}

const DEFAULTS: Defaults = { vhost: DEFAULT_VHOST, app: DEFAULT_APP };
/** What an id without params holds (frozen, as every id's params are): one for all of them. */
const NO_PARAMS: ReadonlyArray<readonly [string, string]> = Object.freeze([]);

export function parseStreamId(text: string, options?: StreamIdOptions): Result<StreamId, StreamIdError> {
  // Typed as string, but the value comes off the wire through other code: a wrong type must still not throw.
  if (typeof text !== 'string') return fail('BAD_FORMAT', 'stream id is not a string');
  if (text.length === 0) return fail('EMPTY', 'empty stream id');
  // Each UTF-16 unit is at least one UTF-8 byte, so a long string is refused before it is scanned.
  if (text.length > MAX_STREAM_ID_BYTES) return fail('TOO_LONG', `stream id longer than ${MAX_STREAM_ID_BYTES} UTF-8 bytes`);
  // One pass for both checks; a non-negative result is the UTF-8 length.
  const bytes = utf8LengthIfSafe(text);
  if (bytes > MAX_STREAM_ID_BYTES || bytes === UNSAFE_TOO_LONG) {
    return fail('TOO_LONG', `stream id longer than ${MAX_STREAM_ID_BYTES} UTF-8 bytes`);
  }
  if (bytes === UNSAFE) {
    return fail('INVALID_CHARACTERS', 'stream id contains control, separator or bidi characters');
  }
  const defaults: Defaults =
    options === undefined ? DEFAULTS : { vhost: options.defaultVhost ?? DEFAULT_VHOST, app: options.defaultApp ?? DEFAULT_APP };
  if (text.startsWith(LIBSRT_PREFIX)) return parseLibsrt(text.slice(LIBSRT_PREFIX.length), defaults);
  if (text.startsWith('#!')) return fail('BAD_FORMAT', "only libsrt's '#!::' key=value form is supported");
  return parsePlain(text, defaults);
}

function parsePlain(text: string, defaults: Defaults): Result<StreamId, StreamIdError> {
  const q = text.indexOf('?');
  const path = q < 0 ? text : text.slice(0, q);
  const params: Array<readonly [string, string]> = [];
  if (q >= 0) {
    for (const item of text.slice(q + 1).split('&')) {
      if (item === '') continue;
      const pair = splitItem(item);
      if (!pair.ok) return pair;
      params.push(pair.value);
    }
  }
  if (path === '') return fail('NO_RESOURCE', 'stream id has no app/stream path');
  return resolve(defaults.vhost, path, defaults.app, 'request', undefined, params);
}

function parseLibsrt(body: string, defaults: Defaults): Result<StreamId, StreamIdError> {
  // The routing keys r, h, m and u in locals, every other key a param: no map or pair object per item.
  let r: string | undefined;
  let h: string | undefined;
  let m: string | undefined;
  let u: string | undefined;
  // Made for the first param only: most ids have none.
  let params: Array<readonly [string, string]> | undefined;
  // Items cut straight out of the body (no array of items, no item strings): every CONCLUSION comes here.
  const end = body.length;
  for (let start = 0, stop = 0; start < end; start = stop + 1) {
    let eq = -1;
    for (stop = start; stop < end; stop++) {
      const c = body.charCodeAt(stop);
      if (isLibsrtSeparator(c)) break;
      if (c === 0x3d && eq < 0) eq = stop;
    }
    if (stop === start) continue;
    const key = eq < 0 ? body.slice(start, stop) : body.slice(start, eq);
    const value = eq < 0 ? '' : body.slice(eq + 1, stop);
    if (key === 'r' || key === 'h' || key === 'm' || key === 'u') {
      const repeated = key === 'r' ? r !== undefined : key === 'h' ? h !== undefined : key === 'm' ? m !== undefined : u !== undefined;
      if (repeated) return fail('BAD_FORMAT', `key '${key}' given more than once`);
      if (key === 'r') r = value;
      else if (key === 'h') h = value;
      else if (key === 'm') m = value;
      else u = value;
      continue;
    }
    const bad = badKey(key);
    if (bad !== undefined) return bad;
    (params ??= []).push([key, value] as const);
  }

  let mode: StreamMode = 'request';
  if (m === 'publish' || m === 'request') {
    mode = m;
  } else if (m !== undefined) {
    const lower = m.toLowerCase();
    if (lower !== 'publish' && lower !== 'request') return fail('BAD_MODE', "m= must be 'publish' or 'request'");
    mode = lower;
  }

  let vhostText: string | undefined;
  let hostPath: string | undefined;
  if (h !== undefined && h !== '') {
    const parts = h.split('/');
    if (parts.length === 1) {
      vhostText = h;
    } else if (parts.length === 2) {
      hostPath = h;
    } else if (parts.length === 3) {
      vhostText = parts[0];
      hostPath = `${parts[1]}/${parts[2]}`;
      if (vhostText === '') return fail('BAD_FORMAT', 'h= has an empty vhost before its app/stream');
    } else {
      return fail('BAD_FORMAT', 'h= has more than vhost/app/stream');
    }
  }

  const path = r !== undefined && r !== '' ? r : hostPath;
  if (path === undefined) return fail('NO_RESOURCE', 'stream id has neither r= nor h= with an app/stream');

  let vhost = defaults.vhost;
  if (vhostText !== undefined) {
    const resolved = resolveVhost(vhostText, defaults.vhost);
    if (!resolved.ok) return resolved;
    vhost = resolved.value;
  }
  return resolve(vhost, path, defaults.app, mode, u !== undefined && u !== '' ? u : undefined, params);
}

/** A key=value item's key that cannot be one: empty, or characters outside [A-Za-z0-9._~-]. */
function badKey(key: string): Failure | undefined {
  if (key === '') return fail('BAD_FORMAT', 'a key=value item has no key');
  if (!PARAM_KEY.test(key)) return fail('INVALID_CHARACTERS', 'a key has characters outside [A-Za-z0-9._~-]');
  return undefined;
}

function splitItem(item: string): Result<readonly [string, string], StreamIdError> {
  const eq = item.indexOf('=');
  const key = eq < 0 ? item : item.slice(0, eq);
  const bad = badKey(key);
  if (bad !== undefined) return bad;
  return ok([key, eq < 0 ? '' : item.slice(eq + 1)] as const);
}

/** The id from its `app/stream` or `stream` path (app, then stream, checked in that order). */
function resolve(
  vhost: string,
  path: string,
  defaultApp: string,
  mode: StreamMode,
  user: string | undefined,
  params: Array<readonly [string, string]> | undefined,
): Result<StreamId, StreamIdError> {
  const slash = path.indexOf('/');
  if (slash >= 0 && path.indexOf('/', slash + 1) >= 0) return fail('BAD_FORMAT', 'resource has more than app/stream');
  const app = slash >= 0 ? path.slice(0, slash) : defaultApp;
  const stream = slash >= 0 ? path.slice(slash + 1) : path;
  const bad = badName(app, 'app') ?? badName(stream, 'stream');
  if (bad !== undefined) return bad;
  return ok(build(vhost, app, stream, mode, user, params));
}

/** The verdicts of /^\.+$/ and /^[A-Za-z0-9._~-]+$/, in that order, in one pass without a regular expression (every CONCLUSION checks two names). */
function badName(name: string, what: string): Failure | undefined {
  if (name === '') return fail('BAD_FORMAT', `empty ${what} name`);
  let dots = true;
  let valid = true;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 0x2e) continue;
    dots = false;
    if (!isNameCharacter(c)) valid = false;
  }
  if (dots) return fail('BAD_FORMAT', `${what} name made only of dots`);
  if (!valid) return fail('INVALID_CHARACTERS', `${what} name has characters outside [A-Za-z0-9._~-]`);
  return undefined;
}

/** [A-Za-z0-9_~-] (a name character but the dot, which badName counts apart). */
function isNameCharacter(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f || c === 0x7e || c === 0x2d;
}

function resolveVhost(text: string, defaultVhost: string): Result<string, StreamIdError> {
  if (IPV4_LITERAL.test(text) || IPV6_LITERAL.test(text)) return ok(defaultVhost);
  if (ONLY_DOTS.test(text)) return fail('BAD_FORMAT', 'vhost made only of dots');
  if (!VHOST.test(text)) return fail('INVALID_CHARACTERS', 'vhost has characters outside [A-Za-z0-9._-]');
  if (!text.includes('.')) return ok(defaultVhost);
  return ok(text.toLowerCase());
}

function build(
  vhost: string,
  app: string,
  stream: string,
  mode: StreamMode,
  user: string | undefined,
  params: Array<readonly [string, string]> | undefined,
): StreamId {
  const key = `${vhost}/${app}/${stream}`;
  const frozen = params === undefined || params.length === 0 ? NO_PARAMS : Object.freeze(params);
  // Without a user there is no `user` field at all (not an undefined one).
  const id: StreamId =
    user !== undefined ? { vhost, app, stream, mode, user, params: frozen, key } : { vhost, app, stream, mode, params: frozen, key };
  return Object.freeze(id);
}

const UNSAFE = -1;
/** Unsafe characters and more than MAX_STREAM_ID_BYTES: TOO_LONG is reported first. */
const UNSAFE_TOO_LONG = -2;

/**
 * The UTF-8 length as Buffer.byteLength counts it (a lone surrogate becomes the 3-byte U+FFFD), or UNSAFE when the
 * text holds a character the id must not: C0 and C1 controls, DEL, LRM/RLM, U+2028..U+202E, U+2066..U+2069, BOM,
 * lone surrogates (UNSAFE_TOO_LONG when it is also too long). One pass instead of a regular expression and a count.
 */
function utf8LengthIfSafe(text: string): number {
  let bytes = 0;
  let unsafe = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      bytes += 1;
      if (c < 0x20 || c === 0x7f) unsafe = true;
    } else if (c < 0x800) {
      bytes += 2;
      if (c <= 0x9f) unsafe = true;
    } else if (c >= 0xd800 && c <= 0xdbff) {
      const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
        unsafe = true;
      }
    } else {
      bytes += 3;
      if (
        (c >= 0xdc00 && c <= 0xdfff) ||
        c === 0x200e ||
        c === 0x200f ||
        (c >= 0x2028 && c <= 0x202e) ||
        (c >= 0x2066 && c <= 0x2069) ||
        c === 0xfeff
      ) {
        unsafe = true;
      }
    }
  }
  if (!unsafe) return bytes;
  return bytes > MAX_STREAM_ID_BYTES ? UNSAFE_TOO_LONG : UNSAFE;
}
