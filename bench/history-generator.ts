/**
 * A seeded, reproducible generator of realistic synthetic histories, as commands for the one write path.
 *
 *   npx tsx bench/history-generator.ts --developments N --seed S --data-dir DIR [--actors 2000] [--topics 300]
 *
 * writes the history into DIR/timeline.db through createCommandBus (the command handlers, the catalog store), and
 * prints its progress to stderr, one plain line at a time.
 *
 * What the history looks like (all draws from one sfc32 stream seeded from --seed, never Math.random, so the same
 * options give the same commands):
 * - a cast first: every actor registered (persons, states, organizations, groups), topics opened (a fifth of them
 *   roots opened in 2014, the rest under a parent, opened later), roles assigned to most persons;
 * - then the developments, in recording order: occurredAt walks from 2015 to 2025 with a little jitter, so the log
 *   is mostly in world order, but 5% arrive late (occurredAt months or years before the ones recorded around
 *   them) and 2% share the exact instant of the development before them; DAY/MONTH/YEAR precisions fall on
 *   midnight, the first of the month, New Year, which makes more ties;
 * - actors and topics are picked with a Zipf law (exponent 1.1 by default) over a seeded shuffle of the ids, so a
 *   few are very active and most are rarely named; 1 to 4 participants, SOURCE then TARGET (then either);
 * - ~20% of developments assert positions (stances of participants on the development's topics), ~3% carry a
 *   meeting step over ~2,000 meeting ids, ~70% a tone, some quotes, modes, locations, CAMEO codes;
 * - interleaved with them: 1% corrections (a patch of occurredAt, positions, tone or the meeting step, at the
 *   development's current revision), 0.3% retractions (at its revision; nothing touches it afterwards), 2%
 *   verifications, a few topic status changes. Their targets are drawn from the last 20,000 developments, the
 *   recent ones more often.
 *
 * The commands are `{ command, input }` with the input exactly as the contract's mutation input (instants as ISO
 * strings, as the NDJSON importer hands them in).
 *
 * The generator lives in bench/history/ (historyCommands, writeHistory); this file is its command line.
 */
import path from 'node:path';
import { DEFAULT_HISTORY } from './history/history-options.js';
import { writeHistory, type WriteHistoryOptions } from './history/write-history.js';
import { runBench } from './support/lifecycle.js';
import { integerOption, numberOption, optionsOrExit, parseBenchArgs } from './support/options.js';

const USAGE = `usage: npx tsx bench/history-generator.ts --developments N --seed S --data-dir DIR
       [--actors 2000] [--topics 300] [--meetings 2000] [--zipf 1.1] [--batch 1000]
  writes the history into DIR/timeline.db through the command handlers (DIR must hold no events yet)`;

const MAX = Number.MAX_SAFE_INTEGER;

const readOptions = (): WriteHistoryOptions & { developments: number } => {
  const values = parseBenchArgs(
    {
      developments: { type: 'string' },
      seed: { type: 'string' },
      'data-dir': { type: 'string' },
      actors: { type: 'string' },
      topics: { type: 'string' },
      meetings: { type: 'string' },
      zipf: { type: 'string' },
      batch: { type: 'string' },
    },
    USAGE,
  );
  if (values['data-dir'] === undefined) throw new Error('--data-dir is required');
  return {
    dataDir: path.resolve(values['data-dir']),
    developments: integerOption(values.developments, 'developments', DEFAULT_HISTORY.developments, 1, MAX),
    seed: integerOption(values.seed, 'seed', DEFAULT_HISTORY.seed, 1, MAX),
    actors: integerOption(values.actors, 'actors', DEFAULT_HISTORY.actors, 1, MAX),
    topics: integerOption(values.topics, 'topics', DEFAULT_HISTORY.topics, 1, MAX),
    meetings: integerOption(values.meetings, 'meetings', DEFAULT_HISTORY.meetings, 1, MAX),
    zipfExponent: numberOption(values.zipf, 'zipf', DEFAULT_HISTORY.zipfExponent, 0.01, 5),
    batchSize: integerOption(values.batch, 'batch', 1_000, 1, MAX),
  };
};

const main = async (): Promise<void> => {
  const options = optionsOrExit(readOptions, USAGE);
  const { developments, dataDir } = options;
  const every = Math.max(1, Math.round(developments / 50));
  let reported = 0;
  console.error(`history: ${developments} developments, seed ${options.seed}, into ${dataDir}`);
  const written = await writeHistory({
    ...options,
    onProgress: ({ developments: done, commands, elapsedMs }) => {
      if (done - reported < every && done < developments) return;
      reported = done;
      const rate = done / (elapsedMs / 1000);
      console.error(
        `history: ${done}/${developments} developments, ${commands} commands, ` +
          `${(elapsedMs / 1000).toFixed(1)} s, ${Math.round(rate)} developments/s`,
      );
    },
  });
  const seconds = written.elapsedMs / 1000;
  console.error(
    `history: done in ${seconds.toFixed(1)} s: ${written.commands} commands, ${written.eventsAppended} events ` +
      `(${Object.entries(written.counts)
        .map(([name, count]) => `${name} ${count}`)
        .join(', ')}), ${Math.round(written.developments / seconds)} developments/s, into ${written.file}`,
  );
};

runBench(main);
