/**
 * Training speed from step completion times: images per second over the steps completed since the
 * meter was (re)started, not counting the first `warmup` completions (shader compilation, JIT and
 * the pipeline filling up), and the time left in an epoch at that speed. Pure: times in
 * milliseconds come from the caller.
 */
export interface ThroughputMeter {
  /** Starts a new measuring segment (after a pause, an evaluation or a new backend). */
  restart(): void;
  /** Records one completed step of `images` images at time `ms`. */
  record(ms: number, images: number): void;
  /** Images per second measured so far (kept across restarts until a new segment measures); 0 before any. */
  readonly imagesPerSecond: number;
  /** True once some measurement exists. */
  readonly measured: boolean;
  /** Seconds for `steps` more steps of `images` images each at the measured speed; null until measured. */
  etaSeconds(steps: number, images: number): number | null;
}

/** A meter that skips the first `warmup` completions (≥ 1: the first one only starts the clock). */
export function createThroughputMeter(warmup = 3): ThroughputMeter {
  const skip = Math.max(1, Math.floor(warmup));
  let seen = 0;
  let last = 0;
  let images = 0;
  let ms = 0;
  let rate = 0;
  let measured = false;
  return {
    restart() {
      seen = 0;
      images = 0;
      ms = 0;
    },
    record(now, count) {
      seen++;
      if (seen > skip) {
        images += count;
        ms += now - last;
        if (ms > 0) {
          rate = (images * 1000) / ms;
          measured = true;
        }
      }
      last = now;
    },
    get imagesPerSecond() {
      return rate;
    },
    get measured() {
      return measured;
    },
    etaSeconds(steps, count) {
      return measured && rate > 0 ? (steps * count) / rate : null;
    },
  };
}
