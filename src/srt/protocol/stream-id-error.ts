/**
 * EMPTY              the caller sent a zero-length stream id.
 * TOO_LONG           more than MAX_STREAM_ID_BYTES UTF-8 bytes (libsrt's own limit, so no real caller sends it).
 * INVALID_CHARACTERS a character the proxy refuses to carry into keys and logs: control, bidi or line-separator
 *                    characters anywhere, or anything outside the safe set in a vhost, app, stream or key name.
 * BAD_FORMAT         well-formed characters in an impossible shape: empty or dot-only path segments, too many
 *                    segments, a duplicated routing key, an item without a key, libsrt's unsupported nested form.
 * NO_RESOURCE        nothing names a stream (no `r=`, no `h=` with a path, empty plain path).
 * BAD_MODE           `m=` other than publish/request (SRS refuses those too).
 */
export type StreamIdErrorCode =
  | 'EMPTY'
  | 'NO_RESOURCE'
  | 'BAD_MODE'
  | 'TOO_LONG'
  | 'INVALID_CHARACTERS'
  | 'BAD_FORMAT';

/**
 * Returned (never thrown) by parseStreamId: a bad stream id is caller input, answered with a rejection code and
 * counted by `code`. Messages never echo the input, so logging one cannot inject attacker-chosen text.
 */
export class StreamIdError extends Error {
  readonly code: StreamIdErrorCode;

  constructor(code: StreamIdErrorCode, message: string) {
    // Returned, never thrown: no stack to capture. Capturing one cost ~30 us, a third of a refused handshake.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
    this.name = 'StreamIdError';
    this.code = code;
  }
}
