import { stripTypes } from './strip-types.ts';
import { rewriteCell, SCOPE_PARAM } from './rewrite.ts';
import { CellSyntaxError, errorMessage } from './cell-error.ts';
import type { CellErrorInfo } from './cell-error.ts';

/** Where a running cell's `show(…)` and `console.*` calls go, in the order the cell makes them. */
export interface CellHost {
  show(value: unknown, label?: string, options?: unknown): void;
  log(level: 'log' | 'info' | 'warn' | 'error', args: unknown[]): void;
}

/** How a cell run ended: its last expression's value (with a label when it was a name), or its error. */
export type CellResult = { ok: true; hasValue: boolean; value: unknown; label: string | null } | { ok: false; error: CellErrorInfo };

const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor as new (
  ...args: string[]
) => (scope: object) => Promise<unknown>;

/** Lines the engine puts before a function body built from a string (2 in V8), measured once. */
let headerLines: number | null = null;
function bodyLineOffset(): number {
  if (headerLines === null) {
    try {
      new Function('throw new Error("probe")\n//# sourceURL=unrolled-probe.js')();
    } catch (e) {
      const m = /unrolled-probe\.js:(\d+)/.exec(String((e as Error).stack));
      headerLines = m ? Number(m[1]) - 1 : 0;
    }
  }
  return headerLines ?? 0;
}

/** The cell line an error was thrown from: the first stack frame in the cell's own source URL. */
function lineFromStack(error: unknown, sourceUrl: string): number | null {
  const stack = error instanceof Error ? String(error.stack ?? '') : '';
  const escaped = sourceUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`${escaped}:(\\d+):\\d+`).exec(stack);
  return m ? Number(m[1]) - bodyLineOffset() : null;
}

/**
 * A notebook kernel: one scope shared by every cell run in it, like a REPL. The scope's base layer
 * holds `globals` (the engine's public names), `show` and `console`; a cell's top-level names
 * are added above it and stay for the following cells (a cell may shadow an engine name).
 * Cells are TypeScript or JavaScript; top-level `await` is allowed.
 */
export class CellKernel {
  private readonly base: Record<string, unknown>;
  private readonly vars: Record<string, unknown>;
  private readonly known: Set<string>;
  private host: CellHost | null = null;

  constructor(globals: Record<string, unknown>) {
    const log =
      (level: 'log' | 'info' | 'warn' | 'error') =>
      (...args: unknown[]): void => {
        this.host?.log(level, args);
      };
    this.base = Object.assign(Object.create(null) as Record<string, unknown>, globals, {
      show: (value: unknown, label?: string, options?: unknown) => {
        this.host?.show(value, label, options);
      },
      console: { log: log('log'), info: log('info'), debug: log('log'), warn: log('warn'), error: log('error') },
    });
    this.known = new Set(Object.keys(globals));
    this.vars = Object.create(this.base) as Record<string, unknown>;
  }

  /** The value of a name in the scope (engine names included), for tests and tools. */
  get(name: string): unknown {
    return this.vars[name];
  }

  /**
   * Runs one cell's source in the shared scope. `name` identifies it in stack traces (`cell-2`);
   * `host` receives its show/console calls while it runs. Never throws: syntax and runtime errors
   * come back as `{ ok: false, error }` with the cell line (1-based) they came from.
   */
  async run(source: string, name: string, host: CellHost): Promise<CellResult> {
    const sourceUrl = `${name}.ts`;
    let fn: (scope: object) => Promise<unknown>;
    let rewritten;
    try {
      rewritten = rewriteCell(stripTypes(source), this.known);
      fn = new AsyncFunction(SCOPE_PARAM, `${rewritten.body}\n//# sourceURL=${sourceUrl}`);
    } catch (err) {
      if (err instanceof CellSyntaxError) return { ok: false, error: { name: err.name, message: err.message, line: err.line } };
      const e = err as Error & { loc?: { line: number } };
      const m = /\((\d+):\d+\)\s*$/.exec(e?.message ?? '');
      return {
        ok: false,
        error: {
          name: 'SyntaxError',
          message: String(e?.message ?? err).replace(/\s*\(\d+:\d+\)\s*$/, ''),
          line: e?.loc?.line ?? (m ? Number(m[1]) : null),
        },
      };
    }
    for (const n of rewritten.declared) if (!Object.prototype.hasOwnProperty.call(this.vars, n)) this.vars[n] = undefined;
    this.host = host;
    try {
      const value = await fn(this.vars);
      return { ok: true, hasValue: rewritten.hasLast, value, label: rewritten.lastLabel };
    } catch (err) {
      return { ok: false, error: { ...errorMessage(err), line: lineFromStack(err, sourceUrl) } };
    } finally {
      this.host = null;
    }
  }
}
