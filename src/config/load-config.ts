import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { applyReferenceAliases } from './env-aliases.js';
import { combinationProblems, envSchema, SECRET_VARIABLES, toAppConfig } from './config.schema.js';
import type { AppConfig } from './app-config.js';

/** Thrown when the environment holds a bad value; `message` is one line per bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

/**
 * The one place that reads the configuration: the environment, over the `KEY=value` file named by `CONFIG_FILE`
 * when there is one (the real environment wins, so a deployment can override one value of a shared file), then the
 * reference's `PROXY_*` names for whatever is still unset. Empty strings count as unset, as in most 12-factor
 * tooling.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const merged = withConfigFile(env);
  const aliased = applyReferenceAliases(merged);
  if (aliased.problems.length > 0) {
    throw new ConfigError(
      aliased.problems.map((p) => `invalid configuration: ${p.variable}=${JSON.stringify(merged[p.variable] ?? '')}: ${p.message}`),
    );
  }
  const input: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = aliased.env[key];
    if (value !== undefined && value.trim() !== '') input[key] = value;
  }
  // ORIGINS set to nothing is a choice (registered origins only), not "use the default".
  if (aliased.env.ORIGINS !== undefined && aliased.env.ORIGINS.trim() === '') input.ORIGINS = '';
  const parsed = envSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? '?');
      const shown = SECRET_VARIABLES.has(name) ? '<redacted>' : JSON.stringify(input[name] ?? '');
      return `invalid configuration: ${name}=${shown}: ${issue.message}`;
    });
    throw new ConfigError(problems);
  }
  const combined = combinationProblems(parsed.data);
  if (combined.length > 0) throw new ConfigError(combined);
  return toAppConfig(parsed.data);
}

/** `env` over the file's values; the file uses the same names and dotenv syntax as `node --env-file`. */
function withConfigFile(env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  const path = env.CONFIG_FILE?.trim();
  if (path === undefined || path === '') return { ...env };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ConfigError([`invalid configuration: CONFIG_FILE=${JSON.stringify(path)}: cannot read it (${reason})`]);
  }
  const merged: Record<string, string | undefined> = { ...parseEnv(text) };
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value.trim() !== '') merged[key] = value;
  }
  return merged;
}
