/**
 * The /train page's controller: one object that owns the data part (TrainerData: download, check,
 * pick files), the run part (TrainerRun: settings, the training worker, the view of the run) and
 * the checkpoint part (TrainerCheckpoints: IndexedDB autosave, files, Forget), and wires them:
 * data → worker; a saved checkpoint → restored weights that go on from their step; pauses, epoch
 * ends, every SAVE_EVERY_STEPS steps and a hidden page → saves. Trainer.svelte only lays it out.
 */
import type { MnistData } from '../../../lib/data/index.ts';
import { CHECKPOINT_EXTENSION, CheckpointError, decodeCheckpoint, encodeCheckpoint } from '../../../lib/train/checkpoint.ts';
import type { CheckpointMeta } from '../../../lib/train/checkpoint.ts';
import { DEFAULT_SETTINGS, SETTINGS_QUERY_KEYS, checkSettings, settingsFromQuery, settingsToQuery } from '../../../lib/train/settings.ts';
import type { FromWorker, ParamsPayload } from '../../../lib/train/protocol.ts';
import { ConvConfigError } from '../../../lib/errors.ts';
import { formatInteger } from '../../../lib/viz/trainer/format.ts';
import { currentQuery, replaceQuery } from '../../../lib/viz/url-query.ts';
import { TrainerData } from './trainer-data.svelte.ts';
import { TrainerRun } from './trainer-run.svelte.ts';
import type { Snapshot } from './trainer-run.svelte.ts';
import { TrainerCheckpoints, describeMeta } from './trainer-checkpoints.svelte.ts';
import { probeWebGL } from '../../../lib/webgl/probe.ts';
import { presetOfNet } from '../../../lib/train/net-model.ts';

/** A network for messages and file names: its preset's name, or its text form. */
function netLabel(net: string): string {
  return presetOfNet(net)?.name ?? net;
}

/** Steps between automatic saves while training (the most a hard close can lose). */
export const SAVE_EVERY_STEPS = 200;
/** How often the weights shown (filters, drawing pad) are refreshed while training, ms. */
const SNAPSHOT_EVERY_MS = 10_000;
/**
 * How often, while training, the page fetches the weights quietly (not redrawn) so that a save on
 * pagehide (a reload or close without Pause) loses at most this much training, ms.
 */
const KEEP_EVERY_MS = 1_000;

export class TrainerController {
  readonly data: TrainerData;
  readonly run: TrainerRun;
  readonly checkpoints = new TrainerCheckpoints();
  queryNotes: string[] = $state([]);
  settingsReady = $state(false);

  /** The step of the weights last saved (or restored), so saves only happen when there is news. */
  private savedStep = -1;
  private saving: Promise<void> | null = null;
  /** The latest accuracy measured on the current weights (quick check or full test). */
  private accuracy: number | undefined = undefined;
  private restored: { params: ParamsPayload; meta: CheckpointMeta } | null = null;
  private snapshotTimer: ReturnType<typeof setInterval> | null = null;
  private keepTimer: ReturnType<typeof setInterval> | null = null;
  /** The newest weights the worker sent (any 'params' or epoch end), for a save on pagehide. */
  private newest: Snapshot | null = null;

  constructor(dataUrl: string) {
    this.data = new TrainerData(dataUrl, (d) => this.begin(d));
    this.run = new TrainerRun((m) => this.onWorker(m));
  }

  /** Starts loading data and the saved checkpoint; returns the teardown. */
  mount(): () => void {
    let alive = true;
    const probe = probeWebGL();
    this.run.maxTextureSize = probe.ok ? probe.maxTextureSize : null;
    const loading = this.data.loadFromSite();
    void (async () => {
      this.restored = await this.checkpoints.read();
      const read = settingsFromQuery(currentQuery(), this.restored?.meta.settings ?? DEFAULT_SETTINGS);
      this.run.useSettings(read.settings);
      this.queryNotes = read.problems.map((p) => `The link's ${p.key}=${p.value} was ignored: ${p.message}.`);
      this.settingsReady = true;
      await loading;
      if (alive && this.pendingData) this.begin(this.pendingData);
    })();
    const onHidden = () => {
      if (document.visibilityState === 'hidden') void this.saveNow();
    };
    const onPageHide = () => this.saveShown();
    document.addEventListener('visibilitychange', onHidden);
    window.addEventListener('pagehide', onPageHide);
    return () => {
      alive = false;
      document.removeEventListener('visibilitychange', onHidden);
      window.removeEventListener('pagehide', onPageHide);
      this.stopSnapshots();
      this.run.stop();
    };
  }

