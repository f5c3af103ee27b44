/** The gradient scatter (lesson 7): spec, view, steps, marks, text, "Your turn" and the lesson's worked example. */
export { SCATTER_SPEC } from './spec.ts';
export * from './view.ts';
export { buildSteps, checkLine, foldedColumns, stepAt } from './steps.ts';
export * from './marks.ts';
export { dcolsTerms, pixelAdds, pixelName, pixelSumText } from './text.ts';
export { scatterQuestion } from './question.ts';
