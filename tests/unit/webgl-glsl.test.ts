import { describe, it, expect } from 'vitest';
import { declareKeepColumns, declareMatrix, declareOutputs, divIndex, glslFloat, modIndex } from '../../lib/webgl/glsl.ts';
import { matrixLayout } from '../../lib/webgl/layout.ts';

describe('glslFloat', () => {
  it('always writes a float literal', () => {
    expect(glslFloat(1)).toBe('1.0');
    expect(glslFloat(-3)).toBe('-3.0');
    expect(glslFloat(0.015625)).toBe('0.015625');
    expect(glslFloat(1e-8)).toBe('1e-8');
    expect(() => glslFloat(Number.NaN)).toThrow(RangeError);
  });
});

describe('shader addressing', () => {
  it('fetches texel (t, r) directly when rows do not wrap', () => {
    const text = declareMatrix('A', matrixLayout(4, 16, 64));
    expect(text).toContain('uniform sampler2DArray u_A;');
    expect(text).toContain('texelFetch(u_A, ivec3(t, r, 0), 0)');
    expect(text).not.toContain('%');
  });

  it('bakes the wrap arithmetic in when rows wrap', () => {
    const text = declareMatrix('B', matrixLayout(2, 28, 4));
    expect(text).toContain('texelFetch(u_B, ivec3(((t) & 3), r * 2 + ((t) >> 2), 0), 0)');
    const out = declareOutputs(matrixLayout(2, 28, 4), 2);
    expect(out).toContain('layout(location = 1) out vec4 o1;');
    expect(out).toContain('return ivec2(((p.y) >> 1), ((p.y) & 1) * 4 + p.x);');
    expect(out).toContain('return rt.y >= 7;');
  });

  it('finds row r of a 4-layer matrix in layer r & 3, row group r >> 2; its fragments write 4 rows', () => {
    expect(declareMatrix('C', matrixLayout(10, 8, 16, 4))).toContain('texelFetch(u_C, ivec3(t, (r >> 2), r & 3), 0)');
    expect(declareOutputs(matrixLayout(10, 8, 16, 4), 4)).toContain('return ivec2(4 * p.y, p.x);');
  });

  it('finds row r of an 8-layer matrix in layer r & 7, row group r >> 3; its fragments write 8 rows', () => {
    expect(declareMatrix('D', matrixLayout(20, 8, 16, 8))).toContain('texelFetch(u_D, ivec3(t, (r >> 3), r & 7), 0)');
    expect(declareMatrix('E', matrixLayout(20, 40, 9, 8))).toContain(
      'texelFetch(u_E, ivec3(((t) % 5), (r >> 3) * 2 + ((t) / 5), r & 7), 0)',
    );
    expect(declareOutputs(matrixLayout(20, 8, 16, 8), 8)).toContain('return ivec2(8 * p.y, p.x);');
  });

  it('zeroes only the lanes past the last column', () => {
    expect(declareKeepColumns(8)).toBe('vec4 keepColumns(int t, vec4 v) { return v; }\n');
    expect(declareKeepColumns(10)).toContain('t == 2 ? vec4(v.x, v.y, 0.0, 0.0) : v');
    expect(declareKeepColumns(5)).toContain('t == 1 ? vec4(v.x, 0.0, 0.0, 0.0) : v');
  });
});

describe('index division by a constant', () => {
  it('shifts and masks for powers of two, divides otherwise', () => {
    expect(divIndex('x', 4)).toBe('((x) >> 2)');
    expect(modIndex('x', 4)).toBe('((x) & 3)');
    expect(divIndex('x', 1)).toBe('(x)');
    expect(modIndex('x', 1)).toBe('0');
    expect(divIndex('q - n', 14)).toBe('((q - n) / 14)');
    expect(modIndex('r', 3)).toBe('((r) % 3)');
  });
});
