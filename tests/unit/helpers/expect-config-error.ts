import { expect } from 'vitest';
import { ConvConfigError } from '../../../lib/errors.ts';

/** Runs `fn`, expecting a ConvConfigError for `parameter` whose message matches every pattern. */
export function expectConfigError(fn: () => unknown, parameter: string, ...patterns: (string | RegExp)[]): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ConvConfigError);
  const err = caught as ConvConfigError;
  expect(err.parameter).toBe(parameter);
  for (const p of patterns) expect(err.message).toMatch(p);
}
