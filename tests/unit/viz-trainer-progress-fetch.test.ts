import { describe, it, expect } from 'vitest';
import { progressFetch } from '../../site/components/trainer/progress-fetch.ts';

/** A fake fetch answering each URL with the given bytes in chunks of 3, or 404. */
function fakeFetch(files: Record<string, Uint8Array>, withLength: boolean): typeof fetch {
  return (async (input: RequestInfo | URL) => {
    const name = String(input).replace(/^.*\//, '');
    const bytes = files[name];
    if (!bytes) return new Response('missing', { status: 404 });
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let k = 0; k < bytes.length; k += 3) controller.enqueue(bytes.slice(k, k + 3));
        controller.close();
      },
    });
    return new Response(body, { headers: withLength ? { 'content-length': String(bytes.length) } : {} });
  }) as typeof fetch;
}

describe('progressFetch', () => {
  const files = { 'a.gz': Uint8Array.from({ length: 10 }, (_, k) => k), 'b.gz': new Uint8Array(5).fill(7) };

  it('passes the bytes through unchanged and reports the running total', async () => {
    const seen: [number, number][] = [];
    const f = progressFetch((got, want) => seen.push([got, want]), {}, fakeFetch(files, true));
    const a = new Uint8Array(await (await f('/data/a.gz')).arrayBuffer());
    const b = new Uint8Array(await (await f('/data/b.gz')).arrayBuffer());
    expect(Array.from(a)).toEqual(Array.from(files['a.gz']));
    expect(Array.from(b)).toEqual([7, 7, 7, 7, 7]);
    expect(seen[seen.length - 1]).toEqual([15, 15]);
    // Monotone, chunk by chunk: 3, 6, 9, 10 for a (expected 10), then b adds 3 and 2.
    expect(seen.map(([g]) => g)).toEqual([3, 6, 9, 10, 13, 15]);
  });

  it('uses the expected sizes when the server sends no Content-Length', async () => {
    const seen: [number, number][] = [];
    const f = progressFetch((got, want) => seen.push([got, want]), { 'a.gz': 10, 'b.gz': 5 }, fakeFetch(files, false));
    await (await f('/data/a.gz')).arrayBuffer();
    expect(seen[0]).toEqual([3, 15]);
  });

  it('returns an error response as it is, without reporting', async () => {
    const seen: number[] = [];
    const f = progressFetch((got) => seen.push(got), {}, fakeFetch(files, true));
    const r = await f('/data/missing.gz');
    expect(r.status).toBe(404);
    expect(seen).toEqual([]);
  });

  it('errors a body as soon as it passes maxBytes, naming the file and the limit', async () => {
    const f = progressFetch(() => undefined, {}, fakeFetch(files, true), 7);
    const read = (await f('/data/a.gz')).arrayBuffer();
    await expect(read).rejects.toThrow('a.gz is larger than 7 bytes, more than any MNIST file');
    expect((await (await f('/data/b.gz')).arrayBuffer()).byteLength).toBe(5);
  });
});
