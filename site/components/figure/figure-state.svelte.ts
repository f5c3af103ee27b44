/**
 * The one state class of every figure (Svelte 5 runes). It runs a FigureSpec: the settings as
 * typed, the drawn figure derived from them (built once per edit; when the engine or the figure
 * refuses the settings the last valid drawing stays and `error` says why), the step index and
 * playback, where the reader points (highlight only: it never moves the step), the link's notices,
 * and the URL (restored once after mount, then kept in sync, writing only what differs from the
 * defaults). Construct it during a component's initialisation (its effects belong to the component).
 */
import { untrack } from 'svelte';
import type { Attempt, Drawn, FigurePreset, FigureSpec, FigureStep, ListKey, NumberKey } from '../../../lib/viz/figure/spec.ts';
import { attemptDraw, clampIndex, drawFigure } from '../../../lib/viz/figure/spec.ts';
import { readFigureQuery, writeFigureQuery } from '../../../lib/viz/figure/query.ts';
import { withField, withValue } from '../../../lib/viz/figure/edit.ts';
import type { Pointer } from '../../../lib/viz/figure/mark.ts';
import { actionForKey, stepDuration } from '../../../lib/viz/stepper.ts';
import { currentQuery, replaceQuery } from '../../../lib/viz/url-query.ts';

/** Options of a FigureState. */
export interface FigureStateOptions {
  /** Restore from and write to the page's URL (default true). */
  url?: boolean;
}

export class FigureState<S extends object, E, V, St extends FigureStep> {
  readonly spec: FigureSpec<S, E, V, St>;
  /** The settings as the reader typed them (may be invalid: then `error` is set). */
  settings: S = $state.raw() as S;
  /** The step shown, 0-based; always within the steps (see goto). */
  index = $state(0);
  playing = $state(false);
  /** Playback speed, a multiple of the base pace (SPEEDS). */
  speed = $state(1);
  /** What the link could not restore, for the reader. */
  notices: string[] = $state.raw([]);
  /** The cell the reader points at (hover or focus), or null. Highlight only. */
  pointer: Pointer | null = $state.raw(null);
  /** True once the island has hydrated and restored its URL: controls are live. */
  hydrated = $state(false);
  /**
   * Asked before the figure moves forward one step (Step forward, →, a Play tick) onto step `next`;
   * returning false keeps the step and stops playback (the "Your turn" prompt asks first). Jumps
   * (the scrubber, Home/End) are not asked.
   */
  gate: ((next: number) => boolean) | null = null;
  /** The text last typed into each number field (shown while it still reads as the field's value). */
  typed: Partial<Record<NumberKey<S>, string>> = $state.raw({});
  #editError: string | null = $state(null);
  #draws = 0;
  /** The last valid drawing (plain field: the derived below falls back to it). */
  #last: Drawn<S, E, V, St>;
  /** A drawing already built for exactly these settings (restore), so it is not built twice. */
  #seed: Drawn<S, E, V, St> | null = null;

