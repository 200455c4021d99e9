/**
 * Go's `time.ParseDuration` syntax, which the reference proxy uses for its timeouts (`PROXY_GRACE_QUIT_TIMEOUT=20s`,
 * `PROXY_ORIGIN_SERVER_TTL=300s`): an optional sign, then one or more decimal numbers (fraction allowed), each with
 * a unit `ns`, `us` (or `µs`), `ms`, `s`, `m`, `h`, as in `1m30s` or `1.5h`. A bare `0` is the only value allowed
 * without a unit, as in Go.
 *
 * Returns milliseconds (fractional below 1 ms; negative when the text says so: callers decide what they accept), or
 * an error message to show next to the variable.
 */
export function parseGoDuration(text: string): number | string {
  const value = text.trim();
  if (value === '0' || value === '+0' || value === '-0') return 0;
  const sign = value.startsWith('-') ? -1 : 1;
  const body = value.startsWith('-') || value.startsWith('+') ? value.slice(1) : value;
  if (body.length === 0) return EXPECTED;
  let total = 0;
  let rest = body;
  while (rest.length > 0) {
    const part = PART.exec(rest);
    if (part === null) return /^[0-9.]+$/.test(rest) ? `missing unit in "${value}" (${UNITS_TEXT})` : EXPECTED;
    const [whole, digits, unit] = part as unknown as [string, string, string];
    if (digits === '' || digits === '.') return EXPECTED;
    const msPerUnit = UNIT_MS[unit];
    if (msPerUnit === undefined) return `unknown unit "${unit}" in "${value}" (${UNITS_TEXT})`;
    total += Number(digits) * msPerUnit;
    rest = rest.slice(whole.length);
  }
  if (!Number.isFinite(total)) return `"${value}" is out of range`;
  return sign * total;
}

const PART = /^(\d*\.?\d*)([^\d.]+)/;

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3, // U+00B5 micro sign
  'μs': 1e-3, // U+03BC Greek mu
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const UNITS_TEXT = 'units: ns, us, ms, s, m, h';
const EXPECTED = `expected a Go duration such as 20s, 1m30s or 500ms (${UNITS_TEXT})`;
