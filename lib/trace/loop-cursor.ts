/**
 * Where a reference loop is at one step of a figure: the name of the statement it executes
 * (a key of the code panel's snippet marks) and the loop variables' values at that moment,
 * in loop order, e.g. `[['n', 0], ['c', 1], ['oh', 2], ['ow', 0], ['kh', 1], ['kw', 0]]`.
 */
export interface LoopCursor {
  /** The marked statement this step runs (a key of `SourceSnippet.marks`). */
  readonly mark: string;
  /** Loop variables and their values, outermost loop first. */
  readonly vars: ReadonlyArray<readonly [name: string, value: number]>;
}