  /** The guard: the drawing of the typed settings, or the engine's message. */
  readonly attempt: Attempt<S, E, V, St> = $derived.by(() => {
    const settings = this.settings;
    if (this.#seed && this.#seed.settings === settings) return { ok: true, drawn: this.#seed };
    return attemptDraw(this.spec, settings);
  });
  /** What is drawn: the typed settings' drawing, or the last valid one. */
  readonly drawn: Drawn<S, E, V, St> = $derived.by(() => {
    const a = this.attempt;
    if (a.ok) this.#last = a.drawn;
    return a.ok ? a.drawn : this.#last;
  });
  readonly view: V = $derived(this.drawn.view);
  readonly steps: St[] = $derived(this.drawn.steps);
  readonly total: number = $derived(this.steps.length);
  /** The current step. */
  readonly step: St = $derived(this.steps[clampIndex(this.index, this.total)]);
  /** Why the typed settings or the last edit are not drawn, or null. */
  readonly error: string | null = $derived(this.#editError ?? (this.attempt.ok ? null : this.attempt.error));

  constructor(spec: FigureSpec<S, E, V, St>, options: FigureStateOptions = {}) {
    const url = options.url ?? true;
    this.spec = spec;
    this.#last = drawFigure(spec, spec.defaults);
    this.#seed = this.#last;
    this.settings = spec.defaults;
    // After mount (client only): restore the link, then the controls go live.
    $effect(() => {
      untrack(() => {
        if (url) this.#restore(currentQuery());
        this.hydrated = true;
      });
    });
    $effect(() => {
      if (!url || !this.hydrated) return;
      replaceQuery(writeFigureQuery(this.spec, this.drawn, clampIndex(this.index, this.total), currentQuery()));
    });
    $effect(() => {
      if (!this.playing) return;
      const timer = setInterval(() => untrack(() => this.#tick()), stepDuration(this.speed));
      return () => clearInterval(timer);
    });
  }

  #restore(query: URLSearchParams): void {
    const restored = readFigureQuery(this.spec, query);
    this.#seed = restored.drawn;
    this.settings = restored.drawn.settings;
    this.index = restored.index;
    this.notices = restored.notices;
  }

  #tick(): void {
    if (this.index >= this.total - 1) this.playing = false;
    else if (this.#mayAdvance()) this.index += 1;
  }

  /** Whether the gate lets the figure move forward one step; stops playback when it does not. */
  #mayAdvance(): boolean {
    if (!this.gate || this.index >= this.total - 1 || this.gate(this.index + 1)) return true;
    this.playing = false;
    return false;
  }

  /** Applies new settings (the guard decides what is drawn); stops playback, keeps the step if it still exists. */
  commit(next: S): void {
    this.playing = false;
    this.#editError = null;
    this.settings = next;
    this.index = clampIndex(
      this.index,
      untrack(() => this.total),
    );
  }

  /** Sets numeric field `key` from the text typed in its input. */
  setField(key: NumberKey<S>, text: string): void {
    this.typed = { ...this.typed, [key]: text };
    this.commit(withField(this.settings, key, text));
  }

  /** Sets entry `at` (flat, row-major) of value list `key` from typed text; bad text → `error`, nothing drawn changes. */
  setValue(key: ListKey<S>, at: number, text: string): void {
    const drawn = untrack(() => this.drawn);
    const edit = withValue(this.spec, drawn.settings, drawn.example, key, at, text);
    if (edit.ok) this.commit(edit.settings);
    else this.#editError = edit.error;
  }

  /** Applies a preset from the first step. */
  applyPreset(preset: FigurePreset<S>): void {
    this.commit(preset.settings);
    this.index = 0;
    this.pointer = null;
  }

  /** New random values (fields unchanged), when the spec offers it. */
  randomize(): void {
    if (!this.spec.randomize) return;
    this.#draws += 1;
    const drawn = untrack(() => this.drawn);
    this.commit(this.spec.randomize(drawn.settings, drawn.example, this.#draws));
  }

  /** Back to the defaults at the first step, notices and highlight cleared. */
  reset(): void {
    this.playing = false;
    this.#editError = null;
    this.settings = this.spec.defaults;
    this.typed = {};
    this.index = 0;
    this.notices = [];
    this.pointer = null;
  }

  /** Shows step `i` (clamped) and stops playback. */
  goto(i: number): void {
    this.playing = false;
    this.index = clampIndex(i, this.total);
  }

  forward(): void {
    if (this.#mayAdvance()) this.goto(this.index + 1);
  }

  back(): void {
    this.goto(this.index - 1);
  }

  /** Play from here (from the start when at the last step), or pause. */
  togglePlay(): void {
    if (!this.playing && this.index >= this.total - 1) this.index = 0;
    this.playing = !this.playing && this.total > 1;
  }

  /** Highlights what the reader points at (null: nothing). Never changes the step. */
  point(pointer: Pointer | null): void {
    this.pointer = pointer;
  }

  /** Handles a transport key (←/→, Home/End, Space); returns whether it did something. */
  key(key: string): boolean {
    const action = actionForKey(key, this.index, this.total);
    if (action.kind === 'none') return false;
    if (action.kind === 'toggle') this.togglePlay();
    else if (action.index === this.index + 1) this.forward();
    else this.goto(action.index);
    return true;
  }
}
