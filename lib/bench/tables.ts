import type { BenchCase } from './cases.ts';
import { BENCH_CASES, caseIm2colBytes, toMegabytes } from './cases.ts';
import type { Pass } from './inputs.ts';
import { PASSES } from './inputs.ts';
import type { MethodInfo, BenchRun } from './run.ts';
import { findCell } from './run.ts';
import { hasWideSpread, speedup } from './stats.ts';
import type { Stats } from './stats.ts';
import { SEED_METHODS, SEED_SOURCE, seedSpeedup, seedTable } from './seed-figures.ts';

/**
 * The speed lesson's tables as plain data (view-model): one per pass and batch size for the seed
 * CNN, the reader's rows beside the seed slides' rows, and one for the AlexNet-sized layer with
 * the im2col buffer's size. All times in milliseconds per repetition.
 */

/** The statistics columns, in order. */
export const STAT_COLUMNS = ['mean', 'std', 'min', 'median', 'max'] as const;
export type StatColumn = (typeof STAT_COLUMNS)[number];

/** One row: who measured it, the method, its statistics in ms (null = not measured yet), and its speed-up over nested loops. */
export interface TableRow {
  readonly key: string;
  readonly source: 'reader' | 'seed';
  readonly label: string;
  /** The pass, in a table that mixes both (AlexNet). */
  readonly pass?: Pass;
  readonly stats: Readonly<Record<StatColumn, number | null>>;
  /** How many timed runs (or, for the seed, batches) the statistics summarise; null before a run. */
  readonly runs: number | null;
  readonly speedup: number | null;
  /** Whether its slowest run took more than 3× its median (hasWideSpread): the row is flagged. */
  readonly wideSpread: boolean;
  /** The im2col buffer in MB (AlexNet table only; 0 for a method that builds none). */
  readonly bufferMb?: number;
  /** Why the row has no numbers (not run yet, skipped, failed, stopped). */
  readonly note?: string;
}

/** Rows shown under one heading row: the reader's (per pass in the AlexNet table) or the seed's. */
export interface RowGroup {
  readonly id: string;
  readonly title: string;
  readonly source: 'reader' | 'seed';
  readonly rows: readonly TableRow[];
}

/** One table of the lesson. */
export interface ResultTable {
  readonly id: string;
  readonly title: string;
  readonly caption: string;
  readonly caseIds: readonly BenchCase['id'][];
  readonly rows: readonly TableRow[];
  /** Rows from the seed slides (empty for the AlexNet table). */
  readonly seedRows: readonly TableRow[];
  /** Whether the rows carry an im2col buffer column. */
  readonly hasBuffer: boolean;
  /** Columns of the table: method, the statistics, runs, speed-up, and the buffer when present. */
  readonly columnCount: number;
  /** The rows as displayed, under their headings (reader rows, then the seed's). */
  readonly groups: readonly RowGroup[];
}

const EMPTY: Record<StatColumn, null> = { mean: null, std: null, min: null, median: null, max: null };

function statsRecord(s: Stats | null): Record<StatColumn, number | null> {
  return s ? { mean: s.mean, std: s.std, min: s.min, median: s.median, max: s.max } : EMPTY;
}

function noteOf(status: string | undefined, note: string | undefined): string | undefined {
  if (status === undefined) return 'not run yet';
  if (status === 'done') return undefined;
  if (status === 'stopped') return 'stopped';
  return note ?? status;
}

/** The reader's rows for a case and pass: one per method of the run, speed-ups over the first (nested loops). */
function readerRows(run: BenchRun | null, methods: readonly MethodInfo[], c: BenchCase, pass: Pass, withBuffer: boolean): TableRow[] {
  const baseline = findCell(run, c.id, pass, methods[0]?.id ?? 'naive')?.stats ?? null;
  return methods.map((m) => {
    const cell = findCell(run, c.id, pass, m.id);
    const stats = cell?.stats ?? null;
    return {
      key: `${c.id}/${pass}/${m.id}`,
      source: 'reader' as const,
      label: m.label,
      pass,
      stats: statsRecord(stats),
      runs: stats?.n ?? null,
      speedup: speedup(baseline, stats),
      wideSpread: hasWideSpread(stats),
      ...(withBuffer ? { bufferMb: m.usesIm2col ? toMegabytes(caseIm2colBytes(c)) : 0 } : {}),
      ...(stats && cell?.status === 'done' ? {} : { note: noteOf(cell?.status, cell?.note) }),
    };
  });
}

