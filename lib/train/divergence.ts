/**
 * A guard against a loss that blows up while staying finite (a learning rate far too high makes
 * SGD's loss climb to 10¹⁷ and training runs on at chance level). It watches each step's loss:
 * a step is "over" when its loss is above `factor` times the lowest loss seen so far and above
 * `floor`; `patience` over steps in a row mean the run diverged. A non-finite loss is over at once.
 */

/** Options of the guard; defaults 10×, 10 and 3 steps. */
export interface DivergenceOptions {
  readonly factor?: number;
  readonly floor?: number;
  readonly patience?: number;
}

/** What the guard concluded: the run diverged, and the first step of the climb that set it off. */
export interface Divergence {
  readonly firstBadStep: number;
  /** The lowest loss seen before the climb. */
  readonly bestLoss: number;
  /** The loss that set it off. */
  readonly loss: number;
}

/** The guard: feed it every step's loss; `record` returns a Divergence once the run diverged. */
export interface DivergenceGuard {
  record(step: number, loss: number): Divergence | null;
  /** Forgets the history (after a rollback, a reset or a new configuration). */
  reset(): void;
}

/** Creates a guard (see DivergenceOptions). */
export function createDivergenceGuard(options: DivergenceOptions = {}): DivergenceGuard {
  const factor = options.factor ?? 10;
  const floor = options.floor ?? 10;
  const patience = options.patience ?? 3;
  let best = Number.POSITIVE_INFINITY;
  let run = 0;
  let firstBad = 0;
  return {
    record(step, loss) {
      const over = !Number.isFinite(loss) || (loss > floor && loss > factor * best);
      if (!over) {
        run = 0;
        if (loss < best) best = loss;
        return null;
      }
      if (run === 0) firstBad = step;
      run++;
      return run >= patience || !Number.isFinite(loss) ? { firstBadStep: firstBad, bestLoss: best, loss } : null;
    },
    reset() {
      best = Number.POSITIVE_INFINITY;
      run = 0;
      firstBad = 0;
    },
  };
}
