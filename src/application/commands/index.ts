import type { EventStore } from '../../store/event-store.js';
import { inOneCommit, type CommandDeps, type CommandMeta, type CommandResult } from '../command-context.js';
import { createFirstEventCache } from '../first-events.js';
import { assignRole } from './assign-role.js';
import { changeTopicStatus } from './change-topic-status.js';
import { correctDevelopment } from './correct-development.js';
import { openTopic } from './open-topic.js';
import { recordDevelopment } from './record-development.js';
import { registerActor } from './register-actor.js';
import { retractDevelopment } from './retract-development.js';
import { verifyDevelopment } from './verify-development.js';

/** The one write path: one handler per mutation of the contract, named as the mutation. */
const COMMAND_HANDLERS = {
  registerActor,
  assignRole,
  openTopic,
  changeTopicStatus,
  recordDevelopment,
  correctDevelopment,
  verifyDevelopment,
  retractDevelopment,
} as const;

export type CommandName = keyof typeof COMMAND_HANDLERS;

export const isCommandName = (name: string): name is CommandName => Object.hasOwn(COMMAND_HANDLERS, name);

export interface CommandBus {
  (name: CommandName, input: unknown, meta: CommandMeta): Promise<CommandResult>;
  /** Runs bulk writes (seed, import, bench) so that their appends commit together where the store can. */
  inOneCommit<T>(work: () => Promise<T>): Promise<T>;
  /** The log's last recordedAt (null: empty): what a backfill checks its times against before writing. */
  lastRecordedAt(): Promise<Date | null>;
}

export const createCommandBus = ({ store }: { readonly store: EventStore }): CommandBus => {
  const deps: CommandDeps = { store, firstEvents: createFirstEventCache() };
  return Object.assign(
    (name: CommandName, input: unknown, meta: CommandMeta) => COMMAND_HANDLERS[name](deps, input, meta),
    {
      inOneCommit: <T>(work: () => Promise<T>) => inOneCommit(deps, work),
      lastRecordedAt: () => store.lastRecordedAt(),
    },
  );
};
