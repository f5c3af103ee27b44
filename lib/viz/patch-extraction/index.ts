/** Patch extraction (lesson 2): spec, view, steps, marks and the lesson's build-time figures. */
export { PATCH_SPEC } from './spec.ts';
export * from './view.ts';
export { patchCellName, patchQuestion } from './question.ts';
