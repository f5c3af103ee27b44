import type { Pass } from './inputs.ts';

/**
 * The timing tables published in the seed slides "The Im2Col Transformation: A Speedrunner's Guide
 * to CNNs" (University of Pisa), as data: the whole MNIST CNN in Python, per batch, in seconds,
 * summarised like pandas' describe (mean, std, min, quartiles, max) over 960 batches of one image
 * or 30 batches of 32. Their nested loops, im2col and "optimized" im2col ran on the CPU (NumPy);
 * CuPy and PyTorch ran on a GPU.
 */

/** Where the figures come from, for the credit line. */
export const SEED_SOURCE = {
  title: 'The Im2Col Transformation: A Speedrunner’s Guide to CNNs',
  kind: 'slides',
  institution: 'University of Pisa',
  sections: ['Performance evaluation of inference times', 'Performance evaluation of backpropagation times'],
  note: 'Python; nested loops and the im2col variants in NumPy on the CPU, CuPy and PyTorch on a GPU; seconds per batch for the whole MNIST CNN.',
} as const;

/** A method column of the seed tables. */
export interface SeedMethod {
  readonly id: 'nested' | 'im2col' | 'im2col-opt' | 'im2col-blas' | 'cupy' | 'pytorch';
  readonly label: string;
  readonly device: 'CPU' | 'GPU';
}

/** The seed's columns, in their order; nested loops first (the baseline). */
export const SEED_METHODS: readonly SeedMethod[] = [
  { id: 'nested', label: 'Nested loops (Python)', device: 'CPU' },
  { id: 'im2col', label: 'im2col (NumPy)', device: 'CPU' },
  { id: 'im2col-opt', label: 'im2col optimized (NumPy)', device: 'CPU' },
  { id: 'im2col-blas', label: 'im2col optimized, BLAS calls', device: 'CPU' },
  { id: 'cupy', label: 'im2col (CuPy)', device: 'GPU' },
  { id: 'pytorch', label: 'PyTorch model', device: 'GPU' },
];

/** One column of a seed table, in seconds: mean, std, min, 25 %, median, 75 %, max. */
export interface SeedStats {
  readonly mean: number;
  readonly std: number;
  readonly min: number;
  readonly q25: number;
  readonly median: number;
  readonly q75: number;
  readonly max: number;
}

/** One seed table: a pass at a batch size, a column per method. */
export interface SeedTable {
  readonly pass: Pass;
  readonly batch: 1 | 32;
  /** How many batches were timed. */
  readonly batches: number;
  readonly stats: Readonly<Record<SeedMethod['id'], SeedStats>>;
}

const s = (mean: number, std: number, min: number, q25: number, median: number, q75: number, max: number): SeedStats => ({
  mean,
  std,
  min,
  q25,
  median,
  q75,
  max,
});

/** The four published tables (seconds per batch), transcribed from the slides. */
export const SEED_TABLES: readonly SeedTable[] = [
  {
    pass: 'forward',
    batch: 1,
    batches: 960,
    stats: {
      nested: s(0.905063, 0.158358, 0.846334, 0.878515, 0.885522, 0.89973, 2.841252),
      im2col: s(0.000473, 0.001717, 0, 0, 0, 0, 0.016235),
      'im2col-opt': s(0.000476, 0.001705, 0, 0, 0, 0, 0.016589),
      'im2col-blas': s(0.002521, 0.004707, 0, 0, 0, 0.002527, 0.031685),
      cupy: s(0.004848, 0.00529, 0, 0, 0.003999, 0.006017, 0.02435),
      pytorch: s(0.000705, 0.002592, 0, 0, 0, 0.000981, 0.034955),
    },
  },
  {
    pass: 'forward',
    batch: 32,
    batches: 30,
    stats: {
      nested: s(28.797833, 0.262673, 28.443987, 28.619262, 28.750885, 28.930829, 29.599773),
      im2col: s(0.004053, 0.005367, 0, 0, 0.002197, 0.005922, 0.016489),
      'im2col-opt': s(0.005856, 0.005904, 0, 0, 0.004869, 0.006992, 0.016596),
      'im2col-blas': s(0.011154, 0.008674, 0, 0.003129, 0.012423, 0.01601, 0.028891),
      cupy: s(0.005954, 0.007142, 0, 0.000145, 0.003, 0.007788, 0.02316),
      pytorch: s(0.010989, 0.057249, 0, 0, 0, 0.001001, 0.314072),
    },
  },
  {
    pass: 'backward',
    batch: 1,
    batches: 960,
    stats: {
      nested: s(2.225652, 0.249752, 2.120881, 2.168586, 2.187272, 2.220948, 5.059112),
      im2col: s(0.006299, 0.0056, 0, 0, 0.006004, 0.008441, 0.037697),
      'im2col-opt': s(0.006389, 0.005081, 0, 0.002733, 0.006017, 0.008245, 0.031408),
      'im2col-blas': s(0.009346, 0.008486, 0, 0.001243, 0.008072, 0.015309, 0.056891),
      cupy: s(0.010289, 0.006828, 0, 0.00546, 0.010371, 0.015654, 0.034889),
      pytorch: s(0.001052, 0.003089, 0, 0, 0, 0.001, 0.023702),
    },
  },
  {
    pass: 'backward',
    batch: 32,
    batches: 30,
    stats: {
      nested: s(70.565303, 0.405636, 69.947701, 70.31923, 70.498324, 70.760394, 71.698621),
      im2col: s(0.043744, 0.007077, 0.027079, 0.039957, 0.045567, 0.049187, 0.054494),
      'im2col-opt': s(0.042249, 0.006777, 0.028126, 0.038119, 0.042143, 0.047878, 0.05685),
      'im2col-blas': s(0.06053, 0.007447, 0.044401, 0.055597, 0.063513, 0.066385, 0.072984),
      cupy: s(0.019055, 0.015966, 0, 0.006083, 0.012918, 0.0317, 0.052906),
      pytorch: s(0.006732, 0.02869, 0, 0, 0.001, 0.001672, 0.157841),
    },
  },
];

/** The seed table for a pass and batch size, if the slides have one. */
export function seedTable(pass: Pass, batch: number): SeedTable | undefined {
  return SEED_TABLES.find((t) => t.pass === pass && t.batch === batch);
}

/** The seed's "N times faster": nested loops' mean over a method's mean (null when the method's mean is 0). */
export function seedSpeedup(table: SeedTable, method: SeedMethod['id']): number | null {
  const m = table.stats[method].mean;
  return m > 0 ? table.stats.nested.mean / m : null;
}
