import type { Tensor } from '../tensor.ts';
import type { ConvGeometry } from '../geometry.ts';
import { convGeometry } from '../geometry.ts';
import type { Gpu, GpuMatrix } from '../webgl/device.ts';
import { im2colGpu } from '../webgl/ops/im2col.ts';
import { gemm } from '../webgl/ops/gemm.ts';
import { col2imGpu } from '../webgl/ops/col2im.ts';
import { rowSumsGpu } from '../webgl/ops/row-sums.ts';
import { cnhwToNchw, nchwToCnhw } from '../webgl/cnhw.ts';
import { drawBufferLimit, preferredGemmRows } from '../webgl/probe.ts';
import type { LayerInputs, Pass } from './inputs.ts';
import type { BenchMethod, PreparedRun } from './method.ts';
import { WEBGL_LABELS } from './run.ts';

/** One layer's matrices on the GPU (activations CNHW `[C, N·H·W]`, outputs `[F, N·OH·OW]`). */
interface GpuLayer {
  readonly l: LayerInputs;
  readonly g: ConvGeometry;
  readonly F: number;
  readonly x: GpuMatrix;
  readonly wRow: GpuMatrix;
  readonly cols: GpuMatrix;
  readonly bias?: GpuMatrix;
  readonly y?: GpuMatrix;
  readonly dy?: GpuMatrix;
  readonly dw?: GpuMatrix;
  readonly db?: GpuMatrix;
  readonly dx?: GpuMatrix;
  /** The GEMM's dX_col (its own layered matrix: only the GEMM writes those, col2im reads it). */
  readonly dcols?: GpuMatrix;
}

/**
 * GEMM outputs are dealt over 4 or 8 layers (preferredGemmRows), so each fragment computes a 4×4
 * or 8×4 block (lib/webgl's fast path).
 */
function allocate(gpu: Gpu, l: LayerInputs, pass: Pass, gemmRows: 4 | 8): GpuLayer {
  const [F, C, KH, KW] = l.w.shape;
  const g = convGeometry(l.x.shape, [KH, KW], l.opts);
  const K = C * KH * KW;
  const Q = g.N * g.OH * g.OW;
  const common = {
    l,
    g,
    F,
    x: gpu.matrix(C, g.N * g.H * g.W, 'x'),
    wRow: gpu.matrix(F, K, 'W_row'),
    cols: gpu.matrix(K, Q, 'X_col'),
  };
  gpu.upload(common.wRow, l.w.data);
  if (pass === 'forward') {
    const bias = gpu.matrix(1, F, 'b');
    gpu.upload(bias, l.b.data);
    return { ...common, bias, y: gpu.matrix(F, Q, 'y', gemmRows) };
  }
  return {
    ...common,
    dy: gpu.matrix(F, Q, 'dY_row'),
    dw: gpu.matrix(F, K, 'dW', gemmRows),
    dcols: gpu.matrix(K, Q, 'dX_col', gemmRows),
    db: gpu.matrix(1, F, 'db'),
    dx: gpu.matrix(C, g.N * g.H * g.W, 'dx'),
  };
}

/** Uploads a layer's activations (NCHW → CNHW on the CPU first): x, and dy for the backward pass. */
function uploadActivations(gpu: Gpu, m: GpuLayer): void {
  gpu.upload(m.x, nchwToCnhw(m.l.x.data, m.l.x.shape as [number, number, number, number]));
  if (m.dy) gpu.upload(m.dy, nchwToCnhw(m.l.dy.data, m.l.dy.shape as [number, number, number, number]));
}

