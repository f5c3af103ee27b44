/**
 * The site's Content-Security-Policy. Every script and stylesheet is a file of the site's own
 * origin (inline scripts, `<style>` blocks and style attributes are moved to files at build time by
 * lib/cli/csp-integration.ts; components set per-element styles through CSSOM), so the policy
 * allows 'self' and nothing inline: no 'unsafe-inline', no 'unsafe-eval'. 'wasm-unsafe-eval' lets
 * the engine compile its WebAssembly GEMM kernel (lib/wasm/gemm-wasm.ts); it does not allow eval.
 *
 * PAGE_POLICY is the header a deployer sends with every HTML page (README, "Deploying");
 * META_POLICY is the same minus the directives a `<meta>` element cannot carry, and is in every
 * built page's head (Base.astro), so the policy holds even where the host sends no header.
 */
const DIRECTIVES: [name: string, value: string][] = [
  ['default-src', "'self'"],
  ['script-src', "'self' 'wasm-unsafe-eval'"],
  ['style-src', "'self'"],
  ['img-src', "'self'"],
  ['font-src', "'self'"],
  ['connect-src', "'self'"],
  ['worker-src', "'self'"],
  ['object-src', "'none'"],
  ['base-uri', "'self'"],
  ['form-action', "'self'"],
  ['frame-ancestors', "'none'"],
];

/** Directives that only work in a header (a `<meta>` policy ignores them with a console error). */
const HEADER_ONLY = new Set(['frame-ancestors', 'report-uri', 'sandbox']);

const join = (directives: [string, string][]) => directives.map(([name, value]) => `${name} ${value}`).join('; ');

/** The `Content-Security-Policy` header for every HTML page. */
export const PAGE_POLICY = join(DIRECTIVES);

/** The policy in each page's `<meta http-equiv="Content-Security-Policy">`. */
export const META_POLICY = join(DIRECTIVES.filter(([name]) => !HEADER_ONLY.has(name)));

/**
 * The notebook's cell worker (`/_astro/cell.worker-<hash>.js`) runs each of the reader's cells as
 * an ES module imported from a `blob:` URL (lib/notebook/module-loaders.ts), and a dedicated worker
 * takes its policy from its own script's response, not from the page. Send it this policy: the
 * page's script sources plus `blob:` (only the worker itself creates those), still no
 * 'unsafe-eval'. PAGE_POLICY there would refuse every cell with a message naming this policy.
 */
export const CELL_WORKER_POLICY = "default-src 'self'; script-src 'self' blob: 'wasm-unsafe-eval'";
