import assert from 'node:assert/strict';
import { ConfigError } from '../../src/config/config-error.js';

/** The problems a configuration loader reports; fails the test unless it throws a ConfigError. */
export function configProblems(load: () => unknown): string[] {
  try {
    load();
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

/** Each "VARIABLE: …" problem by the variable it names. */
export function byVariable(problems: string[]): Record<string, string> {
  return Object.fromEntries(problems.map((p) => [p.slice(0, p.indexOf(':')), p]));
}
