/**
 * What went wrong with an MNIST file, for programmatic use (UI hints, tests):
 * - `not-gzip`, `corrupt-gzip`: the bytes could not be unpacked;
 * - `bad-magic`, `bad-type`, `bad-shape`: the header is not the one expected;
 * - `truncated`, `too-long`: the data length disagrees with the header's dimensions;
 * - `bad-label`: a label outside 0..9;
 * - `count-mismatch`: the image and label files hold different numbers of digits;
 * - `checksum`, `size`: the file is not the published one;
 * - `download`: no mirror delivered a valid copy.
 */
export type MnistDataProblem =
  | 'not-gzip'
  | 'corrupt-gzip'
  | 'bad-magic'
  | 'bad-type'
  | 'bad-shape'
  | 'truncated'
  | 'too-long'
  | 'bad-label'
  | 'count-mismatch'
  | 'checksum'
  | 'size'
  | 'download';

/** The advice appended to every data error: how to get good files. */
export const MNIST_REMEDY = 'Download it again with `npm run data`, or pick the four files from the MNIST site.';

/**
 * The error the data layer throws for a file that is not a usable MNIST file. The message names the
 * file, says what is wrong with numbers (expected vs got) and what to do; `file` and `problem`
 * repeat the essentials for programmatic use.
 */
export class MnistDataError extends Error {
  readonly file: string;
  readonly problem: MnistDataProblem;

  constructor(file: string, problem: MnistDataProblem, message: string) {
    super(message);
    this.name = 'MnistDataError';
    this.file = file;
    this.problem = problem;
  }
}

/**
 * Formats a byte or item count with thousands separators: 47040016 → `47,040,016`. Counts beyond
 * 2⁵³ (where a double no longer holds every integer) read in scientific notation with three
 * significant digits, `1.84e+19`; a non-finite count reads "more than any memory holds".
 */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return 'more than any memory holds';
  if (Math.abs(n) > Number.MAX_SAFE_INTEGER) return n.toExponential(2);
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
