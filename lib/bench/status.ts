import type { Progress } from './runner.ts';
import type { BenchRun } from './run.ts';
import { AGREEMENT_TOLERANCE } from './agreement.ts';

/** Where the page's benchmark is. */
export type BenchPhase = 'idle' | 'running' | 'stopping' | 'done' | 'stopped' | 'error';

/** Progress as a fraction in [0, 1] (0 before anything is planned). */
export function progressFraction(p: Progress | null): number {
  if (!p || !(p.total > 0)) return 0;
  return Math.min(1, Math.max(0, p.done / p.total));
}

/** The sentence under the Run button for a phase. */
export function statusText(phase: BenchPhase, progress: Progress | null, error = ''): string {
  switch (phase) {
    case 'idle':
      return 'Not run yet. The tables fill in as each measurement finishes.';
    case 'running':
      return progress
        ? `Running ${progress.done} of ${progress.total} repetitions: ${progress.current}`
        : 'Running in a background worker; the page stays usable, and Stop ends the run after the current repetition.';
    case 'stopping':
      return 'Stopping after the repetition in progress…';
    case 'done':
      return 'Done. Every number below was measured in this browser just now.';
    case 'stopped':
      return 'Stopped. The tables keep what was measured before the stop.';
    case 'error':
      return `The benchmark failed: ${error}`;
  }
}

/**
 * One line on whether every method computed the same thing as the CPU engine's im2col + GEMM
 * (the largest relativeError seen), or which ones did not.
 */
export function agreementText(run: BenchRun | null): string {
  const checked = (run?.cells ?? []).filter((c) => c.maxError !== undefined);
  if (checked.length === 0) return '';
  const bad = checked.filter((c) => !((c.maxError as number) <= AGREEMENT_TOLERANCE));
  if (bad.length > 0) {
    const names = bad.map((c) => `${c.methodId} (${c.caseId}, ${c.pass})`).join(', ');
    return `Check failed: ${names} disagreed with the CPU im2col result by more than ${AGREEMENT_TOLERANCE}.`;
  }
  const worst = Math.max(...checked.map((c) => c.maxError as number));
  return `Checked: every method's last result matches the CPU engine's im2col + GEMM to within ${worst.toExponential(1)} (relative to the largest value).`;
}
