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
const NAME = /^[A-Za-z0-9._~-]+$/;
const VHOST = /^[A-Za-z0-9._-]+$/;
const PARAM_KEY = /^[A-Za-z0-9._~-]+$/;
const ONLY_DOTS = /^\.+$/;
const IPV4_LITERAL = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const IPV6_LITERAL = /^\[?[0-9A-Fa-f]*:[0-9A-Fa-f:.]*\]?$/;
const LIBSRT_SEPARATORS = /[,?&;]/;
const UNSAFE_CHARACTERS =
  /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

type Failure = { readonly ok: false; readonly error: StreamIdError };

function fail(code: StreamIdErrorCode, message: string): Failure {
  return err(new StreamIdError(code, message));
}

interface Defaults {
  readonly vhost: string;
  readonly app: string;
}

export function parseStreamId(text: string, options?: StreamIdOptions): Result<StreamId, StreamIdError> {
  // Typed as string, but the value comes off the wire through other code: a wrong type must still not throw.
  if (typeof text !== 'string') return fail('BAD_FORMAT', 'stream id is not a string');
  if (text.length === 0) return fail('EMPTY', 'empty stream id');
  // Each UTF-16 unit is at least one UTF-8 byte, so a long string is refused before it is scanned.
  if (text.length > MAX_STREAM_ID_BYTES || utf8ByteLength(text) > MAX_STREAM_ID_BYTES) {
    return fail('TOO_LONG', `stream id longer than ${MAX_STREAM_ID_BYTES} UTF-8 bytes`);
  }
  if (UNSAFE_CHARACTERS.test(text)) {
    return fail('INVALID_CHARACTERS', 'stream id contains control, separator or bidi characters');
  }
  const defaults: Defaults = {
    vhost: options?.defaultVhost ?? DEFAULT_VHOST,
    app: options?.defaultApp ?? DEFAULT_APP,
  };
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
  const resource = parseResource(path, defaults.app);
  if (!resource.ok) return resource;
  return ok(build(defaults.vhost, resource.value.app, resource.value.stream, 'request', undefined, params));
}

const ROUTING_KEYS = new Set(['r', 'h', 'm', 'u']);

function parseLibsrt(body: string, defaults: Defaults): Result<StreamId, StreamIdError> {
  const routing = new Map<string, string>();
  const params: Array<readonly [string, string]> = [];
  for (const item of body.split(LIBSRT_SEPARATORS)) {
    if (item === '') continue;
    const pair = splitItem(item);
    if (!pair.ok) return pair;
    const [key, value] = pair.value;
    if (!ROUTING_KEYS.has(key)) {
      params.push(pair.value);
      continue;
    }
    if (routing.has(key)) return fail('BAD_FORMAT', `key '${key}' given more than once`);
    routing.set(key, value);
  }

  let mode: StreamMode = 'request';
  const m = routing.get('m');
  if (m !== undefined) {
    const lower = m.toLowerCase();
    if (lower !== 'publish' && lower !== 'request') return fail('BAD_MODE', "m= must be 'publish' or 'request'");
    mode = lower;
  }

  let vhostText: string | undefined;
  let hostPath: string | undefined;
  const h = routing.get('h');
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

  const r = routing.get('r');
  const path = r !== undefined && r !== '' ? r : hostPath;
  if (path === undefined) return fail('NO_RESOURCE', 'stream id has neither r= nor h= with an app/stream');

  let vhost = defaults.vhost;
  if (vhostText !== undefined) {
    const resolved = resolveVhost(vhostText, defaults.vhost);
    if (!resolved.ok) return resolved;
    vhost = resolved.value;
  }
  const resource = parseResource(path, defaults.app);
  if (!resource.ok) return resource;
  const u = routing.get('u');
  const user = u !== undefined && u !== '' ? u : undefined;
  return ok(build(vhost, resource.value.app, resource.value.stream, mode, user, params));
}

function splitItem(item: string): Result<readonly [string, string], StreamIdError> {
  const eq = item.indexOf('=');
  const key = eq < 0 ? item : item.slice(0, eq);
  const value = eq < 0 ? '' : item.slice(eq + 1);
  if (key === '') return fail('BAD_FORMAT', 'a key=value item has no key');
  if (!PARAM_KEY.test(key)) return fail('INVALID_CHARACTERS', 'a key has characters outside [A-Za-z0-9._~-]');
  return ok([key, value] as const);
}

function parseResource(path: string, defaultApp: string): Result<{ app: string; stream: string }, StreamIdError> {
  const segments = path.split('/');
  if (segments.length > 2) return fail('BAD_FORMAT', 'resource has more than app/stream');
  const app = segments.length === 2 ? segments[0]! : defaultApp;
  const stream = segments[segments.length - 1]!;
  const appCheck = checkName(app, 'app');
  if (!appCheck.ok) return appCheck;
  const streamCheck = checkName(stream, 'stream');
  if (!streamCheck.ok) return streamCheck;
  return ok({ app, stream });
}

function checkName(name: string, what: string): Result<void, StreamIdError> {
  if (name === '') return fail('BAD_FORMAT', `empty ${what} name`);
  if (ONLY_DOTS.test(name)) return fail('BAD_FORMAT', `${what} name made only of dots`);
  if (!NAME.test(name)) return fail('INVALID_CHARACTERS', `${what} name has characters outside [A-Za-z0-9._~-]`);
  return ok(undefined);
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
  params: Array<readonly [string, string]>,
): StreamId {
  const id: StreamId = {
    vhost,
    app,
    stream,
    mode,
    ...(user !== undefined ? { user } : {}),
    params: Object.freeze(params),
    key: `${vhost}/${app}/${stream}`,
  };
  return Object.freeze(id);
}

/** Counts as Buffer.byteLength does (a lone surrogate becomes the 3-byte U+FFFD) without needing Buffer. */
function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    } else bytes += 3;
  }
  return bytes;
}
