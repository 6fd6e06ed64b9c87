import { Cluster } from 'ioredis';
import { comparePlaces, matchesEntriesQuery } from '../places.js';
import type { CountQuery, EntriesQuery, IndexEntry, IndexRef } from '../read-model-store.js';
import { sendAll, type RedisConnection, type Routed } from './connection.js';
import { worldShardOf, type ReadStoreKeys } from './redis-read-keys.js';
import { checkpointPositionKey, decodeIndexMember, encodePositionKey, scoreText } from './redis-records.js';
import { changeBucketText, queueScript, runScript } from './scripts.js';

/**
 * Entries and counts of an index, by the scan script (scripts/scan.ts): the range, the filters and the limit are applied
 * in Redis, looking at SCAN_BUDGET members at most per call (a long scan hands back a member to resume after, so
 * that no call holds the server long). The world index is one sorted set per month: the months a query spans are walked in
 * order, a few at a time (1, 2, 4, ... per round trip), until the limit is met or, ascending, until a month shows
 * that nothing after it is known at knownAt.
 */

/** How many members one scan call looks at before it hands back, unless the store is told otherwise. */
export const SCAN_BUDGET = 20_000;

interface ScanRange {
  readonly lo: string;
  readonly afterRecord: string;
  readonly hi: string;
  readonly throughOccurred: string;
  readonly throughRecord: string;
  readonly knownAt: string;
  readonly addedAfter: string;
  readonly descending: boolean;
  readonly counting: boolean;
}

interface ScanAnswer {
  /** The checkpoint position the scan read through; '' when there is no checkpoint. */
  readonly checkpoint: string;
  /** The member to resume after, '' when the scan is done, and its score. */
  readonly resume: string;
  readonly resumeScore: string;
  readonly cut: boolean;
  readonly count: number;
  readonly pairs: readonly string[];
}

const parseAnswer = (raw: unknown): ScanAnswer => {
  const [checkpoint, resume, resumeScore, cut, count, ...pairs] = raw as [
    string,
    string,
    string,
    number,
    number,
    ...string[],
  ];
  return { checkpoint, resume, resumeScore, cut: cut === 1, count, pairs };
};

const scanArgs = (
  budget: number,
  checkpoint: string,
  range: ScanRange,
  limit: number | null,
  resume: Pick<ScanAnswer, 'resume' | 'resumeScore'> = { resume: '', resumeScore: '' },
): string[] => [
  checkpoint,
  range.lo,
  range.afterRecord,
  range.hi,
  range.throughOccurred,
  range.throughRecord,
  range.knownAt,
  range.addedAfter,
  limit === null ? '' : String(limit),
  range.descending ? '1' : '0',
  resume.resume,
  String(budget),
  range.counting ? '1' : '0',
  resume.resumeScore,
];

export interface ReadContext {
  readonly connection: RedisConnection;
  readonly keys: ReadStoreKeys;
  readonly scanBudget: number;
}

/** Scans one sorted set to its end (or the limit), resuming as the script asks. */
const finishScan = async (
  { connection, scanBudget }: ReadContext,
  key: string,
  range: ScanRange,
  first: ScanAnswer,
  limit: number | null,
  take: (pairs: readonly string[], count: number) => void,
): Promise<ScanAnswer> => {
  let answer = first;
  let remaining = limit;
  for (;;) {
    take(answer.pairs, answer.count);
    if (remaining !== null) remaining -= answer.count;
    if (answer.resume === '' || remaining === 0) return answer;
    answer = parseAnswer(
      await runScript(connection, 'rsScan', [key], scanArgs(scanBudget, answer.checkpoint, range, remaining, answer)),
    );
  }
};

/**
 * The checkpoint a script is to read through, when it must be read first: on a cluster the checkpoint lies in another
 * slot, maybe on another node; a single Redis reads it in the script itself (one round trip), told ''. Null when
 * nothing is committed.
 */
const checkpointFirst = async ({ connection, keys }: ReadContext): Promise<string | null> => {
  if (!(connection instanceof Cluster)) return '';
  const stored = await connection.get(keys.checkpoint);
  return stored === null ? null : checkpointPositionKey(stored);
};

