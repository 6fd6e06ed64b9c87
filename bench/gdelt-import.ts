/**
 * GDELT import bench: how fast `timeline import gdelt` writes the real GDELT batch through the command handlers
 * into the embedded store, beside the rate of only parsing the same rows in the same run.
 *
 *   npx tsx bench/gdelt-import.ts [--copies 10]
 *   npm run bench:gdelt -- --copies 10
 *
 * The input is the project's fixture, test/fixtures/gdelt/20150218230000.export.CSV (2,271 rows), once as it is
 * (a cold process, every actor new), and --copies times over with GLOBALEVENTID shifted per copy, so that the
 * rows are new developments of the same actors (a steady state, as a day of batches would be). Each import runs
 * into a fresh temp data directory through importGdelt, the code `timeline import gdelt` runs; then the copies are
 * imported again (every row already present). Baselines, same rows, same run: parsing only (parseGdeltRow), and
 * parsing and mapping to commands (gdeltRows) without writing.
 *
 * A rejected row, a count that is not the rows' (imported, then already present) or any error voids the run:
 * "bench void: <what>", exit code 1.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createCommandBus } from '../src/application/commands/index.js';
import { gdeltRows, importGdelt } from '../src/import/gdelt/import-gdelt.js';
import { parseGdeltRow } from '../src/import/gdelt/parse-gdelt-row.js';
import { numberedLines, type NamedText } from '../src/import/read-text-files.js';
import type { ImportCounts } from '../src/import/run-import.js';
import { withEventCatalog } from '../src/store/catalog-store.js';
import { DATABASE_FILE, openSqliteEventStore } from '../src/store/sqlite/sqlite-event-store.js';
import { BenchVoid, installLifecycle, runBench, shutdown, trackTempDir } from './support/lifecycle.js';
import { integerOption, optionsOrExit, parseBenchArgs } from './support/options.js';

const USAGE = 'usage: npx tsx bench/gdelt-import.ts [--copies 10]';
const WATCHDOG_MINUTES = 30;

const readCopies = (): number => {
  const values = parseBenchArgs({ copies: { type: 'string' } }, USAGE);
  return integerOption(values.copies, 'copies', 10, 1, 10_000);
};
const copies = optionsOrExit(readCopies, USAGE);

const SAMPLE = path.resolve(import.meta.dirname, '../test/fixtures/gdelt/20150218230000.export.CSV');
const sample: NamedText = { name: SAMPLE, text: readFileSync(SAMPLE, 'utf8') };
const rowsOf = (text: NamedText) => numberedLines(text.text).length;

/** The sample again, each copy's GLOBALEVENTIDs moved by 10,000,000 × its number: new events, same actors. */
const shifted: NamedText = {
  name: `${copies} copies of ${path.basename(SAMPLE)}`,
  text: Array.from({ length: copies }, (_, copy) =>
    numberedLines(sample.text)
      .map(({ line }) => {
        const tab = line.indexOf('\t');
        return `${Number(line.slice(0, tab)) + copy * 10_000_000}${line.slice(tab)}`;
      })
      .join('\n'),
  ).join('\n'),
};

const rate = (rows: number, ms: number) => Math.round((rows * 1000) / ms);
const figure = (rows: number, ms: number) =>
  `${rate(rows, ms).toLocaleString('en-US')} rows/s (${rows.toLocaleString('en-US')} rows, ${(ms / 1000).toFixed(2)} s)`;

const timeParse = (text: NamedText, mapToo: boolean): number => {
  const started = performance.now();
  let rows = 0;
  if (mapToo) for (const _ of gdeltRows([text], [])) rows += 1;
  else for (const { line } of numberedLines(text.text)) if (parseGdeltRow(line)) rows += 1;
  if (rows !== rowsOf(text)) throw new BenchVoid(`parsed ${rows} rows of ${rowsOf(text)}`);
  return performance.now() - started;
};

const freshStore = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'timeline-gdelt-bench-'));
  trackTempDir(dir);
  return withEventCatalog(openSqliteEventStore({ file: path.join(dir, DATABASE_FILE) }));
};

const timeImport = async (
  store: ReturnType<typeof freshStore>,
  text: NamedText,
): Promise<{ ms: number; counts: ImportCounts }> => {
  const started = performance.now();
  const counts = await importGdelt(createCommandBus({ store }), [text], [], {
    onReject: (row) => {
      throw new BenchVoid(`line ${row.line} was rejected: ${row.reason}`);
    },
  });
  return { ms: performance.now() - started, counts };
};

const main = async (): Promise<void> => {
  process.stderr.write(`gdelt import bench: the sample (${rowsOf(sample)} rows), then ${copies} copies\n`);
  const cold = freshStore();
  const first = await timeImport(cold, sample);
  await cold.close();
  const steady = freshStore();
  const bulk = await timeImport(steady, shifted);
  const again = await timeImport(steady, shifted);
  await steady.close();
  if (bulk.counts.imported !== rowsOf(shifted) || again.counts.alreadyPresent !== rowsOf(shifted)) {
    throw new BenchVoid(`unexpected counts: ${JSON.stringify({ bulk: bulk.counts, again: again.counts })}`);
  }
  // Parsed after the imports, so that the baselines run on a warm JIT too.
  const parseOnly = timeParse(shifted, false);
  const parseAndMap = timeParse(shifted, true);
  const rows = rowsOf(shifted);
  const lines = [
    `gdelt import bench: ${path.basename(SAMPLE)} (${rowsOf(sample)} rows) and ${copies} shifted copies; node ${process.version}`,
    '',
    '| figure | measured | baseline, same run | ratio | goal |',
    '|---|---|---|---|---|',
    `| import, ${copies} copies (steady state) | ${figure(rows, bulk.ms)} | parsing only: ${figure(rows, parseOnly)} | ${(parseOnly / bulk.ms).toFixed(2)} | ≥ 10,000 rows/s: ${rate(rows, bulk.ms) >= 10_000 ? 'met' : 'not met'} |`,
    `| import, the sample alone (cold process, ${first.counts.firstSightAppends} actors new) | ${figure(rowsOf(sample), first.ms)} | – | – | – |`,
    `| import again (every row already present) | ${figure(rows, again.ms)} | – | – | – |`,
    `| parse and map to commands, no write | ${figure(rows, parseAndMap)} | parsing only: ${figure(rows, parseOnly)} | ${(parseOnly / parseAndMap).toFixed(2)} | – |`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  await shutdown(0);
};

installLifecycle({ ms: WATCHDOG_MINUTES * 60_000, why: `${WATCHDOG_MINUTES} minutes` });
runBench(main);
