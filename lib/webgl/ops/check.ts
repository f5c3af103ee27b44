import { ConvConfigError, describeValue } from '../../errors.ts';
import type { GpuMatrix } from '../device.ts';

/**
 * Checks that GPU matrix `m` (argument `parameter` of `op`) has shape `[rows, cols]`; throws
 * ConvConfigError naming the op, the parameter, the expected and the actual shape.
 */
export function expectShape(op: string, parameter: string, m: GpuMatrix, rows: number, cols: number): void {
  if (!m || m.rows !== rows || m.cols !== cols) {
    throw new ConvConfigError(
      parameter,
      `${op}: ${parameter} must be a ${rows}×${cols} GPU matrix, got ${m ? `${m.rows}×${m.cols}` : describeValue(m)}`,
    );
  }
}

/** Throws ConvConfigError when two GPU matrices of an op are the same texture (a feedback loop). */
export function expectDistinct(op: string, input: GpuMatrix, output: GpuMatrix): void {
  if (input === output || input.id === output.id) {
    throw new ConvConfigError('out', `${op}: out must not be an input (${output.label}); ops cannot read and write one texture`);
  }
}

/**
 * Ops that write several outputs, or elementwise ones, need single-layer matrices (only the GEMM
 * writes 4 or 8 layers at once); throws ConvConfigError naming the op and the offending matrix.
 */
export function expectLayers(op: string, layers: number, ...matrices: GpuMatrix[]): void {
  const all = [layers, ...matrices.map((m) => m.layout.layers)];
  for (const m of matrices) {
    if (m.layout.layers !== 1 || layers !== 1) {
      throw new ConvConfigError('out', `${op}: ${m.label} must be a single-layer matrix (layers ${describeValue(all)})`);
    }
  }
}

/** Throws ConvConfigError unless `out` is a single-layer matrix (every op but the GEMM writes those). */
export function expectSingleLayer(op: string, out: GpuMatrix): void {
  if (out.layout.layers !== 1) {
    throw new ConvConfigError(
      'out',
      `${op}: the output ${out.label} must be a single-layer matrix, got ${out.layout.layers} layers (only gemm writes 4 or 8)`,
    );
  }
}
