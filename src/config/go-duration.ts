const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000001 };

/**
 * Parses a Go `time.Duration` string (`300s`, `1m30s`, `500ms`) as the reference proxy's `PROXY_ORIGIN_SERVER_TTL`
 * takes it. Returns whole milliseconds, or undefined when the text is not a duration.
 */
export function parseGoDuration(text: string): number | undefined {
  const value = text.trim();
  if (!/^(\d+(\.\d+)?(h|ms|m|s|us|µs|ns))+$/.test(value)) return undefined;
  let total = 0;
  for (const part of value.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g)) total += Number(part[1]) * UNIT_MS[part[2]!]!;
  return Math.round(total);
}
