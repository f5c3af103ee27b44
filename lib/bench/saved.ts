import type { BenchRun } from './run.ts';
import type { CellResult } from './runner.ts';
import { ConvConfigError, describeValue } from '../errors.ts';
import { BENCH_CASES } from './cases.ts';
import { PASSES } from './inputs.ts';
import { findCell } from './run.ts';
import { formatMs, formatSpeedup } from './format.ts';
import { speedup } from './stats.ts';

/**
 * Saved benchmark runs, kept in localStorage under SAVED_KEY as JSON
 * `[{ label, savedAt, run }, …]` so a reader can compare browsers or machines. Pure helpers: they
 * take and return the stored string; the page does the storage I/O.
 */
export const SAVED_KEY = 'unrolled:speed-runs';

/** At most this many runs are kept; saving another drops the oldest. */
export const MAX_SAVED = 8;

/** Longest label accepted. */
export const MAX_LABEL = 60;

/** One saved run under the reader's label. */
export interface SavedRun {
  readonly label: string;
  readonly savedAt: string;
  readonly run: BenchRun;
}

function isCell(v: unknown): v is CellResult {
  const c = v as CellResult;
  return (
    typeof c === 'object' &&
    c !== null &&
    typeof c.caseId === 'string' &&
    typeof c.pass === 'string' &&
    typeof c.methodId === 'string' &&
    typeof c.status === 'string' &&
    Array.isArray(c.times) &&
    (c.stats === null || (typeof c.stats === 'object' && typeof c.stats.mean === 'number' && typeof c.stats.median === 'number'))
  );
}

function isRun(v: unknown): v is BenchRun {
  const r = v as BenchRun;
  return (
    typeof r === 'object' &&
    r !== null &&
    r.version === 1 &&
    typeof r.environment === 'string' &&
    typeof r.startedAt === 'string' &&
    Array.isArray(r.methods) &&
    Array.isArray(r.cells) &&
    r.cells.every(isCell) &&
    r.methods.every((m) => typeof m?.id === 'string' && typeof m?.label === 'string')
  );
}

/**
 * Reads the stored string: the newest MAX_SAVED well-formed runs (a store written by hand or by
 * another version may hold more); anything malformed is dropped, never thrown.
 */
export function parseSaved(stored: string | null): SavedRun[] {
  if (!stored) return [];
  try {
    const value: unknown = JSON.parse(stored);
    if (!Array.isArray(value)) return [];
    return value
      .filter(
        (e): e is SavedRun =>
          typeof e?.label === 'string' &&
          e.label.length > 0 &&
          e.label.length <= MAX_LABEL &&
          typeof e.savedAt === 'string' &&
          isRun(e.run),
      )
      .slice(-MAX_SAVED);
  } catch {
    return [];
  }
}

/** Checks a label: 1..MAX_LABEL characters after trimming; returns it trimmed, else throws ConvConfigError. */
export function checkLabel(label: string): string {
  const trimmed = typeof label === 'string' ? label.trim() : '';
  if (trimmed.length === 0 || trimmed.length > MAX_LABEL) {
    throw new ConvConfigError('label', `label must be 1 to ${MAX_LABEL} characters, got ${describeValue(label)}`);
  }
  return trimmed;
}

/**
 * Adds `run` under `label` (replacing a run saved under the same label) and returns the string to
 * store; the newest run is last, and only the newest MAX_SAVED are kept.
 */
export function addSaved(stored: string | null, label: string, run: BenchRun, savedAt: string): string {
  const name = checkLabel(label);
  const kept = parseSaved(stored).filter((s) => s.label !== name);
  kept.push({ label: name, savedAt, run });
  return JSON.stringify(kept.slice(-MAX_SAVED));
}

/** Removes the run saved under `label`; returns the string to store. */
export function removeSaved(stored: string | null, label: string): string {
  return JSON.stringify(parseSaved(stored).filter((s) => s.label !== label));
}

/** A row of the comparison: a case, pass and method, with one text per saved run. */
export interface ComparisonRow {
  readonly key: string;
  readonly label: string;
  /** `median ms (speed-up×)`, or `—` where that run has no number. */
  readonly values: readonly string[];
}

/**
 * Saved runs side by side: one column per run, one row per case, pass and method that any of them
 * measured, each cell the median time and the speed-up (of medians) over that run's nested loops.
 */
export function compareSaved(saved: readonly SavedRun[]): { columns: string[]; rows: ComparisonRow[] } {
  const methods = new Map<string, string>();
  for (const s of saved) for (const m of s.run.methods) if (!methods.has(m.id)) methods.set(m.id, m.label);
  const rows: ComparisonRow[] = [];
  for (const c of BENCH_CASES) {
    for (const pass of PASSES) {
      for (const [id, label] of methods) {
        const cells = saved.map((s) => findCell(s.run, c.id, pass, id));
        if (cells.every((x) => !x?.stats)) continue;
        const values = saved.map((s, k) => {
          const stats = cells[k]?.stats;
          if (!stats) return '—';
          const base = findCell(s.run, c.id, pass, s.run.methods[0]?.id ?? 'naive')?.stats;
          return `${formatMs(stats.median)} ms (${formatSpeedup(speedup(base, stats))})`;
        });
        rows.push({ key: `${c.id}/${pass}/${id}`, label: `${c.label} · ${pass} · ${label}`, values });
      }
    }
  }
  return { columns: saved.map((s) => s.label), rows };
}