/** One index key: a single Redis reads the checkpoint in the scan script itself (one round trip). */
const scanOne = async (
  context: ReadContext,
  key: string,
  range: ScanRange,
  limit: number | null,
  take: (pairs: readonly string[], count: number) => void,
): Promise<void> => {
  const { connection, keys, scanBudget } = context;
  const checkpoint = await checkpointFirst(context);
  if (checkpoint === null) return;
  const first = parseAnswer(
    await runScript(
      connection,
      'rsScan',
      checkpoint === '' ? [key, keys.checkpoint] : [key],
      scanArgs(scanBudget, checkpoint, range, limit),
    ),
  );
  if (first.checkpoint === '') return;
  await finishScan(context, key, range, first, limit, take);
};

/** The world index: the months from `lo` to `hi`, walked in order a few at a time. */
const scanWorld = async (
  context: ReadContext,
  range: ScanRange,
  firstMonthMs: string,
  lastMonthMs: string,
  limit: number | null,
  take: (pairs: readonly string[], count: number) => void,
): Promise<void> => {
  const { connection, keys, scanBudget } = context;
  const [stored, months] = (await sendAll(connection, [
    { key: keys.checkpoint, queue: (pipeline) => pipeline.get(keys.checkpoint) },
    { key: keys.worldMonths, queue: (pipeline) => pipeline.zrangebyscore(keys.worldMonths, firstMonthMs, lastMonthMs) },
  ])) as [string | null, string[]];
  if (stored === null) return;
  const checkpoint = checkpointPositionKey(stored);
  const shards = (range.descending ? [...months].reverse() : months).map((label) => keys.worldShard(label));
  let remaining = limit;
  // Counting needs every month: all in one round trip. Listing usually needs one or two.
  for (let at = 0, wave = range.counting ? shards.length : 1; at < shards.length; at += wave, wave *= 2) {
    const keysOfWave = shards.slice(at, at + wave);
    const answers = await sendAll(
      connection,
      keysOfWave.map((key): Routed => ({
        key,
        queue: (pipeline) => queueScript(pipeline, 'rsScan', [key], scanArgs(scanBudget, checkpoint, range, remaining)),
      })),
    );
    for (const [position, raw] of answers.entries()) {
      let found = 0;
      const last = await finishScan(context, keysOfWave[position]!, range, parseAnswer(raw), remaining, (pairs, n) => {
        take(pairs, n);
        found += n;
      });
      if (remaining !== null) remaining -= found;
      if (remaining === 0) return;
      // Ascending, a month whose entries pass knownAt ends the walk: every later entry was added after it too.
      if (last.cut && !range.descending) return;
    }
  }
};

const rangeOf = (query: EntriesQuery): { range: ScanRange; highest: number } | null => {
  const highest = Math.min(query.through?.occurredAtMs ?? Infinity, query.occurredByMs ?? Infinity);
  if (Number.isNaN(highest) || Number.isNaN(query.knownAtMs)) return null;
  return {
    highest,
    range: {
      lo: query.after ? scoreText(query.after.occurredAtMs) : '-inf',
      afterRecord: query.after ? encodePositionKey(query.after.recordPosition) : '',
      hi: scoreText(highest),
      throughOccurred: query.through ? scoreText(query.through.occurredAtMs) : '',
      throughRecord: query.through ? encodePositionKey(query.through.recordPosition) : '',
      knownAt: query.knownAtMs === Infinity ? '' : scoreText(query.knownAtMs),
      addedAfter: query.addedAfter ? encodePositionKey(query.addedAfter) : '',
      descending: query.descending === true,
      counting: false,
    },
  };
};

const monthBound = (ms: number): string => (Number.isFinite(ms) ? String(worldShardOf(ms).startMs) : scoreText(ms));

