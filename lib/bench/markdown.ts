import type { BenchRun } from './run.ts';
import type { ResultTable, TableRow } from './tables.ts';
import { STAT_COLUMNS, resultTables } from './tables.ts';
import { formatMegabytes, formatMs, formatSpeedup } from './format.ts';
import { SEED_SOURCE } from './seed-figures.ts';
import { WIDE_SPREAD_FACTOR } from './stats.ts';

/** Escapes a table cell: pipes and line breaks would break the row. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

function rowCells(row: TableRow, table: ResultTable): string[] {
  const label = row.pass && table.hasBuffer ? `${row.pass} · ${row.label}` : row.label;
  const who = row.source === 'seed' ? 'seed slides' : 'this browser';
  const values = STAT_COLUMNS.map((k) => formatMs(row.stats[k]));
  const extra = table.hasBuffer ? [row.bufferMb === undefined ? '—' : formatMegabytes(row.bufferMb)] : [];
  return [
    who,
    label,
    ...values,
    row.runs === null ? '—' : String(row.runs),
    formatSpeedup(row.speedup),
    ...extra,
    row.wideSpread ? 'wide' : '',
  ];
}

/** One table as GitHub-flavoured Markdown, the reader's rows then the seed's. */
export function tableToMarkdown(table: ResultTable): string {
  const header = [
    'measured by',
    'method',
    'mean ms',
    'std ms',
    'min ms',
    'median ms',
    'max ms',
    'runs',
    'speed-up',
    ...(table.hasBuffer ? ['im2col buffer MB'] : []),
    'spread',
  ];
  const align = header.map((_, k) => (k < 2 ? '---' : '---:'));
  const lines = [`### ${table.title}`, '', table.caption, '', `| ${header.join(' | ')} |`, `| ${align.join(' | ')} |`];
  for (const row of [...table.rows, ...table.seedRows]) lines.push(`| ${rowCells(row, table).map(cell).join(' | ')} |`);
  return lines.join('\n');
}

/**
 * A whole run as Markdown: a heading with the label, the environment and settings, every table,
 * speed-ups as the ratio of median times over nested loops, and the credit for the seed's figures.
 */
export function runToMarkdown(run: BenchRun, label = ''): string {
  const title = label.trim() ? `## Unrolled speed benchmark: ${label.trim()}` : '## Unrolled speed benchmark';
  const head = [
    title,
    '',
    `- Environment: ${run.environment}`,
    `- WebGL2: ${run.webgl}`,
    `- Started: ${run.startedAt}`,
    `- Up to ${run.repetitions} timed repetitions per cell (the runs column) after ${run.warmup} warm-up run${run.warmup === 1 ? '' : 's'}${run.stopped ? ' (stopped early)' : ''}`,
    '- Speed-up: median time of nested loops over the method’s median time (the seed rows: the slides’ ratio of means).',
    `- Spread “wide”: the slowest run took more than ${WIDE_SPREAD_FACTOR}× the median; trust the median there, not the mean.`,
  ];
  const tables = resultTables(run).map(tableToMarkdown);
  const credit = `Seed rows: “${SEED_SOURCE.title}” (${SEED_SOURCE.kind}, ${SEED_SOURCE.institution}). ${SEED_SOURCE.note}`;
  return [...head, '', ...tables.flatMap((t) => [t, '']), credit, ''].join('\n');
}
