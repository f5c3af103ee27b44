import type { MatrixLayout } from './layout.ts';
import { isDenseLayout, matrixLayout, packMatrix, texelFloats, unpackMatrix } from './layout.ts';
import { VERTEX_SHADER } from './glsl.ts';
import { drawBufferLimit } from './probe.ts';
import { WebGLUnavailableError } from './errors.ts';
import { ConvConfigError, describeValue } from '../errors.ts';

/** A matrix `[rows, cols]` living in an RGBA32F 2D-array texture (see MatrixLayout for the packing). */
export interface GpuMatrix {
  /** Unique within its device; keys the framebuffer cache. */
  readonly id: number;
  readonly rows: number;
  readonly cols: number;
  readonly layout: MatrixLayout;
  readonly texture: WebGLTexture;
  /** A name for error messages and debugging. */
  readonly label: string;
}

/** One op: a fragment shader run once over every texel of its output(s). */
export interface DrawCall {
  /** The complete fragment shader; also the program cache's key. */
  readonly source: string;
  /** Input matrices by name: `A` is bound to the shader's `uniform sampler2D u_A`. */
  readonly inputs: Readonly<Record<string, GpuMatrix>>;
  /** The output matrices (one per `layout(location = k) out vec4 ok`), all of the same layout. */
  readonly outputs: readonly GpuMatrix[];
  /** Float uniforms by their full name (`u_lr`). */
  readonly uniforms?: Readonly<Record<string, number>>;
  /** The op's name and sizes, for profiles (e.g. `gemm NN 64×128·4096`). */
  readonly op?: string;
}

/** Live GL objects, and how many were ever created (a memory-growth check compares these). */
export interface GpuStats {
  readonly textures: number;
  readonly framebuffers: number;
  readonly buffers: number;
  readonly programs: number;
  /** Every texture, framebuffer, buffer and program created so far. */
  readonly allocations: number;
  readonly draws: number;
  /** Scissored passes that paced draws were split into (0 without pacing; see GpuOptions.paceMs). */
  readonly bands: number;
}

/** Options of createGpu. `maxTextureSize` below the device's limit forces row wrapping (tests). */
export interface GpuOptions {
  readonly maxTextureSize?: number;
  /** Below the device's drawBufferLimit, acts as a device with that many render targets (tests). */
  readonly maxDrawBuffers?: number;
  /**
   * Profiling only (it stalls the pipeline): when given, every draw waits for the device to
   * finish (a 1-texel readPixels) and adds its milliseconds to `profile[op]`.
   */
  readonly profile?: Map<string, number>;
  /**
   * Pacing for software renderers (SwiftShader, llvmpipe), in milliseconds of GPU work per task:
   * when given, every draw waits for the device to finish (gl.finish) before anything else is
   * issued, and a draw measured to take longer than `paceMs` is split next time into bands
   * (scissor rectangles over its output's columns, or rows for narrow outputs) of about `paceMs`
   * each. The browser's GPU process runs this context's work and the page's frames in one queue,
   * so a frame then waits behind at most one short band. Only the calling thread blocks: use it
   * in a worker. Default undefined: no pacing, draws pipeline freely.
   */
  readonly paceMs?: number;
}

/**
 * The device layer every op draws through: allocates matrices (textures) and their
 * framebuffers, compiles each shader variant once, runs one full-screen triangle per op, uploads,
 * and reads back synchronously (tests) or asynchronously (pixel-pack buffer + fence, polled).
 */
