// A strict reader of the Prometheus text exposition format 0.0.4, for tests that scrape GET /metrics: it throws on
// anything a Prometheus server would refuse (bad names, bad label syntax, bad numbers, samples without a TYPE,
// duplicate series, non-cumulative histogram buckets), and returns the samples for assertions.

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Family {
  readonly name: string;
  readonly type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  readonly help: string;
  readonly samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

export function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const seen = new Set<string>();
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    const where = `line ${i + 1} (${JSON.stringify(line.slice(0, 120))})`;
    if (line.trim() === '') return;
    if (line.startsWith('#')) {
      const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (meta === null) return; // a plain comment
      const [, kind, name, rest] = meta as unknown as [string, string, string, string];
      if (!NAME.test(name)) throw new Error(`${where}: bad metric name`);
      const family = families.get(name) ?? { name, type: 'untyped' as Family['type'], help: '', samples: [] };
      if (kind === 'TYPE') {
        if (!TYPES.has(rest)) throw new Error(`${where}: unknown type`);
        if (families.has(name) && families.get(name)!.samples.length > 0) throw new Error(`${where}: TYPE after samples`);
        families.set(name, { ...family, type: rest as Family['type'] });
      } else {
        families.set(name, { ...family, help: rest });
      }
      return;
    }
    const sample = parseSample(line, where);
    const family = familyOf(families, sample.name);
    if (family === undefined) throw new Error(`${where}: sample without a # TYPE line for its family`);
    const series = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`;
    if (seen.has(series)) throw new Error(`${where}: duplicate series`);
    seen.add(series);
    family.samples.push(sample);
  });
  for (const family of families.values()) {
    if (family.type === 'counter') {
      for (const s of family.samples) if (s.value < 0) throw new Error(`counter ${s.name} is negative`);
    }
    if (family.type === 'histogram') checkHistogram(family);
  }
  return families;
}

function familyOf(families: Map<string, Family>, sampleName: string): Family | undefined {
  const direct = families.get(sampleName);
  if (direct !== undefined) return direct;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!sampleName.endsWith(suffix)) continue;
    const family = families.get(sampleName.slice(0, -suffix.length));
    if (family !== undefined && (family.type === 'histogram' || family.type === 'summary')) return family;
  }
  return undefined;
}

function parseSample(line: string, where: string): Sample {
  const head = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line);
  if (head === null) throw new Error(`${where}: bad sample name`);
  const name = head[1]!;
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith('{')) {
    let i = 1;
    for (;;) {
      while (rest[i] === ' ') i++;
      if (rest[i] === '}') break;
      const labelName = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(rest.slice(i));
      if (labelName === null || !LABEL_NAME.test(labelName[0])) throw new Error(`${where}: bad label name`);
      i += labelName[0].length;
      if (rest[i] !== '=' || rest[i + 1] !== '"') throw new Error(`${where}: expected ="`);
      i += 2;
      let value = '';
      for (;;) {
        const c = rest[i];
        if (c === undefined) throw new Error(`${where}: unterminated label value`);
        if (c === '"') break;
        if (c === '\\') {
          const next = rest[i + 1];
          if (next === 'n') value += '\n';
          else if (next === '\\' || next === '"') value += next;
          else throw new Error(`${where}: bad escape \\${next}`);
          i += 2;
          continue;
        }
        value += c;
        i++;
      }
      i++;
      if (labelName[0] in labels) throw new Error(`${where}: label ${labelName[0]} twice`);
      labels[labelName[0]] = value;
      if (rest[i] === ',') i++;
      else if (rest[i] !== '}') throw new Error(`${where}: expected , or }`);
    }
    rest = rest.slice(i + 1);
  }
  const fields = rest.trim().split(/\s+/);
  if (!/^\s/.test(rest) || fields.length < 1 || fields.length > 2) throw new Error(`${where}: expected "value [timestamp]"`);
  const value = parseValue(fields[0]!);
  if (value === undefined) throw new Error(`${where}: bad value`);
  if (fields[1] !== undefined && !/^-?\d+$/.test(fields[1])) throw new Error(`${where}: bad timestamp`);
  return { name, labels, value };
}

/** As Prometheus reads them (Go's strconv.ParseFloat): NaN and Inf in any letter case; prom-client writes `Nan`. */
function parseValue(text: string): number | undefined {
  if (/^[+]?inf(inity)?$/i.test(text)) return Infinity;
  if (/^-inf(inity)?$/i.test(text)) return -Infinity;
  if (/^nan$/i.test(text)) return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}

function checkHistogram(family: Family): void {
  const groups = new Map<string, Sample[]>();
  for (const s of family.samples) {
    if (!s.name.endsWith('_bucket')) continue;
    const { le, ...others } = s.labels;
    if (le === undefined) throw new Error(`${s.name}: bucket without le`);
    const key = JSON.stringify(Object.entries(others).sort());
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  for (const [key, buckets] of groups) {
    const sorted = [...buckets].sort((a, b) => Number(a.labels.le === '+Inf' ? Infinity : a.labels.le) - Number(b.labels.le === '+Inf' ? Infinity : b.labels.le));
    for (let i = 1; i < sorted.length; i++) {
      if (sorted[i]!.value < sorted[i - 1]!.value) throw new Error(`${family.name}${key}: buckets are not cumulative`);
    }
    const inf = sorted[sorted.length - 1]!;
    if (inf.labels.le !== '+Inf') throw new Error(`${family.name}${key}: no +Inf bucket`);
    const count = family.samples.find((s) => s.name === `${family.name}_count` && JSON.stringify(Object.entries(s.labels).sort()) === key);
    if (count === undefined || count.value !== inf.value) throw new Error(`${family.name}${key}: _count differs from the +Inf bucket`);
  }
}

/** The value of the one sample of `name` whose labels include `labels`; throws when there is none or several. */
export function sampleValue(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number {
  const matches = [...families.values()]
    .flatMap((f) => f.samples)
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (matches.length !== 1) {
    throw new Error(`expected one sample ${name}${JSON.stringify(labels)}, found ${matches.length}: ${JSON.stringify(matches)}`);
  }
  return matches[0]!.value;
}
