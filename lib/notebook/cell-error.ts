/**
 * An error a cell produced, as the reader sees it: the error's name and message exactly as it was
 * thrown (a ConvConfigError reads as the engine wrote it) and the cell line it came from (1-based,
 * null when the error did not come from the cell's own code, e.g. a worker that died).
 */
export interface CellErrorInfo {
  name: string;
  message: string;
  line: number | null;
}

/** A syntax error found before running, with its 1-based cell line. */
export class CellSyntaxError extends SyntaxError {
  readonly line: number;

  constructor(message: string, line: number) {
    super(message);
    this.name = 'SyntaxError';
    this.line = line;
  }
}

const ALLOCATION = /Array buffer allocation failed|Invalid typed array length|Invalid array length|Invalid string length|out of memory/i;

/**
 * The message of an error thrown by a cell. A failed allocation (a RangeError from a typed array
 * or array far too large for the page) is explained in plain words with the original text kept.
 */
export function errorMessage(error: unknown): { name: string; message: string } {
  if (error instanceof Error) {
    if (error.name === 'RangeError' && ALLOCATION.test(error.message)) {
      return {
        name: 'RangeError',
        message: `Out of memory: the cell asked for more memory than the page can allocate (${error.message}). The engine's own ops refuse any buffer over 2^28 floats with a ConvConfigError.`,
      };
    }
    return { name: error.name || 'Error', message: error.message };
  }
  return { name: 'Error', message: `Uncaught ${typeof error === 'string' ? JSON.stringify(error) : String(error)}` };
}