export interface Gpu {
  readonly gl: WebGL2RenderingContext;
  /** The texture size limit matrices are laid out for. */
  readonly maxTextureSize: number;
  /** Render targets one draw can write (drawBufferLimit): the most layers a matrix may have. */
  readonly maxDrawBuffers: number;
  /** Allocates a zero-filled matrix `[rows, cols]` with its rows over `layers` layers (1, or 4 or 8 for GEMM outputs). */
  matrix(rows: number, cols: number, label?: string, layers?: number): GpuMatrix;
  /** Uploads a row-major `rows·cols` array (texSubImage2D into the existing texture). */
  upload(m: GpuMatrix, data: Float32Array): void;
  /** Reads a matrix back row-major with a blocking readPixels: tests and one-off reads only. */
  readSync(m: GpuMatrix): Float32Array;
  /**
   * Reads a matrix back without blocking: readPixels into a pixel-pack buffer, a fence, then
   * getBufferSubData once the fence has signalled (polled from a timer). Pack buffers are pooled
   * per size, so steady use allocates nothing.
   */
  readAsync(m: GpuMatrix): Promise<Float32Array>;
  /** Runs one op. */
  draw(call: DrawCall): void;
  /** Creates `count` pixel-pack buffers for reads of `m` up front (reads queued deeper still allocate more). */
  reserveReads(m: GpuMatrix, count: number): void;
  /** Creates (once) the framebuffer that draws into `outputs` together, so no draw allocates later. */
  prepareTarget(outputs: readonly GpuMatrix[]): void;
  /** Deletes a matrix's texture and the framebuffers that write it. */
  free(m: GpuMatrix): void;
  /** Rejects every pending asynchronous read with `error` (context loss). */
  failPending(error: Error): void;
  stats(): GpuStats;
  /** Deletes every GL object this device created. */
  dispose(): void;
}

interface Program {
  readonly program: WebGLProgram;
  /** Texture unit of each sampler, by input name. */
  readonly units: Map<string, number>;
  readonly uniforms: Map<string, WebGLUniformLocation | null>;
  /** Paced draws (GpuOptions.paceMs): the last measured milliseconds of this program per output set. */
  readonly drawCost: Map<string, number>;
}

interface PendingRead {
  readonly sync: WebGLSync;
  readonly buffer: WebGLBuffer;
  readonly bytes: number;
  readonly m: MatrixLayout;
  readonly resolve: (data: Float32Array) => void;
  readonly reject: (error: Error) => void;
}

function compile(gl: WebGL2RenderingContext, type: number, source: string): WebGLShader {
  const shader = gl.createShader(type) as WebGLShader;
  gl.shaderSource(shader, source);
  gl.compileShader(shader);
  if (!gl.getShaderParameter(shader, gl.COMPILE_STATUS) && !gl.isContextLost()) {
    const log = gl.getShaderInfoLog(shader);
    gl.deleteShader(shader);
    const numbered = source
      .split('\n')
      .map((line, k) => `${k + 1}: ${line}`)
      .join('\n');
    throw new Error(`WebGL shader did not compile: ${log}\n${numbered}`);
  }
  return shader;
}

/** Keys a set of output matrices (framebuffer cache, paced-draw costs). */
function outputsKey(outputs: readonly GpuMatrix[]): string {
  return outputs.map((m) => m.id).join(',');
}

