import { getContext, setContext } from 'svelte';

const KEY = Symbol('figure-frame');

/** Called by FigureFrame: the grids inside it use the frame's keyboard model (one tab stop, roving focus). */
export function provideFrame(): void {
  setContext(KEY, true);
}

/** Whether a component is drawn inside a FigureFrame. */
export function insideFrame(): boolean {
  return getContext<boolean | undefined>(KEY) === true;
}
