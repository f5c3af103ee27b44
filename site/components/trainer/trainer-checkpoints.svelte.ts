/**
 * The trainer's checkpoint part: the automatic checkpoint in IndexedDB (read at start, saved on
 * pause, at each epoch end, every few hundred steps and when the page is hidden), the downloaded
 * and loaded `.unrolled` files' notes, and Forget. Saves and Forget run one at a time in the order
 * asked, so a Forget is never undone by a save that was already under way, and a save queued
 * before a Forget is dropped. A run that did not grow from the saved checkpoint (fresh weights
 * after Reset, another model) never replaces a better saved one without asking: the note says so
 * and offers "Save this run over it".
 */
import { decodeCheckpoint, encodeCheckpoint } from '../../../lib/train/checkpoint.ts';
import type { CheckpointMeta } from '../../../lib/train/checkpoint.ts';
import type { ParamsPayload } from '../../../lib/train/protocol.ts';
import { formatClock, formatInteger, formatPercent } from '../../../lib/viz/trainer/format.ts';
import {
  DamagedCheckpointError,
  forgetStoredCheckpoint,
  loadStoredCheckpoint,
  saveStoredCheckpoint,
  saveStoredCheckpointNow,
} from './checkpoint-store.ts';

/** A decoded checkpoint. */
export interface Checkpoint {
  readonly params: ParamsPayload;
  readonly meta: CheckpointMeta;
}

/* eslint-disable svelte/prefer-svelte-reactivity -- its Dates are read once to print a time; none is kept */
/** `step 1,874, epoch 2, 98.0% accuracy, saved today at 14:05:09`. */
export function describeMeta(meta: CheckpointMeta): string {
  const created = meta.created ? new Date(meta.created) : null;
  const when =
    created && !Number.isNaN(created.getTime())
      ? `, saved ${created.toDateString() === new Date().toDateString() ? 'today' : created.toLocaleDateString()} at ${formatClock(created)}`
      : '';
  const accuracy = meta.accuracy === undefined ? '' : `, ${formatPercent(meta.accuracy)} accuracy`;
  return `step ${formatInteger(meta.step)}, epoch ${Number(meta.epoch.toFixed(2))}${accuracy}${when}`;
}
/* eslint-enable svelte/prefer-svelte-reactivity */

/** True when `next` may replace `saved` although it did not grow from it. */
function atLeastAsGood(next: CheckpointMeta, saved: CheckpointMeta): boolean {
  if (saved.step === 0) return true;
  if (saved.accuracy !== undefined) return next.accuracy !== undefined && next.accuracy >= saved.accuracy;
  return next.step >= saved.step;
}

export class TrainerCheckpoints {
  note = $state('Looking for a saved checkpoint…');
  hasSaved = $state(false);
  loadError: string | null = $state(null);
  loaded: string | null = $state(null);
  /** A save that was held back because the saved checkpoint is better; "Save this run over it" writes it. */
  heldBack: Checkpoint | null = $state.raw(null);
  /** The saved checkpoint as last read or written (null: none, or unreadable). */
  saved: Checkpoint | null = $state.raw(null);
  /** True while the current run grew from the saved checkpoint (restored, or saved since). */
  continuesSaved = false;
  private chain: Promise<void> = Promise.resolve();
  /** Bumped by Forget: saves asked for before it are dropped. */
  private generation = 0;
  private available = true;
  /** A Forget is queued: a save on pagehide must not slip in before it. */
  private forgetting = false;

