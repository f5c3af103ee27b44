import { formatValue } from '../viz/format.ts';

const MAX_ITEMS = 100;

/** Whether a value is an engine Tensor: a shape of non-negative integers and a Float32Array of that size. */
export function isTensor(value: unknown): value is { shape: readonly number[]; data: Float32Array } {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { shape?: unknown; data?: unknown };
  if (!Array.isArray(v.shape) || !(v.data instanceof Float32Array)) return false;
  if (!v.shape.every((d) => Number.isInteger(d) && d >= 0)) return false;
  return v.shape.reduce((a: number, b: number) => a * b, 1) === v.data.length;
}

function list(items: ArrayLike<unknown>, depth: number, seen: Set<object>): string {
  const n = Math.min(items.length, MAX_ITEMS);
  const parts: string[] = [];
  for (let k = 0; k < n; k++) parts.push(inner(items[k], depth, seen));
  if (items.length > n) parts.push(`… ${items.length - n} more`);
  return `[${parts.join(', ')}]`;
}

function inner(value: unknown, depth: number, seen: Set<object>): string {
  if (typeof value === 'string') return JSON.stringify(value);
  return inspectValue(value, depth, seen);
}

function inspectValue(value: unknown, depth: number, seen: Set<object>): string {
  if (typeof value === 'number') return formatValue(value, 6);
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return `[Function ${value.name || '(anonymous)'}]`;
  if (typeof value !== 'object' || value === null) return String(value);
  if (seen.has(value)) return '[Circular]';
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (depth > 2) return Array.isArray(value) ? '[Array]' : '[Object]';
  seen.add(value);
  try {
    if (isTensor(value)) return `Tensor [${value.shape.join(', ')}] ${list(value.data, depth + 1, seen)}`;
    if (Array.isArray(value)) return list(value, depth + 1, seen);
    if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
      const arr = value as unknown as ArrayLike<number> & { constructor: { name: string } };
      return `${arr.constructor.name}(${arr.length}) ${list(arr, depth + 1, seen)}`;
    }
    if (value instanceof Map)
      return `Map(${value.size}) {${[...value]
        .slice(0, MAX_ITEMS)
        .map(([k, v]) => ` ${inner(k, depth + 1, seen)} => ${inner(v, depth + 1, seen)}`)
        .join(',')} }`;
    if (value instanceof Set) return `Set(${value.size}) ${list([...value], depth + 1, seen)}`;
    const keys = Object.keys(value);
    if (keys.length === 0) return '{}';
    const body = keys
      .slice(0, MAX_ITEMS)
      .map(
        (k) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}: ${inner((value as Record<string, unknown>)[k], depth + 1, seen)}`,
      );
    if (keys.length > MAX_ITEMS) body.push(`… ${keys.length - MAX_ITEMS} more`);
    return `{ ${body.join(', ')} }`;
  } finally {
    seen.delete(value);
  }
}

/**
 * A value as one line of text, the way console.log prints it: a string as it is, numbers as the
 * site's formatValue prints them (up to 6 decimals here), arrays and typed arrays with their items
 * (at most 100, then "… n more"), a Tensor as its shape and data, objects as `{ key: value }`
 * three levels deep.
 */
export function inspect(value: unknown): string {
  return inspectValue(value, 0, new Set());
}

/** console.log's line for its arguments: each inspected, separated by spaces. */
export function formatLogLine(args: readonly unknown[]): string {
  return args.map((a) => inspect(a)).join(' ');
}
