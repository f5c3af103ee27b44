import { expect } from 'vitest';
import { ConvConfigError } from '../../../lib/errors.ts';

/** Runs `fn`, expecting it to throw a ConvConfigError for `parameter`; returns that error. */
function catchConfigError(fn: () => unknown, parameter: string): ConvConfigError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ConvConfigError);
  const err = caught as ConvConfigError;
  expect(err.name).toBe('ConvConfigError');
  expect(err.parameter).toBe(parameter);
  return err;
}

/** Runs `fn`, expecting a ConvConfigError for `parameter` whose message matches every pattern. */
export function expectConfigError(fn: () => unknown, parameter: string, ...patterns: (string | RegExp)[]): void {
  const err = catchConfigError(fn, parameter);
  for (const p of patterns) expect(err.message).toMatch(p);
}

/** Runs `fn`, expecting a ConvConfigError for `parameter` with exactly `message`. */
export function expectExactConfigError(fn: () => unknown, parameter: string, message: string): void {
  expect(catchConfigError(fn, parameter).message).toBe(message);
}