  /** Reads the automatic checkpoint; null when there is none or it cannot be read (the note says why). */
  async read(): Promise<Checkpoint | null> {
    try {
      const stored = await loadStoredCheckpoint();
      if (!stored) {
        this.note =
          'No checkpoint saved yet: one is saved automatically while training (every 200 steps), at each epoch end and when you pause.';
        return null;
      }
      this.hasSaved = true;
      try {
        this.saved = decodeCheckpoint(stored.bytes);
        return this.saved;
      } catch (error) {
        this.note = `The saved checkpoint could not be read (${error instanceof Error ? error.message : String(error)}); it will be replaced at the next save.`;
        return null;
      }
    } catch (error) {
      if (error instanceof DamagedCheckpointError) {
        // The store works; only the record is bad. Keep saving: the next save replaces it.
        this.hasSaved = true;
        this.note = `The saved checkpoint could not be read (${error.message}); it will be replaced at the next save.`;
        return null;
      }
      this.available = false;
      this.note = `Automatic checkpoints are off in this browser (${error instanceof Error ? error.message : String(error)}). Use Download weights to keep the weights.`;
      return null;
    }
  }

  /** A ticket for a save decided now but made later (after asking the worker): a Forget in between voids it. */
  ticket(): number {
    return this.generation;
  }

  /**
   * Queues a save of `params` with `meta`; resolves once written (or dropped: a Forget came after
   * `ticket`). `force` writes even over a better checkpoint this run did not grow from.
   */
  save(params: ParamsPayload, meta: CheckpointMeta, options: { force?: boolean; ticket?: number } = {}): Promise<void> {
    if (!this.available) return Promise.resolve();
    const force = options.force ?? false;
    const generation = options.ticket ?? this.generation;
    return this.enqueue(async () => {
      if (generation !== this.generation) return;
      const saved = this.saved;
      if (!force && !this.continuesSaved && saved && !atLeastAsGood(meta, saved.meta)) {
        this.heldBack = { params, meta };
        this.note = `Not saved automatically: the saved checkpoint (${describeMeta(saved.meta)}) is better than this run so far (step ${formatInteger(meta.step)}${meta.accuracy === undefined ? '' : `, ${formatPercent(meta.accuracy)}`}).`;
        return;
      }
      try {
        const record = await saveStoredCheckpoint(encodeCheckpoint(params, meta));
        this.saved = { params, meta };
        this.continuesSaved = true;
        this.heldBack = null;
        this.hasSaved = true;
        // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a Date read once to print a time
        this.note = `Checkpoint saved automatically at ${formatClock(new Date(record.savedAt))} (${describeMeta({ ...meta, created: '' })}). It comes back if you reload the page.`;
      } catch (error) {
        this.note = `The automatic checkpoint could not be saved (${error instanceof Error ? error.message : String(error)}). Use Download weights to keep them.`;
      }
    });
  }

  /**
   * For pagehide: writes at once, outside the queue (there is no time to wait), unless a Forget
   * or the better-checkpoint rule says no. False when it could not be issued.
   */
  saveAtOnce(params: ParamsPayload, meta: CheckpointMeta): boolean {
    if (!this.available || this.forgetting) return false;
    if (!this.continuesSaved && this.saved && !atLeastAsGood(meta, this.saved.meta)) return false;
    return saveStoredCheckpointNow(encodeCheckpoint(params, meta));
  }

  /** Writes the held-back run over the saved checkpoint (the reader said yes). */
  saveHeldBack(): Promise<void> {
    const held = this.heldBack;
    return held ? this.save(held.params, held.meta, { force: true }) : Promise.resolve();
  }

  /** Forgets the saved checkpoint, after any save under way; saves asked for before are dropped. */
  forget(): Promise<void> {
    this.generation++;
    this.forgetting = true;
    return this.enqueue(async () => {
      this.forgetting = false;
      try {
        await forgetStoredCheckpoint();
        this.hasSaved = false;
        this.saved = null;
        this.heldBack = null;
        this.continuesSaved = false;
        this.note = 'Saved checkpoint forgotten. A new one is saved at the next save point (every 200 steps, epoch end or pause).';
      } catch (error) {
        this.note = `Could not forget the saved checkpoint (${error instanceof Error ? error.message : String(error)}).`;
      }
    });
  }

  /** Resolves when every save and Forget asked for so far is done. */
  settled(): Promise<void> {
    return this.chain;
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    const next = this.chain.then(task, task);
    this.chain = next.catch(() => {});
    return next;
  }
}
