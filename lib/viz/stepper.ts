/**
 * Step-through logic shared by every animation: which step a key leads to, and how long a step
 * lasts at each speed. Pure; FigureState (site/components/figure) owns the state and the timer.
 */

/** Playback speeds offered to the reader (multiples of the base pace). */
export const SPEEDS: readonly number[] = [0.25, 0.5, 1, 2, 4];

/** Milliseconds per step at `speed` (1× = 900 ms). */
export function stepDuration(speed: number): number {
  return Math.round(900 / (speed > 0 ? speed : 1));
}

/** Clamps a step index into `[0, total − 1]` (0 when there are no steps). */
export function clampStep(index: number, total: number): number {
  if (total <= 0 || !Number.isFinite(index)) return 0;
  return Math.min(total - 1, Math.max(0, Math.trunc(index)));
}

/** What a key does in a step-through: move to a step, toggle playing, or nothing. */
export type KeyAction = { kind: 'goto'; index: number } | { kind: 'toggle' } | { kind: 'none' };

/**
 * Maps a keyboard key to an action: ←/→ one step, Home/End first/last step, Space play/pause.
 * `index` is the current step, `total` the number of steps.
 */
export function actionForKey(key: string, index: number, total: number): KeyAction {
  switch (key) {
    case 'ArrowLeft':
      return { kind: 'goto', index: clampStep(index - 1, total) };
    case 'ArrowRight':
      return { kind: 'goto', index: clampStep(index + 1, total) };
    case 'Home':
      return { kind: 'goto', index: 0 };
    case 'End':
      return { kind: 'goto', index: clampStep(total - 1, total) };
    case ' ':
    case 'Spacebar':
      return { kind: 'toggle' };
    default:
      return { kind: 'none' };
  }
}
