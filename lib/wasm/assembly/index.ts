// The engine's WebAssembly module: the GEMM kernel and the im2col that feeds it.
export { gemm, scratchFloats } from './gemm';
export { im2col } from './im2col';
