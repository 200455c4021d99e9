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

/** The one place that reads the environment. Empty strings count as unset, as in most 12-factor tooling. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const resolved = applyReferenceAliases(env);
  const input: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = resolved[key];
    if (value !== undefined && value.trim() !== '') input[key] = value;
  }
  // ORIGINS set to nothing is a choice (registered origins only), not "use the default".
  if (resolved.ORIGINS !== undefined && resolved.ORIGINS.trim() === '') input.ORIGINS = '';
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