  /** Writes the settings into the URL query (other keys kept); call from an effect. */
  syncQuery(): void {
    if (!this.settingsReady) return;
    const query = currentQuery();
    for (const key of SETTINGS_QUERY_KEYS) query.delete(key);
    for (const [key, value] of settingsToQuery(this.run.form.settings)) query.set(key, value);
    replaceQuery(query);
  }

  private pendingData: MnistData | null = null;

  /** Data is in: start the worker, restoring the saved checkpoint when it fits the chosen model. */
  private begin(data: MnistData): void {
    if (!this.settingsReady) {
      this.pendingData = data;
      return;
    }
    this.pendingData = null;
    this.run.start(data);
    const chosen = this.run.form.settings;
    const saved = this.restored && this.restored.params.net === chosen.net ? this.restored : null;
    this.restored = null;
    this.accuracy = saved?.meta.accuracy;
    if (saved) {
      this.run.configure(chosen, saved.params, { step: saved.meta.step, epoch: saved.meta.epoch });
      this.run.showParams(saved.params, saved.meta.step);
      this.savedStep = saved.meta.step;
      this.checkpoints.continuesSaved = true;
      this.checkpoints.note = `Restored the checkpoint saved automatically (${describeMeta(saved.meta)}) after the reload. Training goes on from it; Reset starts from fresh weights.`;
    } else {
      this.run.configure(chosen);
      if (this.checkpoints.saved) {
        const other = this.checkpoints.saved;
        this.checkpoints.note = `A saved checkpoint for the network ${netLabel(other.params.net)} (${describeMeta(other.meta)}) is kept but not used, because this page is set to ${netLabel(chosen.net)}.`;
      }
    }
  }

  private onWorker(message: FromWorker): void {
    switch (message.type) {
      case 'state':
        if (message.state === 'ready' || message.state === 'done') void this.run.snapshot();
        if (message.state === 'paused') void this.saveNow();
        if (message.state === 'training') this.startSnapshots();
        else this.stopSnapshots();
        break;
      case 'progress':
        if (this.run.view.state === 'training' && message.step - this.savedStep >= SAVE_EVERY_STEPS) void this.saveNow();
        break;
      case 'validation':
        this.accuracy = message.accuracy;
        break;
      case 'epoch': {
        this.accuracy = message.testAccuracy;
        const step = message.epoch * this.run.latest.stepsPerEpoch;
        this.newest = { params: message.params, step, epoch: message.epoch };
        void this.save(this.newest);
        break;
      }
      case 'params':
        if (!this.newest || message.step >= this.newest.step)
          this.newest = { params: message.params, step: message.step, epoch: message.epoch };
        break;
      case 'rolled-back':
        this.accuracy = undefined;
        break;
    }
  }

  private startSnapshots(): void {
    this.snapshotTimer ??= setInterval(() => void this.run.snapshot(), SNAPSHOT_EVERY_MS);
    this.keepTimer ??= setInterval(() => void this.run.snapshot(true), KEEP_EVERY_MS);
  }

  private stopSnapshots(): void {
    if (this.snapshotTimer) clearInterval(this.snapshotTimer);
    if (this.keepTimer) clearInterval(this.keepTimer);
    this.snapshotTimer = null;
    this.keepTimer = null;
  }

  private meta(snap: { step: number; epoch: number }): CheckpointMeta {
    return {
      step: Math.max(0, Math.round(snap.step)),
      epoch: Math.max(0, snap.epoch),
      settings: this.run.applied,
      // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a Date read once for its ISO text
      created: new Date().toISOString(),
      ...(this.accuracy === undefined ? {} : { accuracy: this.accuracy }),
    };
  }

  private save(snap: Snapshot, ticket?: number): Promise<void> {
    this.savedStep = Math.max(this.savedStep, snap.step);
    return this.checkpoints.save(snap.params, this.meta(snap), { ticket });
  }

  /** Asks the worker for its weights and saves them, unless a save is already on its way. */
  saveNow(): Promise<void> {
    if (this.saving) return this.saving;
    const ticket = this.checkpoints.ticket();
    this.saving = (async () => {
      try {
        const snap = await this.run.snapshot();
        if (snap && snap.step > this.savedStep) await this.save(snap, ticket);
      } finally {
        this.saving = null;
      }
    })();
    return this.saving;
  }

