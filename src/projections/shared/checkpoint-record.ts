import type { Redis } from 'ioredis';
import type { LogPosition } from '../../../events/index.js';
import { decodePosition, encodePosition } from '../../store/position-cursor.js';
import type { ReadModelKeys } from './read-model-keys.js';

/** What the shared read models reflect: the log up to `position`, written by the leader of term `token`. */
export interface CheckpointRecord {
  readonly position: LogPosition;
  readonly recordedAtMs: number;
  readonly token: number;
  /** How many snapshot records the list held when this checkpoint was written: a follower reads up to there. */
  readonly snapshots: number;
}

export const encodeCheckpoint = (checkpoint: CheckpointRecord): string =>
  JSON.stringify({ ...checkpoint, position: encodePosition(checkpoint.position) });

export const decodeCheckpoint = (text: string): CheckpointRecord => {
  const raw = JSON.parse(text) as Omit<CheckpointRecord, 'position'> & { position: string };
  const position = decodePosition(raw.position);
  if (!position) throw new Error(`the shared checkpoint holds no log position: ${text}`);
  return { ...raw, position };
};

export const readCheckpoint = async (redis: Redis, keys: ReadModelKeys): Promise<CheckpointRecord | null> => {
  const text = await redis.get(keys.checkpoint);
  return text === null ? null : decodeCheckpoint(text);
};