/** A member of an actor's changes by month: "<month><added position>\x1f<score>\x1f<index member>". */
const decodeChangeByBucket = (member: string): IndexEntry => {
  const scoreAt = member.indexOf('\x1f', 6) + 1;
  const memberAt = member.indexOf('\x1f', scoreAt) + 1;
  return decodeIndexMember(member.slice(memberAt), member.slice(scoreAt, memberAt - 1));
};

/**
 * An actor's changes added after a position (a snapshot's changes since it was built, or what the projector has not
 * looked at yet), read by month up to the question's bound (SCAN_CHANGES): the index in world order would be read
 * from its start, every change before the boundary, to find the few added since. What the script leaves to the
 * reader (the bound within its month, after, knownAt, the order and the limit) is applied here, to a few changes.
 */
const readChangesSince = async (
  { connection, keys, scanBudget }: ReadContext,
  actorId: string,
  query: EntriesQuery & { readonly addedAfter: NonNullable<EntriesQuery['addedAfter']> },
): Promise<IndexEntry[]> => {
  const byBucket = keys.changesByBucket(actorId);
  const highest = Math.min(query.through?.occurredAtMs ?? Infinity, query.occurredByMs ?? Infinity);
  if (Number.isNaN(highest) || Number.isNaN(query.knownAtMs)) return [];
  const lastBucket = highest === Infinity ? '' : changeBucketText(highest);
  let checkpoint = await checkpointFirst({ connection, keys, scanBudget });
  if (checkpoint === null) return [];
  const found: IndexEntry[] = [];
  let resume = '';
  do {
    const [read, next, ...members] = (await runScript(
      connection,
      'rsScanChanges',
      checkpoint === '' ? [byBucket, keys.checkpoint] : [byBucket],
      [checkpoint, encodePositionKey(query.addedAfter), lastBucket, resume, scanBudget],
    )) as string[];
    if (read === '') return [];
    checkpoint = read!;
    for (const member of members) found.push(decodeChangeByBucket(member));
    resume = next!;
  } while (resume !== '');
  const entries = found.filter((entry) => matchesEntriesQuery(entry, query)).sort(comparePlaces);
  if (query.descending) entries.reverse();
  return query.limit === undefined ? entries : entries.slice(0, query.limit);
};

export const readEntries = async (
  context: ReadContext,
  index: IndexRef,
  query: EntriesQuery,
): Promise<IndexEntry[]> => {
  const limit = query.limit ?? null;
  if (limit !== null && limit <= 0) return [];
  if (index.kind === 'changes' && query.addedAfter != null)
    return readChangesSince(context, index.id, { ...query, addedAfter: query.addedAfter });
  const bounds = rangeOf(query);
  if (!bounds) return [];
  const { range, highest } = bounds;
  const entries: IndexEntry[] = [];
  const take = (pairs: readonly string[]) => {
    for (let at = 0; at < pairs.length; at += 2) entries.push(decodeIndexMember(pairs[at]!, pairs[at + 1]!));
  };
  if (index.kind === 'world') {
    const lowest = query.after ? query.after.occurredAtMs : -Infinity;
    await scanWorld(context, range, monthBound(lowest), monthBound(highest), limit, take);
  } else {
    await scanOne(context, context.keys.index(index), range, limit, take);
  }
  return limit === null ? entries : entries.slice(0, limit);
};

export const countEntries = async (context: ReadContext, index: IndexRef, query: CountQuery = {}): Promise<number> => {
  const range: ScanRange = {
    lo: query.after ? scoreText(query.after.occurredAtMs) : '-inf',
    afterRecord: query.after ? encodePositionKey(query.after.recordPosition) : '',
    hi: '+inf',
    throughOccurred: '',
    throughRecord: '',
    knownAt: '',
    addedAfter: query.addedAfter ? encodePositionKey(query.addedAfter) : '',
    descending: false,
    counting: true,
  };
  let total = 0;
  const take = (_pairs: readonly string[], count: number) => (total += count);
  if (index.kind === 'world') {
    await scanWorld(context, range, monthBound(query.after ? query.after.occurredAtMs : -Infinity), '+inf', null, take);
  } else {
    await scanOne(context, context.keys.index(index), range, null, take);
  }
  return total;
};