  /** On pagehide: writes the newest weights the page already holds, at once (no time to ask the worker). */
  private saveShown(): void {
    const snap = this.newest;
    if (snap && snap.step > this.savedStep && this.checkpoints.saveAtOnce(snap.params, this.meta(snap))) this.savedStep = snap.step;
  }

  // --- commands from the page ---

  pressPrimary(): void {
    const pausing = this.run.primary.message === 'pause';
    this.run.pressPrimary();
    // The snapshot request queues behind the pause in the worker: its reply is the paused weights,
    // one round trip sooner than waiting for the 'paused' state (a reload right after Pause keeps them).
    if (pausing) void this.saveNow();
  }

  reset(): void {
    this.newest = null;
    this.checkpoints.loaded = null;
    this.run.note = null;
    this.accuracy = undefined;
    this.savedStep = -1;
    this.checkpoints.continuesSaved = false;
    this.run.reset();
  }

  async continueOnCpu(): Promise<void> {
    const snap = await this.run.snapshot();
    const weights = snap?.params ?? this.run.view.params ?? undefined;
    const settings = checkSettings({ ...this.run.form.settings, backend: 'cpu' });
    this.run.useSettings(settings);
    this.run.configure(settings, weights, snap ? { step: snap.step, epoch: snap.epoch } : undefined);
    this.run.send({ type: 'train' });
    this.run.note = snap
      ? `Continuing on the CPU from the weights kept at step ${formatInteger(snap.step)}.`
      : 'Continuing on the CPU from the last weights shown; the step and epoch counts start again.';
  }

  forget(): Promise<void> {
    this.savedStep = Number.POSITIVE_INFINITY; // no automatic save until the run moves on
    return this.checkpoints.forget().then(() => {
      this.savedStep = this.run.latest.step;
    });
  }

  async download(): Promise<void> {
    const snap = await this.run.snapshot();
    const payload = snap?.params ?? this.run.view.params;
    if (!payload) {
      this.checkpoints.loadError = 'There are no weights to download yet: wait until the model is built.';
      return;
    }
    const step = snap?.step ?? this.run.view.paramsStep;
    const perEpoch = this.run.latest.stepsPerEpoch;
    const bytes = encodeCheckpoint(payload, this.meta({ step, epoch: snap?.epoch ?? (perEpoch ? step / perEpoch : 0) }));
    const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `unrolled-${presetOfNet(payload.net)?.name ?? 'own-net'}-step-${step}${CHECKPOINT_EXTENSION}`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 30_000);
    this.checkpoints.loaded = `Downloaded ${a.download}.`;
  }

  async loadWeights(file: File): Promise<void> {
    this.checkpoints.loadError = null;
    this.checkpoints.loaded = null;
    try {
      const { params, meta } = decodeCheckpoint(new Uint8Array(await file.arrayBuffer()));
      const settings = checkSettings({
        ...this.run.form.settings,
        net: params.net,
        ...(meta.settings ? { epochs: Math.max(meta.settings.epochs, this.run.form.settings.epochs) } : {}),
      });
      const switched = params.net !== this.run.form.settings.net;
      const previous = this.run.form.settings;
      this.run.useSettings(settings);
      if (this.run.net.table.blocked) {
        // The engine builds the file's network, but the chosen backend cannot hold it: keep the run as it was.
        const why = this.run.net.table.rows.find((r) => r.blocking)?.limit ?? 'the backend cannot hold it';
        this.run.useSettings(previous);
        this.checkpoints.loadError = `${file.name}: its network ${params.net} cannot train here: ${why}. The current network stays in use.`;
        return;
      }
      this.accuracy = meta.accuracy;
      this.checkpoints.continuesSaved = false;
      this.run.configure(settings, params, { step: meta.step, epoch: meta.epoch });
      this.run.showParams(params, meta.step);
      this.savedStep = meta.step;
      this.checkpoints.loaded = `Loaded ${file.name}: weights for ${netLabel(params.net)} (${describeMeta(meta)}). ${switched ? 'The layer editor switched to its network. ' : ''}Training goes on from them.`;
    } catch (error) {
      this.checkpoints.loadError =
        error instanceof CheckpointError || error instanceof ConvConfigError
          ? `${file.name}: ${error.message}`
          : `Could not read ${file.name} (${error instanceof Error ? error.message : String(error)}).`;
    }
  }
}