/** Creates the device layer on a WebGL2 context already checked by openComputeContext. */
export function createGpu(gl: WebGL2RenderingContext, options: GpuOptions = {}): Gpu {
  const deviceMax = gl.getParameter(gl.MAX_TEXTURE_SIZE) as number;
  const maxTextureSize = Math.min(deviceMax, options.maxTextureSize ?? deviceMax);
  const maxDrawBuffers = Math.min(drawBufferLimit(gl), options.maxDrawBuffers ?? Number.POSITIVE_INFINITY);
  const textures = new Map<number, GpuMatrix>();
  const framebuffers = new Map<string, { fb: WebGLFramebuffer; ids: number[] }>();
  const programs = new Map<string, Program>();
  const packPool = new Map<number, WebGLBuffer[]>();
  const allBuffers = new Set<WebGLBuffer>();
  const pending: PendingRead[] = [];
  const staging = new Map<number, Float32Array>();
  let nextId = 1;
  let allocations = 0;
  let draws = 0;
  let bandsDrawn = 0;
  let polling = false;

  const paceMs = options.paceMs;
  if (paceMs !== undefined && !(typeof paceMs === 'number' && paceMs > 0 && Number.isFinite(paceMs))) {
    throw new ConvConfigError('paceMs', `paceMs must be a positive finite number of milliseconds, got ${describeValue(paceMs)}`);
  }
  const vertexShader = compile(gl, gl.VERTEX_SHADER, VERTEX_SHADER);
  const vao = gl.createVertexArray();
  const profilePixel = new Float32Array(4);

  function program(source: string): Program {
    const cached = programs.get(source);
    if (cached) return cached;
    const fragment = compile(gl, gl.FRAGMENT_SHADER, source);
    const p = gl.createProgram() as WebGLProgram;
    allocations++;
    gl.attachShader(p, vertexShader);
    gl.attachShader(p, fragment);
    gl.linkProgram(p);
    gl.deleteShader(fragment);
    if (!gl.getProgramParameter(p, gl.LINK_STATUS) && !gl.isContextLost()) {
      throw new Error(`WebGL program did not link: ${gl.getProgramInfoLog(p)}`);
    }
    gl.useProgram(p);
    const units = new Map<string, number>();
    for (const match of source.matchAll(/uniform\s+(?:highp\s+)?sampler2DArray\s+u_(\w+)\s*;/g)) {
      const unit = units.size;
      units.set(match[1], unit);
      gl.uniform1i(gl.getUniformLocation(p, `u_${match[1]}`), unit);
    }
    const entry: Program = { program: p, units, uniforms: new Map(), drawCost: new Map() };
    programs.set(source, entry);
    return entry;
  }

  function framebufferFor(outputs: readonly GpuMatrix[]): WebGLFramebuffer {
    const key = outputsKey(outputs);
    const cached = framebuffers.get(key);
    if (cached) return cached.fb;
    const fb = gl.createFramebuffer() as WebGLFramebuffer;
    allocations++;
    gl.bindFramebuffer(gl.FRAMEBUFFER, fb);
    const attachments: number[] = [];
    outputs.forEach((m) => {
      for (let layer = 0; layer < m.layout.layers; layer++) {
        const attachment = gl.COLOR_ATTACHMENT0 + attachments.length;
        gl.framebufferTextureLayer(gl.FRAMEBUFFER, attachment, m.texture, 0, layer);
        attachments.push(attachment);
      }
    });
    gl.drawBuffers(attachments);
    framebuffers.set(key, { fb, ids: outputs.map((m) => m.id) });
    return fb;
  }

  function stagingFor(floats: number): Float32Array {
    let buffer = staging.get(floats);
    if (!buffer) {
      buffer = new Float32Array(floats);
      staging.set(floats, buffer);
    }
    return buffer;
  }

  function poll(): void {
    polling = false;
    while (pending.length > 0) {
      const head = pending[0];
      if (gl.isContextLost()) {
        gpu.failPending(new Error('WebGL readback failed: the context was lost'));
        return;
      }
      const status = gl.clientWaitSync(head.sync, 0, 0);
      if (status === gl.TIMEOUT_EXPIRED) break;
      pending.shift();
      gl.deleteSync(head.sync);
      if (status === gl.WAIT_FAILED) {
        release(head);
        head.reject(new Error('WebGL readback failed (clientWaitSync returned WAIT_FAILED)'));
        continue;
      }
      const image = stagingFor(head.bytes / 4);
      gl.bindBuffer(gl.PIXEL_PACK_BUFFER, head.buffer);
      gl.getBufferSubData(gl.PIXEL_PACK_BUFFER, 0, image);
      gl.bindBuffer(gl.PIXEL_PACK_BUFFER, null);
      release(head);
      head.resolve(unpackMatrix(head.m, image));
    }
    if (pending.length > 0) schedule();
  }

  function schedule(): void {
    if (polling) return;
    polling = true;
    setTimeout(poll, 0);
  }

  function release(read: PendingRead): void {
    const pool = packPool.get(read.bytes);
    if (pool) pool.push(read.buffer);
  }

  function packBuffer(bytes: number): WebGLBuffer {
    let pool = packPool.get(bytes);
    if (!pool) {
      pool = [];
      packPool.set(bytes, pool);
    }
    const reused = pool.pop();
    if (reused) return reused;
    const buffer = gl.createBuffer() as WebGLBuffer;
    allocations++;
    allBuffers.add(buffer);
    gl.bindBuffer(gl.PIXEL_PACK_BUFFER, buffer);
    gl.bufferData(gl.PIXEL_PACK_BUFFER, bytes, gl.STREAM_READ);
    gl.bindBuffer(gl.PIXEL_PACK_BUFFER, null);
    return buffer;
  }

  function bindForRead(m: GpuMatrix, layer: number): void {
    gl.bindFramebuffer(gl.READ_FRAMEBUFFER, framebufferFor([m]));
    gl.readBuffer(gl.COLOR_ATTACHMENT0 + layer);
  }

  /**
   * Draws in bands of about `budget` ms (from this op's last measured cost), finishing each
   * before the next, and records the op's new cost.
   */
  function pacedDraw(p: Program, call: DrawCall, width: number, height: number, budget: number): void {
    const key = outputsKey(call.outputs);
    const cost = p.drawCost.get(key);
    const alongX = width >= height || height < 2;
    const extent = alongX ? width : height;
    const bands = cost === undefined ? 1 : Math.max(1, Math.min(extent, Math.ceil(cost / budget)));
    const start = performance.now();
    if (bands === 1) {
      gl.drawArrays(gl.TRIANGLES, 0, 3);
      gl.finish();
    } else {
      gl.enable(gl.SCISSOR_TEST);
      for (let k = 0; k < bands; k++) {
        const from = Math.floor((k * extent) / bands);
        const to = Math.floor(((k + 1) * extent) / bands);
        if (alongX) gl.scissor(from, 0, to - from, height);
        else gl.scissor(0, from, width, to - from);
        gl.drawArrays(gl.TRIANGLES, 0, 3);
        gl.finish();
      }
      gl.disable(gl.SCISSOR_TEST);
      bandsDrawn += bands;
    }
    p.drawCost.set(key, performance.now() - start);
  }

  const gpu: Gpu = {
    gl,
    maxTextureSize,
    maxDrawBuffers,
    matrix(rows, cols, label = `matrix ${rows}×${cols}`, layers = 1) {
      // Every layer is a render target of one framebuffer (to clear, draw into and read it).
      if (layers > maxDrawBuffers) {
        throw new WebGLUnavailableError(`${label}: ${layers} layers need ${layers} render targets; this device offers ${maxDrawBuffers}`);
      }
      const layout = matrixLayout(rows, cols, maxTextureSize, layers);
      const texture = gl.createTexture() as WebGLTexture;
      allocations++;
      gl.bindTexture(gl.TEXTURE_2D_ARRAY, texture);
      gl.texStorage3D(gl.TEXTURE_2D_ARRAY, 1, gl.RGBA32F, layout.width, layout.height, layout.layers);
      gl.texParameteri(gl.TEXTURE_2D_ARRAY, gl.TEXTURE_MIN_FILTER, gl.NEAREST);
      gl.texParameteri(gl.TEXTURE_2D_ARRAY, gl.TEXTURE_MAG_FILTER, gl.NEAREST);
      gl.texParameteri(gl.TEXTURE_2D_ARRAY, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
      gl.texParameteri(gl.TEXTURE_2D_ARRAY, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
      const m: GpuMatrix = { id: nextId++, rows, cols, layout, texture, label };
      textures.set(m.id, m);
      // texStorage3D leaves the contents undefined: clear to zero so padding lanes read as 0.
      gl.bindFramebuffer(gl.FRAMEBUFFER, framebufferFor([m]));
      for (let layer = 0; layer < layout.layers; layer++) gl.clearBufferfv(gl.COLOR, layer, [0, 0, 0, 0]);
      return m;
    },
    upload(m, data) {
      if (!(data instanceof Float32Array) || data.length !== m.rows * m.cols) {
        throw new ConvConfigError(
          'data',
          `upload to ${m.label}: data must be a Float32Array of ${m.rows * m.cols} floats, got ${data instanceof Float32Array ? data.length : typeof data}`,
        );
      }
      const { width, height, layers } = m.layout;
      const image = isDenseLayout(m.layout) ? data : packMatrix(m.layout, data, stagingFor(texelFloats(m.layout)));
      gl.bindTexture(gl.TEXTURE_2D_ARRAY, m.texture);
      gl.texSubImage3D(gl.TEXTURE_2D_ARRAY, 0, 0, 0, 0, width, height, layers, gl.RGBA, gl.FLOAT, image, 0);
    },
    readSync(m) {
      const image = new Float32Array(texelFloats(m.layout));
      const layerFloats = image.length / m.layout.layers;
      for (let layer = 0; layer < m.layout.layers; layer++) {
        bindForRead(m, layer);
        gl.readPixels(0, 0, m.layout.width, m.layout.height, gl.RGBA, gl.FLOAT, image, layer * layerFloats);
      }
      return unpackMatrix(m.layout, image);
    },
    readAsync(m) {
      const bytes = texelFloats(m.layout) * 4;
      const buffer = packBuffer(bytes);
      gl.bindBuffer(gl.PIXEL_PACK_BUFFER, buffer);
      // Re-specifying the storage (same size, no new object) before each write keeps Chrome's
      // readback shadow copy valid; reusing the buffer as is discards it with a warning.
      gl.bufferData(gl.PIXEL_PACK_BUFFER, bytes, gl.STREAM_READ);
      for (let layer = 0; layer < m.layout.layers; layer++) {
        bindForRead(m, layer);
        gl.readPixels(0, 0, m.layout.width, m.layout.height, gl.RGBA, gl.FLOAT, (layer * bytes) / m.layout.layers);
      }
      gl.bindBuffer(gl.PIXEL_PACK_BUFFER, null);
      const sync = gl.fenceSync(gl.SYNC_GPU_COMMANDS_COMPLETE, 0) as WebGLSync;
      gl.flush();
      return new Promise<Float32Array>((resolve, reject) => {
        pending.push({ sync, buffer, bytes, m: m.layout, resolve, reject });
        schedule();
      });
    },
    draw(call) {
      const out = call.outputs[0];
      const p = program(call.source);
      gl.useProgram(p.program);
      for (const [name, unit] of p.units) {
        const m = call.inputs[name];
        if (!m) throw new Error(`draw: the shader samples u_${name} but no input ${name} was given`);
        gl.activeTexture(gl.TEXTURE0 + unit);
        gl.bindTexture(gl.TEXTURE_2D_ARRAY, m.texture);
      }
      if (call.uniforms) {
        for (const name in call.uniforms) {
          let location = p.uniforms.get(name);
          if (location === undefined) {
            location = gl.getUniformLocation(p.program, name);
            p.uniforms.set(name, location);
          }
          gl.uniform1f(location, call.uniforms[name]);
        }
      }
      gl.bindFramebuffer(gl.FRAMEBUFFER, framebufferFor(call.outputs));
      gl.viewport(0, 0, out.layout.width, out.layout.height);
      gl.bindVertexArray(vao);
      if (options.profile) {
        const start = performance.now();
        gl.drawArrays(gl.TRIANGLES, 0, 3);
        gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.FLOAT, profilePixel);
        const label = call.op ?? call.source.slice(0, 40);
        options.profile.set(label, (options.profile.get(label) ?? 0) + performance.now() - start);
      } else if (paceMs !== undefined) {
        pacedDraw(p, call, out.layout.width, out.layout.height, paceMs);
      } else {
        gl.drawArrays(gl.TRIANGLES, 0, 3);
      }
      draws++;
    },
    reserveReads(m, count) {
      const bytes = texelFloats(m.layout) * 4;
      const made = Array.from({ length: count }, () => packBuffer(bytes));
      packPool.get(bytes)!.push(...made);
    },
    prepareTarget(outputs) {
      framebufferFor(outputs);
    },
    free(m) {
      if (!textures.delete(m.id)) return;
      for (const [key, entry] of framebuffers) {
        if (entry.ids.includes(m.id)) {
          gl.deleteFramebuffer(entry.fb);
          framebuffers.delete(key);
        }
      }
      gl.deleteTexture(m.texture);
    },
    failPending(error) {
      for (const read of pending.splice(0)) read.reject(error);
    },
    stats() {
      return {
        textures: textures.size,
        framebuffers: framebuffers.size,
        buffers: allBuffers.size,
        programs: programs.size,
        allocations,
        draws,
        bands: bandsDrawn,
      };
    },
    dispose() {
      gpu.failPending(new Error('the WebGL device was disposed'));
      for (const entry of framebuffers.values()) gl.deleteFramebuffer(entry.fb);
      framebuffers.clear();
      for (const m of textures.values()) gl.deleteTexture(m.texture);
      textures.clear();
      for (const buffer of allBuffers) gl.deleteBuffer(buffer);
      allBuffers.clear();
      packPool.clear();
      for (const entry of programs.values()) gl.deleteProgram(entry.program);
      programs.clear();
      gl.deleteShader(vertexShader);
      gl.deleteVertexArray(vao);
    },
  };
  return gpu;
}
