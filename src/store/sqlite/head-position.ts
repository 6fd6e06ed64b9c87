import type Database from 'better-sqlite3';
import type { LogPosition } from '../../../events/envelope.js';
import { logPosition } from './event-row.js';

/** Synchronous, so that a subscription from 'end' can take the head at the very moment it is created. */
export type ReadHeadPosition = () => LogPosition | null;

export const createReadHeadPosition = (db: Database.Database): ReadHeadPosition => {
  const select = db.prepare<[], bigint>('SELECT position FROM events ORDER BY position DESC LIMIT 1').pluck();
  return () => {
    const position = select.get();
    return position === undefined ? null : logPosition(position);
  };
};
