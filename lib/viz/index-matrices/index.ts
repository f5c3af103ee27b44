/** The index matrices (lesson 3): spec, view, links and marks. */
export { INDEX_SPEC } from './spec.ts';
export * from './view.ts';
