import { z } from 'zod';

/** A configuration that cannot start. Holds one line per problem, each naming the variable and what it expects. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Configuration is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Turns zod issues on an env object into "VARIABLE: what is expected" lines. */
export function describeEnvIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const variable = issue.path.length > 0 ? String(issue.path[0]) : 'environment';
    return `${variable}: ${issue.message}`;
  });
}

/** A whole number from `min` to `max` in an environment variable; `hint` says what it is, in every message. */
export const intIn = (min: number, max: number, hint: string) =>
  z
    .string()
    .regex(/^\d+$/, { error: `expected a whole number from ${min} to ${max} (${hint})` })
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(min, { error: `must be at least ${min} (${hint})` })
        .max(max, { error: `must be at most ${max} (${hint})` }),
    );

/** true or false (any case) in an environment variable; `hint` says what it turns on, in the message. */
export const trueOrFalse = (hint: string) =>
  z
    .string()
    .transform((v) => v.toLowerCase())
    .pipe(z.enum(['true', 'false'], { error: `expected true or false (${hint})` }))
    .transform((v) => v === 'true');

/** Unset and empty are the same thing for an environment variable: `FOO=` in a .env file means "not set". */
export function withoutEmpty(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value.trim() !== '') out[key] = value.trim();
  }
  return out;
}

/** Runs a loader, adding its ConfigError's problems to `problems` instead of throwing: so all are reported at once. */
export function collectProblems<T>(problems: string[], load: () => T): T | undefined {
  try {
    return load();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
    return undefined;
  }
}
