import { ConvConfigError, describeValue } from './errors.ts';

/**
 * Checks an options argument of a public op: `undefined` stands for `{}`; anything else must be a
 * plain object whose keys are all in `keys`. Throws ConvConfigError for null, a number, a string,
 * an array (parameter "opts", naming the op and what it got) and for an unknown key such as
 * `strides` (parameter = that key, listing the keys the op takes). Returns the object, typed.
 */
export function checkOptions<T extends object>(op: string, opts: unknown, keys: readonly string[], parameter = 'opts'): T {
  if (opts === undefined) return {} as T;
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) {
    const example = keys.length > 0 ? ` such as { ${keys[0]}: … }` : '';
    throw new ConvConfigError(parameter, `${op}: ${parameter} must be an object${example} or left out, got ${describeValue(opts)}`);
  }
  for (const key of Object.keys(opts)) {
    if (!keys.includes(key)) {
      throw new ConvConfigError(key, `${op}: unknown option ${JSON.stringify(key)}; ${op} takes ${keys.join(', ')}`);
    }
  }
  return opts as T;
}

/** Checks an optional boolean option: `undefined` gives `fallback`, anything but true/false throws. */
export function checkBoolean(op: string, name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (value !== true && value !== false) {
    throw new ConvConfigError(name, `${op}: ${name} must be true or false, got ${describeValue(value)}`);
  }
  return value;
}
