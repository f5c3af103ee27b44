/**
 * The one error type the engine throws for invalid input. Its message names the parameter, the
 * value that was given and what is allowed, e.g. `stride must be a positive integer, got 0`.
 * `parameter` repeats the parameter's name for programmatic use (UI fields, tests).
 */
export class ConvConfigError extends Error {
  readonly parameter: string;

  constructor(parameter: string, message: string) {
    super(message);
    this.name = 'ConvConfigError';
    this.parameter = parameter;
  }
}

/** Formats a value for an error message: arrays as `[1, 2]`, numbers as they print. */
export function describeValue(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(describeValue).join(', ')}]`;
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}
