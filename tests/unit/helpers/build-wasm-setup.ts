import { buildWasm } from '../../../lib/cli/build-wasm.ts';

/** Vitest global setup: compiles the WebAssembly kernels (lib/wasm/gemm-binary.ts) before any test imports the engine. */
export default async function setup(): Promise<void> {
  await buildWasm();
}
