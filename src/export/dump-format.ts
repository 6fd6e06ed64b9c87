/**
 * The NDJSON dump of a log (`timeline export ndjson`), read back by `timeline import ndjson`. Its first line says
 * what it is; each line after it is the command that appended one event, with what the log knew of that event
 * beyond its data: when it was recorded, and its id, key name, correlation and causation ids. docs/cli-and-data.md
 * describes it field by field.
 */
export const DUMP_FORMAT = 'diplomatic-timeline-log';
export const DUMP_VERSION = 1;

export interface DumpHeader {
  readonly format: typeof DUMP_FORMAT;
  readonly version: typeof DUMP_VERSION;
}

export const DUMP_HEADER: DumpHeader = { format: DUMP_FORMAT, version: DUMP_VERSION };

/** The event a dumped command appended, as the log holds it: a restore appends the very same one. */
export interface DumpedEvent {
  readonly id: string;
  readonly keyName: string;
  readonly correlationId: string;
  readonly causationId: string;
}
