import { stripTypes } from './strip-types.ts';
import { rewriteCell } from './rewrite.ts';
import { CellSyntaxError, errorMessage } from './cell-error.ts';
import type { CellErrorInfo } from './cell-error.ts';

/** Where a running cell's `show(…)` and `console.*` calls go, in the order the cell makes them. */
export interface CellHost {
  show(value: unknown, label?: string, options?: unknown): void;
  log(level: 'log' | 'info' | 'warn' | 'error', args: unknown[]): void;
}

/** How a cell run ended: its last expression's value (with a label when it was a name), or its error. */
export type CellResult = { ok: true; hasValue: boolean; value: unknown; label: string | null } | { ok: false; error: CellErrorInfo };

/** A cell as its module exports it: an async function of the scope and its checked view. */
export type CellEntry = (scope: object, checked: object) => Promise<unknown>;

/**
 * Loads an ES module from its source text and returns its namespace: a `blob:` URL in the
 * browser's cell worker (blobModuleLoader), a `data:` URL in Node (dataUrlModuleLoader). Cells
 * run as modules so the worker needs no `eval` (its policy allows `script-src blob:` instead).
 */
export type CellModuleLoader = (source: string) => Promise<{ default: CellEntry }>;

/** The cell line an error was thrown from: the first stack frame in the cell's own source URL. */
function lineFromStack(error: unknown, sourceUrl: string): number | null {
  const stack = error instanceof Error ? String(error.stack ?? '') : '';
  const escaped = sourceUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`${escaped}:(\\d+):\\d+`).exec(stack);
  return m ? Number(m[1]) : null;
}

/**
 * A notebook kernel: one scope shared by every cell run in it, like a REPL. The scope's base layer
 * holds `globals` (the engine's public names), `show` and `console`; a cell's top-level names
 * are added above it and stay for the following cells (a cell may shadow an engine name).
 * Cells are TypeScript or JavaScript; top-level `await` is allowed. Each run is rewritten into an
 * ES module (rewrite.ts) that `load` turns into a function; the module's `//# sourceURL` is the
 * cell's name, so stack traces and error lines point into the cell.
 */
export class CellKernel {
  private readonly base: Record<string, unknown>;
  private readonly vars: Record<string, unknown>;
  private readonly checked: Record<string, unknown>;
  private readonly engineNames: Set<string>;
  private readonly load: CellModuleLoader;
  private host: CellHost | null = null;

  /** `globals`: the engine's public names; `load`: how a cell's module source becomes a module. */
  constructor(globals: Record<string, unknown>, load: CellModuleLoader) {
    this.load = load;
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
    this.engineNames = new Set(Object.keys(globals));
    this.vars = Object.create(this.base) as Record<string, unknown>;
    this.checked = new Proxy(this.vars, {
      get(target, key) {
        if (typeof key === 'string' && !(key in target)) throw new ReferenceError(`${key} is not defined`);
        return target[key as string];
      },
    });
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
    let rewritten;
    try {
      rewritten = rewriteCell(stripTypes(source), this.engineNames, (n) => n in this.vars);
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
    let entry: CellEntry;
    try {
      entry = (await this.load(`${rewritten.module}\n//# sourceURL=${sourceUrl}`)).default;
    } catch (err) {
      if (err instanceof SyntaxError)
        return { ok: false, error: { name: 'SyntaxError', message: err.message, line: lineFromStack(err, sourceUrl) } };
      return {
        ok: false,
        error: {
          name: 'Error',
          message: `The cell could not be loaded (${errorMessage(err).message}). Cells run as blob: modules: the cell worker's Content-Security-Policy must allow script-src blob: (README, "Deploying").`,
          line: null,
        },
      };
    }
    for (const n of rewritten.declared) if (!Object.prototype.hasOwnProperty.call(this.vars, n)) this.vars[n] = undefined;
    this.host = host;
    try {
      const value = await entry(this.vars, this.checked);
      return { ok: true, hasValue: rewritten.hasLast, value, label: rewritten.lastLabel };
    } catch (err) {
      return { ok: false, error: { ...errorMessage(err), line: lineFromStack(err, sourceUrl) } };
    } finally {
      this.host = null;
    }
  }
}
