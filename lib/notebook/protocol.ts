import type { OutputItem } from './output.ts';

/** Page → cell worker: run `source` as the cell named `name` (run `id`) in the worker's one scope. */
export interface RunRequest {
  type: 'run';
  id: number;
  name: string;
  source: string;
}

/** Cell worker → page: an output item of run `id`, in order, or the end of the run. */
export type WorkerReply = { type: 'output'; id: number; item: OutputItem } | { type: 'done'; id: number; ok: boolean; ms: number };
