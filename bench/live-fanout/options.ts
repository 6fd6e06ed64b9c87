import path from 'node:path';
import { choiceOption, numberOption, parseBenchArgs } from '../support/options.js';
import type { ServerEntry } from '../support/server-child.js';

export type LatencyFrom = 'append' | 'response' | 'send';

export const LATENCY_REFERENCES: Record<LatencyFrom, string> = {
  append:
    "the append stamp (the development's recordedAt, taken by the server in the append, as the mutation returned it)",
  response: 'the arrival of the recordDevelopment HTTP response at the writer',
  send: 'the moment just before the writer sent recordDevelopment',
};

export interface Options {
  readonly latencyFrom: LatencyFrom;
  readonly subscribers: number;
  readonly rate: number;
  readonly seconds: number;
  /** Lower rates to try, in turn, while a run overloads the server. */
  readonly fallbackRates: number[];
  readonly quietWaitS: number;
  readonly serverCpuProf: string | null;
  readonly batch: number;
  readonly baseline: boolean;
  /** build (default): scripts/build.mjs, then dist/ on plain Node, as `npm start`; sources: src/ through tsx. */
  readonly serverEntry: ServerEntry;
}

export const USAGE = `usage: npx tsx bench/live-fanout.ts [--subscribers 1000] [--rate 50] [--seconds 20]
       [--fallback-rate 20,5,2] [--batch 50] [--latency-from append|response|send] [--quiet-wait 60]
       [--server-cpu-prof DIR] [--no-baseline] [--quick] [--server-entry build|sources]
  --fallback-rate  while a run overloads the timeline server, run again at the next of these lower rates
                   (comma-separated; 0: never)
  --quiet-wait     before each server starts, wait up to this many seconds for other processes to leave the
                   machine mostly idle (0: do not wait); the load seen is reported either way
  --server-cpu-prof  write a V8 CPU profile of the timeline server into DIR (node --cpu-prof)
  --batch          subscribers opened at once (connections wait for the batch before them)
  --latency-from   what the timeline's latency in the table counts from (all three are printed below it):
                   append (default): the server's append stamp, recordedAt, returned by the mutation;
                   response: the arrival of the mutation's HTTP response; send: just before sending it
  --quick          smoke run: 50 subscribers for 3 s (explicit --subscribers/--seconds still win)
  --server-entry   build (default): build, then run dist/src/main.js on plain Node, as npm start does;
                   sources: run src/main.ts through tsx, with no build (the CI smoke run)`;

const parse = () =>
  parseBenchArgs(
    {
      subscribers: { type: 'string' },
      rate: { type: 'string' },
      seconds: { type: 'string' },
      'fallback-rate': { type: 'string' },
      'quiet-wait': { type: 'string' },
      'server-cpu-prof': { type: 'string' },
      'latency-from': { type: 'string' },
      batch: { type: 'string' },
      'no-baseline': { type: 'boolean', default: false },
      'server-entry': { type: 'string' },
      quick: { type: 'boolean', default: false },
    },
    USAGE,
  );

const latencyFromOption = (raw: string | undefined): LatencyFrom => {
  const latencyFrom = raw ?? 'append';
  if (!(latencyFrom in LATENCY_REFERENCES)) {
    throw new Error(`--latency-from must be append, response or send, got ${JSON.stringify(latencyFrom)}`);
  }
  return latencyFrom as LatencyFrom;
};

export const readOptions = (): Options => {
  const values = parse();
  const quick = values.quick === true;
  const options = {
    latencyFrom: latencyFromOption(values['latency-from']),
    subscribers: Math.round(numberOption(values.subscribers, 'subscribers', quick ? 50 : 1000, 1, 10_000)),
    rate: numberOption(values.rate, 'rate', 50, 0.1, 1_000),
    seconds: numberOption(values.seconds, 'seconds', quick ? 3 : 20, 1, 600),
    fallbackRates: (values['fallback-rate'] ?? '20,5,2')
      .split(',')
      .map((raw) => numberOption(raw.trim(), 'fallback-rate', 0, 0, 1_000))
      .filter((fallback) => fallback > 0),
    quietWaitS: numberOption(values['quiet-wait'], 'quiet-wait', 60, 0, 600),
    serverCpuProf: values['server-cpu-prof'] ? path.resolve(values['server-cpu-prof']) : null,
    batch: Math.round(numberOption(values.batch, 'batch', 50, 1, 1_000)),
    baseline: values['no-baseline'] !== true,
    serverEntry: choiceOption(values['server-entry'], 'server-entry', ['build', 'sources'] as const, 'build'),
  };
  // One slot per (subscriber, write) pair is kept, 9 bytes each.
  if (options.subscribers * Math.round(options.rate * options.seconds) > 20_000_000) {
    throw new Error('subscribers x rate x seconds must stay under 20 million (subscriber, change) pairs');
  }
  return options;
};

/** Measured writes (or broadcasts) of a run at `rate`. */
export const writesAt = (options: Options, rate: number): number => Math.max(1, Math.round(rate * options.seconds));
