import type { LoopCursor } from '../../trace/loop-cursor.ts';
import { ConvConfigError } from '../../errors.ts';

/**
 * The one contract every figure implements. A FigureSpec is pure data and functions (no DOM, no
 * Svelte): what the reader can set (fields, value lists, presets), how settings become a checked
 * example (`example`, the engine's checks), the view the figure draws (`build`) and its steps
 * (`steps`). FigureState (site/components/figure/figure-state.svelte.ts) runs any spec; the
 * frame (FigureFrame.svelte) draws its transport, code panel, narration and notices.
 *
 * Type parameters: `S` the settings (a plain object of numbers and value lists), `E` the checked
 * example, `V` the view, `St` one step.
 */
export interface FigureSpec<S extends object, E, V, St extends FigureStep> {
  /** The figure's accessible name, e.g. "Convolution playground". */
  label: string;
  /** Prefix of the figure's URL keys, e.g. `cv.` → `?cv.h=4&cv.step=3`. */
  prefix: string;
  /** The settings the figure starts from and Reset returns to; must be drawable. */
  defaults: S;
  /** Numeric settings the reader can type, in the order they are shown. */
  fields: readonly FigureField<S>[];
  /** Value lists (input, kernel, gradient…) kept in the settings and the URL. */
  values: readonly FigureValues<S, E>[];
  /** One-click settings. */
  presets: readonly FigurePreset<S>[];
  /** Checks settings with the engine; throws ConvConfigError naming the setting. */
  example(settings: S): E;
  /** The view of a checked example; throws ConvConfigError when it cannot be drawn (DRAW_BUDGET). */
  build(example: E): V;
  /** The steps of a view, in order; never empty. */
  steps(view: V): St[];
  /** New random values for the example (fields unchanged), from `seed`. */
  randomize?(settings: S, example: E, seed: number): S;
}

/** Keys of `S` whose values are numbers. */
export type NumberKey<S> = { [K in keyof S]-?: S[K] extends number ? K : never }[keyof S] & string;

/** Keys of `S` whose values are value lists (`number[] | null`, null = the defaults). */
export type ListKey<S> = { [K in keyof S]-?: NonNullable<S[K]> extends number[] ? K : never }[keyof S] & string;

/** A numeric setting: its key in the settings, its URL parameter, label and allowed range. */
export interface FigureField<S> {
  key: NumberKey<S>;
  param: string;
  label: string;
  min: number;
  max: number;
  /** Shown as a choice (a select) instead of a number input: choice k stands for the value `min + k`. */
  choices?: readonly string[];
}

/**
 * A value list of the settings (e.g. the input `x` under URL parameter `x`): its label for
 * messages, how many values the current shapes need, and the values the example holds now.
 */
export interface FigureValues<S, E> {
  key: ListKey<S>;
  param: string;
  /** e.g. "input values". */
  label: string;
  /** How many values settings `s` need (their shape's size). */
  size(s: S): number;
  /** The values the example uses (typed ones, or the defaults). */
  current(example: E): ArrayLike<number>;
}

/** A one-click setting: button label, optional one-line reason, and the settings it applies. */
export interface FigurePreset<S> {
  label: string;
  description?: string;
  settings: S;
}

/** What every step carries: its narration (read aloud) and where the reference loop is. */
export interface FigureStep {
  narration: string;
  cursor: LoopCursor;
}

/** A drawn figure: settings, the checked example, the view and its steps. */
export interface Drawn<S, E, V, St> {
  settings: S;
  example: E;
  view: V;
  steps: St[];
}

/** Result of trying to draw settings: the drawing, or the engine's message. */
export type Attempt<S, E, V, St> = { ok: true; drawn: Drawn<S, E, V, St> } | { ok: false; error: string };

/** Draws settings: example, view and steps. Throws what the spec throws. */
export function drawFigure<S extends object, E, V, St extends FigureStep>(spec: FigureSpec<S, E, V, St>, settings: S): Drawn<S, E, V, St> {
  const example = spec.example(settings);
  const view = spec.build(example);
  const steps = spec.steps(view);
  if (steps.length === 0) throw new ConvConfigError('steps', `${spec.label} has no steps to show for these settings`);
  return { settings, example, view, steps };
}

/**
 * The one guard of every figure: draws settings, and when the engine or the figure refuses them
 * (a ConvConfigError) returns its message instead, so the caller keeps its last valid drawing and
 * shows the message inline. Any other error is a bug and is rethrown.
 */
export function attemptDraw<S extends object, E, V, St extends FigureStep>(
  spec: FigureSpec<S, E, V, St>,
  settings: S,
): Attempt<S, E, V, St> {
  try {
    return { ok: true, drawn: drawFigure(spec, settings) };
  } catch (err) {
    if (err instanceof ConvConfigError) return { ok: false, error: err.message };
    throw err;
  }
}

/** Clamps a step index into `[0, total − 1]` (0 when there are no steps or it is not finite). */
export function clampIndex(index: number, total: number): number {
  if (total <= 0 || !Number.isFinite(index)) return 0;
  return Math.min(total - 1, Math.max(0, Math.trunc(index)));
}

/** The loop variables of a cursor as the code panel prints them: `n = 0  c = 1  oh = 2`. */
export function cursorText(cursor: LoopCursor): string {
  return cursor.vars.map(([name, value]) => `${name} = ${value}`).join('  ');
}