/** Queues one layer's shaders: im2col, GEMM (+ bias) forward; im2col, dW, db, dX_col = W_rowᵀ·dY (transA), col2im backward. */
function draw(gpu: Gpu, m: GpuLayer): void {
  im2colGpu(gpu, m.x, m.g, m.cols);
  if (m.y) {
    gemm(gpu, m.wRow, m.cols, m.y, { bias: m.bias });
    return;
  }
  const { dy, dw, db, dx, dcols } = m as Required<GpuLayer>;
  gemm(gpu, dy, m.cols, dw, { transB: true });
  rowSumsGpu(gpu, dy, db);
  gemm(gpu, m.wRow, dy, dcols, { transA: true });
  col2imGpu(gpu, dcols, m.g, dx);
}

/** Reads a layer's results back in the CPU ops' layouts: `y` NCHW, or `dx` NCHW, `dw` `[F, C, KH, KW]`, `db` `[F]`. */
function readBack(gpu: Gpu, m: GpuLayer): Tensor[] {
  const { N, OH, OW } = m.g;
  if (m.y) {
    const shape: [number, number, number, number] = [N, m.F, OH, OW];
    return [{ shape, data: cnhwToNchw(gpu.readSync(m.y), shape) }];
  }
  const xShape = m.l.x.shape as [number, number, number, number];
  return [
    { shape: [...xShape], data: cnhwToNchw(gpu.readSync(m.dx as GpuMatrix), xShape) },
    { shape: [...m.l.w.shape], data: gpu.readSync(m.dw as GpuMatrix) },
    { shape: [m.F], data: gpu.readSync(m.db as GpuMatrix) },
  ];
}

function free(gpu: Gpu, m: GpuLayer): void {
  for (const t of [m.x, m.wRow, m.cols, m.bias, m.y, m.dy, m.dw, m.db, m.dx, m.dcols]) if (t) gpu.free(t);
}

/**
 * The WebGL2 method: im2col and GEMM as fragment shaders on RGBA32F textures (lib/webgl), the
 * same algorithm as the CPU's im2col + GEMM. With `transfers: false` the operands stay on the GPU
 * between repetitions and a repetition is the shaders alone; with `transfers: true` it also
 * uploads the inputs and reads every result back, as a layer inside a CPU program would.
 * Either way a repetition ends only when the GPU has finished: without transfers, the last output
 * is summed into one small row (a draw that depends on all the others) and that row is read back
 * with readPixels, which blocks until it exists.
 */
export function createWebglMethod(gpu: Gpu, deviceName: string, transfers = false): BenchMethod {
  const gl = gpu.gl;
  const gemmRows = preferredGemmRows(deviceName, drawBufferLimit(gl));
  return {
    id: transfers ? 'webgl-io' : 'webgl',
    label: transfers ? WEBGL_LABELS['webgl-io'] : WEBGL_LABELS.webgl,
    description: `im2col and GEMM as fragment shaders on ${deviceName}${transfers ? ', uploading inputs and reading results back every time' : ', data kept on the GPU'}`,
    usesIm2col: true,
    passes: ['forward', 'backward'],
    prepare(inputs: readonly LayerInputs[], pass: Pass): PreparedRun {
      const layers = inputs.map((l) => allocate(gpu, l, pass, gemmRows));
      for (const m of layers) uploadActivations(gpu, m);
      // The end of a repetition: the last layer's result (written by the last draw, which needs
      // every earlier one) summed into one small row, read back; readPixels cannot return before that.
      const lastLayer = layers[layers.length - 1];
      const last = (lastLayer.y ?? lastLayer.dx) as GpuMatrix;
      const done = gpu.matrix(1, last.rows, 'done');
      return {
        run() {
          for (const m of layers) {
            if (transfers) uploadActivations(gpu, m);
            draw(gpu, m);
            if (transfers) readBack(gpu, m);
          }
          if (!transfers) {
            rowSumsGpu(gpu, last, done);
            gpu.readSync(done);
          }
          if (gl.isContextLost()) throw new Error('the WebGL context was lost');
        },
        read: () => layers.flatMap((m) => readBack(gpu, m)),
        dispose() {
          gpu.free(done);
          for (const m of layers) free(gpu, m);
        },
      };
    },
  };
}
