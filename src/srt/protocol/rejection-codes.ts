// Handshake rejection reasons. libsrt API values are 0..2999; on the wire the Handshake Type
// carries API + 1000 (URQ_FAILURE_TYPES), so SRT_REJX_FORBIDDEN (1403) travels as 2403.

/** libsrt internal reasons (srt.h SRT_REJ_*), API 0..17, wire 1000..1017. */
export const SRT_REJ = {
  UNKNOWN: 0,
  SYSTEM: 1,
  PEER: 2,
  RESOURCE: 3,
  ROGUE: 4,
  BACKLOG: 5,
  IPE: 6,
  CLOSE: 7,
  VERSION: 8,
  RDVCOOKIE: 9,
  BADSECRET: 10,
  UNSECURE: 11,
  MESSAGEAPI: 12,
  CONGESTION: 13,
  FILTER: 14,
  GROUP: 15,
  TIMEOUT: 16,
  CRYPTO: 17,
} as const;

/** Application reasons (access_control.h SRT_REJX_*), API 1000..1999 (HTTP-like), wire 2000..2999. */
export const SRT_REJX = {
  FALLBACK: 1000,
  KEY_NOTSUP: 1001,
  FILEPATH: 1002,
  HOSTNOTFOUND: 1003,
  BAD_REQUEST: 1400,
  UNAUTHORIZED: 1401,
  OVERLOAD: 1402,
  FORBIDDEN: 1403,
  NOTFOUND: 1404,
  BAD_MODE: 1405,
  UNACCEPTABLE: 1406,
  CONFLICT: 1409,
  NOTSUP_MEDIA: 1415,
  LOCKED: 1423,
  FAILED_DEPEND: 1424,
  ISE: 1500,
  UNIMPLEMENTED: 1501,
  GW: 1502,
  DOWN: 1503,
  VERSION: 1505,
  NOROOM: 1507,
} as const;

/** API values 2000..2999 are free for applications (SRT_REJC_USERDEFINED). */
export const USER_REJECTION_MIN = 2000;
export const USER_REJECTION_MAX = 2999;

const WIRE_OFFSET = 1000;

/**
 * Wire (Handshake Type) values the proxy itself sends, each SRT_REJX_* + 1000, so that libsrt
 * callers report them as "application-defined rejection" with the HTTP-like code.
 */
export const ProxyRejection = {
  BAD_REQUEST: 2400,
  UNAUTHORIZED: 2401,
  OVERLOAD: 2402,
  FORBIDDEN: 2403,
  NOT_FOUND: 2404,
  BAD_GATEWAY: 2502,
  DOWN: 2503,
} as const;
export type ProxyRejection = (typeof ProxyRejection)[keyof typeof ProxyRejection];

export interface RejectionCode {
  /** libsrt constant name, e.g. 'SRT_REJX_FORBIDDEN'. */
  readonly name: string;
  /** Value of srt_getrejectreason() / srt_setrejectreason(). */
  readonly api: number;
  /** Handshake Type value on the wire. */
  readonly wire: number;
}

/** Every named code, for tables, metrics labels and docs. */
export const REJECTION_CODES: readonly RejectionCode[] = [
  ...Object.entries(SRT_REJ).map(([name, api]) => ({ name: `SRT_REJ_${name}`, api, wire: api + WIRE_OFFSET })),
  ...Object.entries(SRT_REJX).map(([name, api]) => ({ name: `SRT_REJX_${name}`, api, wire: api + WIRE_OFFSET })),
];

const BY_API: ReadonlyMap<number, RejectionCode> = new Map(REJECTION_CODES.map((code) => [code.api, code]));

/** API reason to Handshake Type value; RangeError outside libsrt's 0..2999. */
export function rejectionToWire(api: number): number {
  if (!Number.isInteger(api) || api < 0 || api > USER_REJECTION_MAX) {
    throw new RangeError(`rejection reason ${api} is outside 0..${USER_REJECTION_MAX}`);
  }
  return api + WIRE_OFFSET;
}

/**
 * Reason carried by a rejection's Handshake Type, or undefined when the value is not a rejection
 * (outside 1000..3999). Codes without a libsrt name get their category (libsrt SRT_REJC_*) as a
 * name, e.g. 'SRT_REJC_USERDEFINED(2042)'.
 */
export function rejectionFromWire(wire: number): { readonly api: number; readonly name: string } | undefined {
  if (!Number.isInteger(wire) || wire < WIRE_OFFSET || wire > USER_REJECTION_MAX + WIRE_OFFSET) return undefined;
  const api = wire - WIRE_OFFSET;
  const known = BY_API.get(api);
  if (known !== undefined) return { api, name: known.name };
  const category = api >= USER_REJECTION_MIN ? 'USERDEFINED' : api >= 1000 ? 'PREDEFINED' : 'INTERNAL';
  return { api, name: `SRT_REJC_${category}(${api})` };
}
