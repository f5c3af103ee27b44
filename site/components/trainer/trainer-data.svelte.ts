/**
 * The trainer's data part: downloads the four MNIST files from the site (with byte progress),
 * checks each one, and, when some are missing or broken, keeps the good ones and asks only for
 * the others through the file picker. `onloaded` hears the train and test sets once all four are
 * good. State is reactive (Svelte runes) for the Data panel.
 */
import {
  MAX_UNPACKED_BYTES,
  MNIST_FILES,
  MnistDataError,
  formatCount,
  identifyMnistFileName,
  loadMnistFromBuffers,
} from '../../../lib/data/index.ts';
import type { MnistBuffers, MnistData, MnistFileKey } from '../../../lib/data/index.ts';
import { formatInteger } from '../../../lib/viz/trainer/format.ts';
import { progressFetch } from './progress-fetch.ts';

/** Where loading stands: downloading/reading, done, files missing, or a file broken. */
export type DataPhase = 'loading' | 'loaded' | 'missing' | 'error';

/** The test digits the views need (confusion matrix, digit grid, drawing pad, feature maps). */
export interface TestDigits {
  readonly images: Uint8Array;
  readonly labels: Uint8Array;
  readonly count: number;
}

/** How the credit line names the set: the full published one, or another (a split, a subset). */
function describeSet(data: MnistData, from: 'site' | 'files'): string {
  const full = data.train.count === 60_000 && data.test.count === 10_000;
  const where = from === 'site' ? 'from this site' : 'from your files';
  return `Loaded ${formatInteger(data.train.count)} training and ${formatInteger(data.test.count)} test digits ${where}${full ? ': the full MNIST set' : ''}.`;
}

export class TrainerData {
  phase: DataPhase = $state('loading');
  status = $state('Loading the MNIST digits…');
  detail: string | null = $state(null);
  error: string | null = $state(null);
  received = $state(0);
  expected = $state(0);
  test: TestDigits | null = $state.raw(null);
  /** Files known good or not yet checked, by key: downloaded from the site, or picked. */
  private files: Partial<Record<MnistFileKey, Uint8Array | File>> = {};

  private readonly dataUrl: string;
  private readonly onloaded: (data: MnistData) => void;

  constructor(dataUrl: string, onloaded: (data: MnistData) => void) {
    this.dataUrl = dataUrl;
    this.onloaded = onloaded;
  }

  /** Downloads the four files; on a failure keeps the ones that arrived and says which are needed. */
  async loadFromSite(): Promise<void> {
    this.phase = 'loading';
    this.status = 'Downloading the MNIST digits (four files)…';
    const sizes = Object.fromEntries(MNIST_FILES.map((f) => [f.fileName, f.gzipBytes ?? 0]));
    const fetchWithProgress = progressFetch(
      (got, want) => {
        this.received = got;
        this.expected = want;
      },
      sizes,
      fetch,
      MAX_UNPACKED_BYTES,
    );
    const base = this.dataUrl.endsWith('/') ? this.dataUrl : `${this.dataUrl}/`;
    const failed: string[] = [];
    await Promise.all(
      MNIST_FILES.map(async (spec) => {
        try {
          const response = await fetchWithProgress(`${base}${spec.fileName}`);
          if (!response.ok) throw new Error(`HTTP ${response.status}`);
          this.files[spec.key] = new Uint8Array(await response.arrayBuffer());
        } catch (error) {
          failed.push(`${spec.fileName} (${error instanceof Error ? error.message : String(error)})`);
        }
      }),
    );
    if (failed.length) {
      this.phase = 'missing';
      this.status =
        failed.length === MNIST_FILES.length
          ? 'The MNIST digits are not on this site. Pick the four files below (train-images-idx3-ubyte.gz and the other three, from the MNIST site). If you run this site yourself, npm install puts them in the build, or npm run data downloads the originals.'
          : `${failed.length} of the four MNIST files did not arrive; pick ${failed.length === 1 ? 'it' : 'them'} below (the others are kept).`;
      this.detail = `Not found on this site: ${failed.join(', ')}.`;
      return;
    }
    await this.tryLoad('site');
  }

  /** Takes picked or dropped files (any number), sorted out by name; loads once all four are there. */
  async pick(files: File[]): Promise<void> {
    this.detail = null;
    const unknown: string[] = [];
    const huge: string[] = [];
    for (const file of files) {
      const key = identifyMnistFileName(file.name);
      // No MNIST file, packed or not, is larger than the unpacked training images: never read one that is.
      if (key && file.size > MAX_UNPACKED_BYTES) huge.push(file.name);
      else if (key) this.files[key] = file;
      else unknown.push(file.name);
    }
    const notes = [
      unknown.length
        ? `Could not tell which MNIST file ${unknown.map((n) => `“${n}”`).join(', ')} is; keep the standard names, e.g. train-images-idx3-ubyte.gz.`
        : '',
      huge.length
        ? `${huge.map((n) => `“${n}”`).join(', ')} ${huge.length === 1 ? 'is' : 'are'} larger than ${formatCount(MAX_UNPACKED_BYTES)} bytes, more than any MNIST file; pick the published file instead.`
        : '',
    ].filter(Boolean);
    const unknownNote = notes.length ? notes.join(' ') : null;
    this.error = unknownNote;
    const missing = MNIST_FILES.filter((spec) => !this.files[spec.key]);
    if (missing.length) {
      this.status = `Got ${4 - missing.length} of the 4 files; still missing: ${missing.map((s) => s.fileName).join(', ')}.`;
      return;
    }
    await this.tryLoad('files', unknownNote);
  }

  private async tryLoad(from: 'site' | 'files', note: string | null = null): Promise<void> {
    this.phase = 'loading';
    this.expected = 0;
    this.status = from === 'site' ? 'Unpacking and checking the digits…' : 'Reading the four files…';
    try {
      const entries = await Promise.all(
        MNIST_FILES.map(async (spec) => {
          const file = this.files[spec.key]!;
          return [spec.key, file instanceof Uint8Array ? file : new Uint8Array(await file.arrayBuffer())] as const;
        }),
      );
      const data = await loadMnistFromBuffers(Object.fromEntries(entries) as MnistBuffers);
      this.test = { images: data.test.images, labels: data.test.labels, count: data.test.count };
      this.phase = 'loaded';
      this.error = null;
      this.detail = null;
      this.status = describeSet(data, from);
      this.files = {};
      this.onloaded(data);
    } catch (error) {
      this.phase = 'error';
      const message = error instanceof Error ? error.message : String(error);
      this.error = note ? `${message} ${note}` : message;
      const key = error instanceof MnistDataError ? identifyMnistFileName(error.file) : null;
      if (key) {
        delete this.files[key];
        this.status = `${error instanceof MnistDataError ? error.file : 'A file'} could not be used; pick a good copy of it below (the other files are kept).`;
      } else {
        this.files = {};
        this.status = 'These files could not be used. Pick the four files again.';
      }
    }
  }
}
