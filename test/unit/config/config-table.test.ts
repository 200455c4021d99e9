/**
 * The README's configuration table is the one documentation of every variable: this test holds it to the zod schema
 * (same variables, same defaults) and its "reference alias" column to the alias code. It parses the table by its
 * header, so rows added by any issue are checked without touching this file.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { envSchema } from '../../../src/config/config.schema.js';
import { REFERENCE_ALIASES } from '../../../src/config/env-aliases.js';

/** dist/test/unit/config -> the repository root. */
const README = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../../README.md');

interface Row {
  readonly line: number;
  readonly variables: readonly string[];
  readonly defaultCell: string;
  readonly aliasCell: string;
}

function cells(line: string): string[] {
  // Split on pipes that are not escaped (`\|` is a literal pipe inside a cell).
  return line.trim().replace(/^\|/, '').replace(/\|$/, '').split(/(?<!\\)\|/).map((c) => c.trim());
}

function backticked(cell: string): string[] {
  return [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
}

/** The table whose header has the columns `variable`, `default` and `reference alias`. */
function configurationTable(markdown: string): Row[] {
  const lines = markdown.split('\n');
  const headerAt = lines.findIndex((l) => {
    const header = l.trim().startsWith('|') ? cells(l) : [];
    return header.includes('variable') && header.includes('default') && header.includes('reference alias');
  });
  assert.ok(headerAt >= 0, 'README.md has no table with the columns variable | ... | default | reference alias');
  const header = cells(lines[headerAt]!);
  const column = (name: string): number => header.indexOf(name);
  const rows: Row[] = [];
  for (let i = headerAt + 2; i < lines.length && lines[i]!.trim().startsWith('|'); i++) {
    const row = cells(lines[i]!);
    assert.equal(row.length, header.length, `README.md line ${i + 1}: ${row.length} cells, the header has ${header.length}`);
    const variables = backticked(row[column('variable')]!).filter((v) => /^[A-Z][A-Z0-9_]*$/.test(v));
    assert.ok(variables.length > 0, `README.md line ${i + 1}: no variable name in backticks`);
    rows.push({ line: i + 1, variables, defaultCell: row[column('default')]!, aliasCell: row[column('reference alias')]! });
  }
  return rows;
}

function schemaDefault(name: string): string | undefined {
  const def = (envSchema.shape as Record<string, { _zod: { def: { type: string; defaultValue?: unknown } } }>)[name]!._zod.def;
  return def.type === 'prefault' || def.type === 'default' ? String(def.defaultValue) : undefined;
}

const rows = configurationTable(readFileSync(README, 'utf8'));
const documented = rows.flatMap((r) => r.variables);
const inSchema = Object.keys(envSchema.shape);

describe('README configuration table', () => {
  it('documents each variable once', () => {
    const twice = documented.filter((v, i) => documented.indexOf(v) !== i);
    assert.deepEqual(twice, [], 'documented more than once');
  });

  it('documents every variable of the schema, and nothing the schema does not read', () => {
    assert.deepEqual(inSchema.filter((v) => !documented.includes(v)), [], 'in the schema, missing from the README table');
    assert.deepEqual(documented.filter((v) => !inSchema.includes(v)), [], 'in the README table, not in the schema');
  });

  it('gives each variable the schema default (first backticked value of the default column; none when none)', () => {
    for (const row of rows) {
      const shown = backticked(row.defaultCell)[0];
      for (const variable of row.variables) {
        assert.equal(shown, schemaDefault(variable), `README.md line ${row.line}: default of ${variable}`);
      }
    }
  });

  it('lists exactly the reference variables the alias code reads for each variable', () => {
    for (const row of rows) {
      const shown = [...new Set(row.aliasCell.match(/PROXY_[A-Z0-9_]+/g) ?? [])].sort();
      for (const variable of row.variables) {
        const read = [...new Set(REFERENCE_ALIASES.filter((a) => a.variable === variable).flatMap((a) => a.reference))].sort();
        assert.deepEqual(shown, read, `README.md line ${row.line}: reference alias of ${variable}`);
      }
    }
  });

  it('has every alias target in the schema', () => {
    assert.deepEqual(REFERENCE_ALIASES.map((a) => a.variable).filter((v) => !inSchema.includes(v)), []);
  });
});
