import type { Tensor } from '../tensor.ts';
import { conv2d } from '../ops/conv2d.ts';
import { conv2dNaive } from '../ops/conv2d-naive.ts';
import { conv2dBackward } from '../ops/conv2d-backward.ts';
import type { Conv2dGradients } from '../ops/conv2d-backward.ts';
import { conv2dBackwardNaive } from './naive-backward.ts';
import { withGemmKernel } from '../gemm.ts';
import { wasmGemmAvailable } from '../wasm/gemm-wasm.ts';
import { CPU_LABELS } from './run.ts';
import type { LayerInputs, Pass } from './inputs.ts';
import type { BenchMethod, MethodId, PreparedRun } from './method.ts';

type Forward = (l: LayerInputs) => Tensor;
type Backward = (l: LayerInputs) => Conv2dGradients;

/** A CPU method from a forward and a backward function of one layer; a run applies them to every layer in turn. */
function cpuMethod(
  id: MethodId,
  label: string,
  description: string,
  usesIm2col: boolean,
  forward: Forward,
  backward: Backward,
): BenchMethod {
  return {
    id,
    label,
    description,
    usesIm2col,
    passes: ['forward', 'backward'],
    prepare(inputs: readonly LayerInputs[], pass: Pass): PreparedRun {
      let last: Tensor[] = [];
      return {
        run() {
          last =
            pass === 'forward'
              ? inputs.map(forward)
              : inputs.flatMap((l) => {
                  const g = backward(l);
                  return [g.dx, g.dw, g.db];
                });
        },
        read: () => last,
        dispose() {
          last = [];
        },
      };
    },
  };
}

/** Nested loops: conv2dNaive forward, conv2dBackwardNaive backward. */
export const NAIVE_METHOD: BenchMethod = cpuMethod(
  'naive',
  'Nested loops',
  'direct loops over filters, channels and kernel taps (conv2dNaive and its direct backward)',
  false,
  (l) => conv2dNaive(l.x, l.w, l.b, l.opts),
  (l) => conv2dBackwardNaive(l.dy, l.x, l.w, l.opts),
);

/** im2col + GEMM on the JS kernel: conv2d forward, conv2dBackward with col2im. */
export const IM2COL_METHOD: BenchMethod = cpuMethod(
  'im2col',
  CPU_LABELS.im2col,
  "im2col, one tiled matrix product in JavaScript (float64 sums), col2im for the input gradient (conv2d, conv2dBackward 'col2im')",
  true,
  (l) => withGemmKernel('js', () => conv2d(l.x, l.w, l.b, l.opts)),
  (l) => withGemmKernel('js', () => conv2dBackward(l.dy, l.x, l.w, l.opts, { method: 'col2im' })),
);

/** The same ops with the matrix products on the WebAssembly SIMD kernel (lib/wasm). */
export const IM2COL_WASM_METHOD: BenchMethod = cpuMethod(
  'im2col-wasm',
  CPU_LABELS['im2col-wasm'],
  'the same im2col and col2im, with the matrix products in WebAssembly SIMD: four float32 multiply-adds per instruction',
  true,
  (l) => withGemmKernel('wasm', () => conv2d(l.x, l.w, l.b, l.opts)),
  (l) => withGemmKernel('wasm', () => conv2dBackward(l.dy, l.x, l.w, l.opts, { method: 'col2im' })),
);

/**
 * The methods that run on the CPU, nested loops first (the baseline of every speed-up). The
 * dilated backward (lesson 8) is not among them: on the AlexNet-sized layer its im2col matrix
 * would take 2.39 GB, which the engine refuses to allocate (and a tab could not spare).
 */
export const CPU_METHODS: readonly BenchMethod[] = [NAIVE_METHOD, IM2COL_METHOD, IM2COL_WASM_METHOD];

/** CPU_METHODS without the WebAssembly one where this runtime has no WebAssembly SIMD. */
export function availableCpuMethods(): BenchMethod[] {
  return CPU_METHODS.filter((m) => m.id !== 'im2col-wasm' || wasmGemmAvailable());
}

/**
 * The results every method is checked against: the CPU engine's im2col + GEMM (conv2d, and
 * conv2dBackward 'col2im'), per layer — `y`, or `dx, dw, db`. Same order as PreparedRun.read.
 */
export function referenceResults(inputs: readonly LayerInputs[], pass: Pass): Tensor[] {
  const prepared = IM2COL_METHOD.prepare(inputs, pass) as PreparedRun;
  prepared.run();
  return prepared.read() as Tensor[];
}
