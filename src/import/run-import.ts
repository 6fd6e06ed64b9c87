import { performance } from 'node:perf_hooks';
import type { CommandBus, CommandName } from '../application/commands/index.js';
import { TimelineError } from '../application/errors.js';
import type { DumpedEvent } from '../export/dump-format.js';
import { checkRecordedAts } from './recorded-at-check.js';

/** A command of an imported row. */
interface ImportCommand {
  readonly name: CommandName;
  readonly input: unknown;
  /**
   * Run once per import: the first row naming an actor registers it, later rows skip the command. Rows that fail
   * do not count, so the next row naming the actor tries again.
   */
  readonly onceKey?: string;
}

/**
 * One line of an input: the commands it stands for, the last of which decides what became of the row (imported,
 * already present), or the reason it was refused before any command ran.
 */
export type ImportRow = {
  readonly source: string;
  readonly line: number;
  readonly text: string;
  /** The row's transaction time from its source, as given (checked by recorded-at-check.ts before any write). */
  readonly recordedAt?: string;
  /** A line of a dump: the event as the dumped log held it, which its command appends again. */
  readonly restoredEvent?: DumpedEvent;
} & ({ readonly commands: readonly ImportCommand[] } | { readonly reason: string });

export interface RejectedRow {
  readonly source: string;
  readonly line: number;
  readonly reason: string;
  readonly text: string;
}

/** What became of every row: read = imported + alreadyPresent + rejected, always. */
export interface ImportCounts {
  readonly read: number;
  readonly imported: number;
  readonly alreadyPresent: number;
  readonly rejected: number;
  /** Events appended by the commands run once per import (actors registered on first sight). */
  readonly firstSightAppends: number;
  readonly elapsedMs: number;
}

interface ImportProgress {
  readonly done: number;
  readonly total: number;
  readonly elapsedMs: number;
}

export interface RunImportOptions {
  /** The tool's name in every event's metadata (never a key). */
  readonly keyName: string;
  /** Rows committed together: a store that can commit a batch at once (SQLite) appends far faster. */
  readonly batchSize?: number;
  readonly onProgress?: (progress: ImportProgress) => void;
  readonly onReject: (rejected: RejectedRow) => void | Promise<void>;
}

/** "BAD_USER_INPUT: input.sources.0.url: not a valid URL": the handlers' messages name the field already. */
const refusal = (error: TimelineError): string => {
  const path = error.path?.join('.') ?? '';
  return path === '' || error.message.includes(path)
    ? `${error.code}: ${error.message}`
    : `${error.code} at ${path}: ${error.message}`;
};

/**
 * Runs the rows' commands through the command handlers, the one write path, a batch at a time. A refused command
 * rejects its row with the handler's reason and leaves the rest of the batch standing; anything else (the store
 * failing) stops the import, and what was committed before stays. Rows that carry a recordedAt are checked first,
 * all of them against the log's last one: an import whose times would go back throws ImportRefusedError and
 * writes nothing.
 */
export const runImport = async (
  commands: CommandBus,
  rows: Iterable<ImportRow>,
  { keyName, batchSize = 500, onProgress, onReject }: RunImportOptions,
): Promise<ImportCounts> => {
  const started = performance.now();
  const all = [...rows];
  const recordedAts = checkRecordedAts(all, await commands.lastRecordedAt(), new Date());
  const done = new Set<string>();
  let read = 0;
  let imported = 0;
  let alreadyPresent = 0;
  let rejected: RejectedRow[] = [];
  let rejectedCount = 0;
  let firstSightAppends = 0;

  const runRow = async (row: ImportRow, recordedAt: Date | undefined): Promise<void> => {
    if ('reason' in row) {
      rejected.push({ source: row.source, line: row.line, reason: row.reason, text: row.text });
      return;
    }
    const restored = row.restoredEvent;
    const meta = {
      keyName: restored?.keyName ?? keyName,
      correlationId: restored?.correlationId ?? `${row.source}:${row.line}`,
      ...(recordedAt && { recordedAt }),
      ...(restored && { restoredEvent: { id: restored.id, causationId: restored.causationId } }),
    };
    const newlyDone: string[] = [];
    try {
      let appended = 0;
      for (const command of row.commands) {
        if (command.onceKey !== undefined && done.has(command.onceKey)) continue;
        const result = await commands(command.name, command.input, meta);
        if (command.onceKey !== undefined) {
          newlyDone.push(command.onceKey);
          firstSightAppends += result.appended;
        }
        appended = result.appended;
      }
      if (appended > 0) imported += 1;
      else alreadyPresent += 1;
      for (const key of newlyDone) done.add(key);
    } catch (error) {
      if (!(error instanceof TimelineError)) throw error;
      rejected.push({ source: row.source, line: row.line, reason: refusal(error), text: row.text });
    }
  };

  let batch: number[] = [];
  const flush = async () => {
    const indexes = batch;
    batch = [];
    await commands.inOneCommit(async () => {
      for (const index of indexes) await runRow(all[index]!, recordedAts[index]);
    });
    read += indexes.length;
    for (const row of rejected) await onReject(row);
    rejectedCount += rejected.length;
    rejected = [];
    onProgress?.({ done: read, total: all.length, elapsedMs: performance.now() - started });
  };
  for (const index of all.keys()) {
    batch.push(index);
    if (batch.length >= batchSize) await flush();
  }
  if (batch.length > 0 || read === 0) await flush();
  return {
    read,
    imported,
    alreadyPresent,
    rejected: rejectedCount,
    firstSightAppends,
    elapsedMs: performance.now() - started,
  };
};
