import { formatCount } from '../../../lib/data/index.ts';

/**
 * A fetch for lib/data's loadMnistFromUrl that reports download progress: each response body is
 * passed through a counting stream, and `onProgress` hears the bytes received so far over all
 * files and the bytes expected (from Content-Length, else `expected`). A body longer than
 * `maxBytes` errors as soon as it passes that ("… is larger than N bytes"), so a huge or endless
 * response never fills the tab's memory.
 */
export function progressFetch(
  onProgress: (received: number, expected: number) => void,
  expected: Record<string, number>,
  base: typeof fetch = fetch,
  maxBytes = Number.POSITIVE_INFINITY,
): typeof fetch {
  const received = new Map<string, number>();
  const totals = new Map<string, number>(Object.entries(expected));
  const report = () => {
    let got = 0;
    let want = 0;
    for (const v of received.values()) got += v;
    for (const v of totals.values()) want += v;
    onProgress(got, Math.max(want, got));
  };
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    const response = await base(input, init);
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const name = url.replace(/^.*\//, '');
    if (!response.ok || !response.body) return response;
    const length = Number(response.headers.get('content-length'));
    if (Number.isFinite(length) && length > 0) totals.set(name, length);
    received.set(name, 0);
    const counter = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        const got = (received.get(name) ?? 0) + chunk.byteLength;
        if (got > maxBytes) {
          controller.error(new Error(`${name} is larger than ${formatCount(maxBytes)} bytes, more than any MNIST file`));
          return;
        }
        received.set(name, got);
        report();
        controller.enqueue(chunk);
      },
    });
    return new Response(response.body.pipeThrough(counter), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  }) as typeof fetch;
}