/** The seed slides' rows for a pass and batch size, converted to ms. */
export function seedRows(pass: Pass, batch: number): TableRow[] {
  const table = seedTable(pass, batch);
  if (!table) return [];
  return SEED_METHODS.map((m) => {
    const st = table.stats[m.id];
    return {
      key: `seed/${pass}/${batch}/${m.id}`,
      source: 'seed' as const,
      label: `${m.label}, ${m.device}`,
      stats: { mean: st.mean * 1000, std: st.std * 1000, min: st.min * 1000, median: st.median * 1000, max: st.max * 1000 },
      runs: table.batches,
      speedup: seedSpeedup(table, m.id),
      wideSpread: hasWideSpread(st),
    };
  });
}

const PASS_TITLE: Record<Pass, string> = { forward: 'Forward', backward: 'Backward' };

/** The heading of the seed rows, with the credit. */
export const SEED_CREDIT = `Seed slides, “${SEED_SOURCE.title}” (${SEED_SOURCE.institution}): Python, whole network`;

/**
 * Every table of the lesson for a run (or for no run yet: the rows then have no numbers):
 * forward batch 1, forward batch 32, backward batch 1, backward batch 32 (the seed's order), then
 * the AlexNet-sized layer with both passes.
 */
export function resultTables(run: BenchRun | null, methods: readonly MethodInfo[] = run?.methods ?? []): ResultTable[] {
  const seedCases = BENCH_CASES.filter((c) => c.group === 'seed');
  const tables: ResultTable[] = [];
  for (const pass of PASSES) {
    for (const c of seedCases) {
      const rows = readerRows(run, methods, c, pass, false);
      const seed = seedRows(pass, c.batch);
      tables.push({
        id: `${pass}-b${c.batch}`,
        title: `${PASS_TITLE[pass]} pass, batch ${c.batch}`,
        caption: `${PASS_TITLE[pass]} pass of the seed CNN's three convolutions, batch ${c.batch}: milliseconds per batch. The slides' rows time the whole network in Python (${SEED_SOURCE.kind}, ${SEED_SOURCE.institution}).`,
        caseIds: [c.id],
        rows,
        seedRows: seed,
        hasBuffer: false,
        columnCount: STAT_COLUMNS.length + 3,
        groups: [
          { id: 'reader', title: 'In this browser', source: 'reader', rows },
          { id: 'seed', title: SEED_CREDIT, source: 'seed', rows: seed },
        ],
      });
    }
  }
  for (const c of BENCH_CASES.filter((x) => x.group === 'large')) {
    const l = c.layers[0];
    const byPass = PASSES.map((pass) => ({ pass, rows: readerRows(run, methods, c, pass, true) }));
    tables.push({
      id: c.id,
      title: `${c.label}: ${l.x.join('×')} input, ${l.w[0]} filters ${l.w[2]}×${l.w[3]}, stride ${l.stride}`,
      caption: `The AlexNet-sized layer, forward and backward: milliseconds per image, and the im2col buffer each method builds (MB = 10⁶ bytes).`,
      caseIds: [c.id],
      rows: byPass.flatMap((p) => p.rows),
      seedRows: [],
      hasBuffer: true,
      columnCount: STAT_COLUMNS.length + 4,
      groups: byPass.map((p) => ({
        id: p.pass,
        title: `${PASS_TITLE[p.pass]} pass, in this browser`,
        source: 'reader' as const,
        rows: p.rows,
      })),
    });
  }
  return tables;
}
