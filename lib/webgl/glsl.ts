import type { MatrixLayout } from './layout.ts';

/**
 * GLSL ES 3.00 building blocks shared by the op shaders. Every size is baked in as a constant, so
 * each shape gets its own program (compiled once, see the device's program cache) and loops have
 * constant bounds.
 */

/** The first lines of every fragment shader: version and high precision everywhere. */
export const FRAGMENT_HEADER = `#version 300 es
precision highp float;
precision highp int;
precision highp sampler2DArray;
`;

/** One full-screen triangle from gl_VertexID alone (no vertex buffer). */
export const VERTEX_SHADER = `#version 300 es
void main() {
  vec2 p = vec2(float((gl_VertexID << 1) & 2), float(gl_VertexID & 2));
  gl_Position = vec4(p * 2.0 - 1.0, 0.0, 1.0);
}
`;

/**
 * GLSL for `x / d` and `x % d` with a constant divisor `d ≥ 1` and `x ≥ 0` (an index): a shift and
 * a mask when d is a power of two (SwiftShader's shader compiler emits a real division for a
 * signed int divided by a constant), GLSL's `/` and `%` otherwise.
 */
export function divIndex(x: string, d: number): string {
  return isPowerOfTwo(d) ? (d === 1 ? `(${x})` : `((${x}) >> ${Math.log2(d)})`) : `((${x}) / ${d})`;
}

/** See divIndex: `x % d` for an index `x ≥ 0`. */
export function modIndex(x: string, d: number): string {
  return isPowerOfTwo(d) ? (d === 1 ? '0' : `((${x}) & ${d - 1})`) : `((${x}) % ${d})`;
}

function isPowerOfTwo(d: number): boolean {
  return Number.isInteger(d) && d >= 1 && (d & (d - 1)) === 0;
}

/** The lanes of a texel, in column order: column 4t + l sits in lane LANES[l]. */
export const LANES = ['x', 'y', 'z', 'w'] as const;

/** A float literal GLSL accepts (`1.0`, `1e-08`, `-0.5`). */
export function glslFloat(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`glslFloat: ${value} is not finite`);
  const text = String(value);
  return /[.eE]/.test(text) ? text : `${text}.0`;
}

/**
 * Declares input matrix `name` (sampler `u_<name>`, a 2D-array texture) with its addressing baked
 * in: `vec4 <name>_texel(int r, int t)` (texel t of row r: columns 4t … 4t+3) and
 * `float <name>_at(int r, int c)` (the lane picked with two selects: on SwiftShader a dynamic
 * vector index is dearer). Wrapped, folded or layered layouts get their arithmetic, others a plain
 * fetch. Reading a row ≥ rows or a texel ≥ texelsPerRow is the caller's bug.
 */
export function declareMatrix(name: string, layout: MatrixLayout): string {
  const shift = Math.log2(layout.layers);
  const group = layout.layers > 1 ? `(r >> ${shift})` : 'r';
  const layer = layout.layers > 1 ? `r & ${layout.layers - 1}` : '0';
  const fetch = layout.wrapped
    ? `texelFetch(u_${name}, ivec3(${modIndex('t', layout.width)}, ${group} * ${layout.rowSpan} + ${divIndex('t', layout.width)}, ${layer}), 0)`
    : layout.folded
      ? `texelFetch(u_${name}, ivec3(${modIndex(group, layout.fold)} * ${layout.texelsPerRow} + t, ${divIndex(group, layout.fold)}, ${layer}), 0)`
      : `texelFetch(u_${name}, ivec3(t, ${group}, ${layer}), 0)`;
  return `uniform sampler2DArray u_${name};
vec4 ${name}_texel(int r, int t) { return ${fetch}; }
float ${name}_at(int r, int c) {
  vec4 t = ${name}_texel(r, c >> 2);
  vec2 h = (c & 2) == 0 ? t.xy : t.zw;
  return (c & 1) == 0 ? h.x : h.y;
}
`;
}

/**
 * Declares `count` outputs `o0 … o(count−1)` and `ivec2 outputTexel()`, the (row, texel) this
 * fragment writes, for outputs of `layout`. With L layers (4 or 8) the fragment writes rows
 * `r … r+L−1` (one per layer: `o0 … o(L−1)`) and outputTexel gives the first. For a wrapped layout,
 * `bool outputIsPadding(ivec2 rt)` is true for the padding texels past a row's end; for a folded
 * one, for the padding groups past the last row.
 */
export function declareOutputs(layout: MatrixLayout, count = 1): string {
  let text = '';
  for (let k = 0; k < count; k++) text += `layout(location = ${k}) out vec4 o${k};\n`;
  const first = layout.layers > 1 ? `${layout.layers} * ` : '';
  if (layout.wrapped) {
    text += `ivec2 outputTexel() {
  ivec2 p = ivec2(gl_FragCoord.xy);
  return ivec2(${first}${divIndex('p.y', layout.rowSpan)}, ${modIndex('p.y', layout.rowSpan)} * ${layout.width} + p.x);
}
bool outputIsPadding(ivec2 rt) { return rt.y >= ${layout.texelsPerRow}; }
`;
  } else if (layout.folded) {
    text += `ivec2 outputTexel() {
  ivec2 p = ivec2(gl_FragCoord.xy);
  return ivec2(${first}(p.y * ${layout.fold} + ${divIndex('p.x', layout.texelsPerRow)}), ${modIndex('p.x', layout.texelsPerRow)});
}
bool outputIsPadding(ivec2 rt) { return rt.x >= ${layout.rows}; }
`;
  } else {
    text += `ivec2 outputTexel() { ivec2 p = ivec2(gl_FragCoord.xy); return ivec2(${first}p.y, p.x); }
bool outputIsPadding(ivec2 rt) { return false; }
`;
  }
  return text;
}

/**
 * `vec4 keepColumns(int t, vec4 v)`: zeroes the lanes of texel t that lie past the last column of
 * a matrix with `cols` columns, so padding lanes stay 0 (ops rely on that invariant).
 */
export function declareKeepColumns(cols: number): string {
  const used = cols % 4;
  if (used === 0) return 'vec4 keepColumns(int t, vec4 v) { return v; }\n';
  const lanes = ['v.x', used > 1 ? 'v.y' : '0.0', used > 2 ? 'v.z' : '0.0', '0.0'];
  return `vec4 keepColumns(int t, vec4 v) { return t == ${Math.ceil(cols / 4) - 1} ? vec4(${lanes.join(', ')}) : v; }\n`;
}

/**
 * `vec4 reluKeepNaN(vec4 v)`: `max(0, v)` that lets NaN through (like lib/ops/relu). GLSL's max
 * may turn max(NaN, 0) into 0, which would hide a NaN input from the loss's not-finite check
 * while its gradient still reached the weights.
 */
export const RELU_KEEP_NAN = `vec4 reluKeepNaN(vec4 v) {
  bvec4 keep = bvec4(vec4(greaterThan(v, vec4(0.0))) + vec4(isnan(v)));
  return mix(vec4(0.0), v, keep);
}
`;

const sources = new Map<string, string>();

/** Builds a shader source once per key (the op name and every baked-in size) and reuses it. */
export function cachedSource(key: string, build: () => string): string {
  let source = sources.get(key);
  if (source === undefined) {
    source = build();
    sources.set(key, source);
  }
  return source;
}

/** A key for a layout, for cachedSource. */
export function layoutKey(layout: MatrixLayout): string {
  return `${layout.rows}x${layout.cols}/${layout.width}x${layout.height}x${layout.layers}`;
}
