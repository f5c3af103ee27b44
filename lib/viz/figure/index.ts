/**
 * The figure contract (see spec.ts): FigureSpec and its pure helpers — drawing with the one guard,
 * the one draw budget, URL read/write, settings edits, cell marks, and the parts shared by the
 * convolution figures.
 */
export * from './spec.ts';
export * from './budget.ts';
export * from './query.ts';
export * from './edit.ts';
export * from './float32.ts';
export * from './mark.ts';
export * from './conv.ts';
export * from './plane.ts';
export * from './your-turn.ts';
