/**
 * The state of a figure's "Your turn" mode (Svelte 5 runes). Opt-in: while it is on, moving
 * forward one step onto a step the figure has a question for (Step forward, →, Play) asks the
 * question first (FigureState's gate); the reader's answer is checked against the engine's value
 * (lib/viz/figure/your-turn.ts), the verdict is kept for the prompt to announce, and then the step
 * is shown. A question is asked once per drawing; stepping back, jumping or editing the settings
 * drops a pending one. Construct it during a component's initialisation.
 */
import type { Drawn, FigureStep } from '../../../lib/viz/figure/spec.ts';
import type { TurnCell, TurnQuestion, TurnVerdict } from '../../../lib/viz/figure/your-turn.ts';
import { checkNumber, checkPick, revealAnswer } from '../../../lib/viz/figure/your-turn.ts';
import type { FigureState } from './figure-state.svelte.ts';

/** The question a figure asks before showing step `index` of a view, or null (no question there). */
export type QuestionAt<V, St> = (view: V, steps: St[], index: number) => TurnQuestion | null;

interface Asked<S, E, V, St> {
  drawn: Drawn<S, E, V, St>;
  /** The step the question comes before. */
  next: number;
  question: TurnQuestion;
}

export class YourTurn<S extends object, E, V, St extends FigureStep> {
  readonly figure: FigureState<S, E, V, St>;
  /** Whether the reader asked for questions. */
  on = $state(false);
  #asked: Asked<S, E, V, St> | null = $state.raw(null);
  #result: { drawn: Drawn<S, E, V, St>; verdict: TurnVerdict } | null = $state.raw(null);
  /** Steps already asked about, for the drawing `#answeredFor`. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping for the gate only; nothing renders it
  #answered = new Set<number>();
  #answeredFor: Drawn<S, E, V, St> | null = null;
  readonly #questionAt: QuestionAt<V, St>;

  /** The pending question: asked for the drawing shown, right before the step shown. */
  readonly question: TurnQuestion | null = $derived.by(() => {
    const a = this.#asked;
    return this.on && a && a.drawn === this.figure.drawn && a.next === this.figure.index + 1 ? a.question : null;
  });
  /** The verdict on the last answer (for the drawing shown), or null. */
  readonly verdict: TurnVerdict | null = $derived.by(() => {
    const r = this.#result;
    return r && r.drawn === this.figure.drawn ? r.verdict : null;
  });
  /** Whether the pending question asks for a cell to be picked (grids then pick instead of editing). */
  readonly picking: boolean = $derived(this.question?.kind === 'pick');

  constructor(figure: FigureState<S, E, V, St>, questionAt: QuestionAt<V, St>) {
    this.figure = figure;
    this.#questionAt = questionAt;
    figure.gate = (next) => this.#gate(next);
  }

  #gate(next: number): boolean {
    if (!this.on) return true;
    const drawn = this.figure.drawn;
    if (this.#answeredFor !== drawn) {
      this.#answeredFor = drawn;
      // eslint-disable-next-line svelte/prefer-svelte-reactivity -- as above: read by the gate, never rendered
      this.#answered = new Set();
    }
    if (this.#answered.has(next)) return true;
    if (this.question) return false;
    const question = this.#questionAt(drawn.view, drawn.steps, next);
    if (!question) return true;
    this.#asked = { drawn, next, question };
    return false;
  }

  /** Turns the mode on or off (off drops a pending question and the last verdict). */
  toggle(): void {
    this.on = !this.on;
    if (!this.on) {
      this.#asked = null;
      this.#result = null;
    }
  }

  /** Checks a typed answer; a number is judged and the step shown, other text only gets a hint. */
  answer(text: string): TurnVerdict | null {
    const q = this.question;
    if (!q || q.kind !== 'number') return null;
    const verdict = checkNumber(q, text);
    this.#settle(verdict, verdict.status !== 'invalid');
    return verdict;
  }

  /** Checks a picked cell and shows the step. */
  pick(cell: TurnCell): TurnVerdict | null {
    const q = this.question;
    if (!q || q.kind !== 'pick') return null;
    const verdict = checkPick(q, cell);
    this.#settle(verdict, true);
    return verdict;
  }

  /** Shows the answer without one from the reader, then the step. */
  skip(): void {
    const q = this.question;
    if (q) this.#settle(revealAnswer(q), true);
  }

  #settle(verdict: TurnVerdict, reveal: boolean): void {
    const asked = this.#asked;
    if (!asked) return;
    this.#result = { drawn: asked.drawn, verdict };
    if (!reveal) return;
    this.#answered.add(asked.next);
    this.#asked = null;
    this.figure.goto(asked.next);
  }
}
