/**
 * View-models of the /train page (pure, no DOM): readouts and their text, chart series with EMA
 * smoothing, the confusion matrix, the digit grid, filters and feature maps as gray tiles, class
 * probabilities, the settings form, and the page's view of the worker's messages.
 */
export * from './format.ts';
export * from './smoothing.ts';
export * from './chart.ts';
export * from './confusion.ts';
export * from './digit-grid.ts';
export * from './gray.ts';
export * from './filters.ts';
export * from './probabilities.ts';
export * from './settings-form.ts';
export * from './trainer-view.ts';
export * from './status.ts';
