/** The help texts of `timeline`: the general one, and one per command. */

const DATES = `Dates are ISO-8601 instants: 2025-10-17T12:00:00Z, 2025-10-17T14:00:00.000+02:00, or a bare day
2025-10-17 (its start, in UTC). A date and time without Z or an offset is refused: its zone would be a guess.`;

const DATA_DIR = `  --data-dir <dir>     The data directory holding timeline.db (default: $TIMELINE_DATA_DIR, else ./data).
                       With the embedded log it must exist and hold one: the command never creates one.`;

const STORE_SETTING = `The log is where the server would find it: TIMELINE_STORE (sqlite, the default: timeline.db in the data
directory; kurrentdb: the KurrentDB at KURRENTDB_URL, which must answer within 5 s).`;

const SNAPSHOT_SETTING = `TIMELINE_SNAPSHOT_EVERY (default 256) sets the index entries between two snapshots of an actor, as it does for
the server.`;

const EXIT_CODES = `Exit codes: 0 done, 1 failed (no event log, an event that does not decode, a write error), 2 bad usage.`;

const IMPORT_EXIT_CODES = `Exit codes: 0 done (every row imported or already present, or --allow-rejects), 1 failed (an unreadable file, a
write error: what was committed before stays, and importing again resumes), 2 bad usage, 3 done with rejected rows.`;

export const REPLAY_USAGE = `Usage: timeline replay --as-of <date> [--known-at <date>] [--out <file>] [--data-dir <dir>]

Rebuilds the read model from the event log and writes the whole world state at one point on both time axes, as
pretty JSON: { asOf, knownAt, checkpoint, actors, topics, meetings }, each list sorted by id, so that the output of
two runs diffs cleanly.

  --as-of <date>       Valid time: the state of the world at this instant (required).
  --known-at <date>    Transaction time: only what the log had recorded by this instant (default: now).
  --out <file>         Write the JSON to this file, atomically (temp file, then rename); default: stdout.
${DATA_DIR}
  -h, --help           Show this help.

Progress goes to stderr, never to stdout.
${STORE_SETTING} The read models are
read-models.db in the data directory whatever the log's store is (made with it when the log is on KurrentDB).
${SNAPSHOT_SETTING}
${DATES}
${EXIT_CODES}`;

export const REBUILD_USAGE = `Usage: timeline rebuild [--data-dir <dir>] [--verify]

Rebuilds the read models from the whole event log, as the server does when it starts, and reports how long it took:
a check that every event of the log decodes and folds, and a measurement. Progress goes to stderr: a progress bar on
a terminal, otherwise a line every 2 s or every 10 %, and a summary line at the end:
  rebuild: <events> events in <seconds> s (<rate> events/s), checkpoint <position>, rss <MB> MB

${DATA_DIR}
  --verify             Parse every event against its schema, also those at the current schema version (which were
                       parsed when they were appended); the first that does not fit stops the rebuild with exit 1.
  -h, --help           Show this help.

${STORE_SETTING} The read models are
written to read-models.db in the data directory whatever the log's store is (made when the log is on KurrentDB).
${SNAPSHOT_SETTING}

${EXIT_CODES}`;

const ROLE_SETTINGS = `Configured by the environment, as npm start is (docs/configuration.md); REDIS_URL is required.`;

export const SERVE_USAGE = `Usage: timeline serve

Runs the API only (GraphQL over http and WebSocket, /healthz, /readyz): the process follows the shared read models
in Redis that the projector writes, and never projects itself. Run as many as the load needs.
${ROLE_SETTINGS}`;

export const PROJECT_USAGE = `Usage: timeline project

Runs the projector only: it stands for election, and while it leads it applies the event log and writes the shared
read models and their checkpoint to Redis; otherwise it follows them as a standby, ready to take over. It serves
/healthz and /readyz on PORT. Run two for failover; a projector that loses its lease exits with 1.
${ROLE_SETTINGS}`;

export const READ_MODELS_USAGE = `Usage: timeline read-models [--drop <version>]

Lists the versions of the shared read models in Redis (REDIS_URL, under TIMELINE_REDIS_PREFIX): each with its
checkpoint, its snapshot count, whether it is current (what the API processes read) and whether a projector leads it.
A new version is built beside the old one and becomes current once it has caught up with the log; after the old
version's processes are gone, --drop removes its keys.

  --drop <version>     Delete every key of that version; refused for the current version and for one a projector
                       still leads.
  -h, --help           Show this help.

${EXIT_CODES}`;

export const IMPORT_USAGE = `Usage: timeline import gdelt <files...> [--topic <id>=<rule>]... [options]
       timeline import ndjson <files...> [options]

Writes records through the command handlers, as the API's mutations do: every rule a mutation obeys, an imported
row obeys. Importing the same file again appends nothing: rows already in the log count as "already present".

gdelt   GDELT 2.0 events export files (tab-separated, 61 columns, no header), or .zip archives of them. Each actor
        is registered on first sight as cameo:<code>:<name> (e.g. cameo:usagov:barack-obama), the same in every
        file and run; each row becomes the development gdelt:<GLOBALEVENTID>, its kind from the CAMEO event code
        through the CAMEO-to-PLOVER table (roots 01 and 02 as STATEMENT, CLAIM, DENIAL or APPEAL), the CAMEO code
        kept, tone from GoldsteinScale, occurredAt from SQLDATE (precision DAY), the source from SOURCEURL (a
        citation that is no URL is kept as the publisher), the location from the ActionGeo fields. Rows are
        recorded now, or at their DATEADDED with --recorded-at-dateadded (give a day's files in their order).
ndjson  One command per line: {"command": "recordDevelopment", "input": {...}}, the input exactly as the contract's
        mutation takes it (the seed timeline's format), with an optional "recordedAt" (an ISO-8601 instant: the
        row's transaction time). A dump from \`timeline export ndjson\` is restored as it was: the same events, in
        the same order, with the same recordedAt and ids.

Times that travel with the rows (recordedAt, DATEADDED) must never go back: not from row to row, not before the
log's last recordedAt, and not after now; a row without one is recorded now, so none after it may carry one. An
import that breaks this is refused before it writes anything, naming the row, its time and the time it goes back
from.

  --topic <id>=<rule>  gdelt: give the topic <id> (which must exist) to the rows whose actors' country codes match
                       the rule: codes separated by "," (any of them) or joined by "+" (all of them), e.g.
                       --topic ukraine-war=UKR,RUS --topic us-russia=USA+RUS. Repeatable.
  --rejects <file>     Where rejected rows go, with their file, line number and reason, then the row as it was
                       (tab-separated; default: import-rejects-<time>.tsv in the current directory). Written only
                       when a row is rejected.
  --allow-rejects      Exit 0 even when rows were rejected.
  --recorded-at-dateadded
                       gdelt: record each row (and the actors it registers first) at its DATEADDED, when GDELT
                       learned of it, instead of now: a backfill that answers knownAt questions as GDELT knew.
  --data-dir <dir>     The data directory (default: $TIMELINE_DATA_DIR, else ./data); made, with an empty log,
                       when missing.
  -h, --help           Show this help.

Progress goes to stderr (a bar on a terminal, lines otherwise); the summary to stdout: rows read, imported, already
present, rejected (they add up to the rows read), and the rate.
${STORE_SETTING}
${IMPORT_EXIT_CODES}`;

export const EXPORT_USAGE = `Usage: timeline export ndjson [--out <file>] [--data-dir <dir>]

Writes the whole log as a dump: a header line {"format":"diplomatic-timeline-log","version":1}, then one NDJSON
command per event, in log order: the command that appended it, its recordedAt, and the event's id, key name,
correlation and causation ids. \`timeline import ndjson\` restores it into an empty store (or one whose last
recordedAt is not later than the dump's first) with the same events, order and recordedAt: every knownAt question
answers as before, and an export of the restored store is byte-identical.

  --out <file>         Write to this file (it must not exist; written whole or not at all); default: stdout.
${DATA_DIR}
  -h, --help           Show this help.

${STORE_SETTING}
${EXIT_CODES}`;

export const KEYS_USAGE = `Usage: timeline keys generate [--role reader|editor|admin] [--name <name>]
       timeline keys hash < file-holding-the-key

The server keeps API keys only as their SHA-256. \`generate\` makes a key and prints it once, with the configuration
entry that holds its hash (name:sha256:<hex>), to add to TIMELINE_READER_KEYS, TIMELINE_EDITOR_KEYS or
TIMELINE_ADMIN_KEYS. \`hash\` prints the hash of a key piped into it (never give a key as an argument: other users
of the machine can see the arguments of a command).

  --role <role>        reader, editor (default) or admin.
  --name <name>        The key's name, which goes into the metadata of every event it writes (default: the role).
  -h, --help           Show this help.

${EXIT_CODES}`;

const GENERAL_USAGE = `Usage: timeline <command> [options]

Commands:
  replay    Write the world state at a time point (--as-of, --known-at) as JSON.
  rebuild   Rebuild the read models from the event log, with progress and timing.
  serve     Run the API only, on the shared read models in Redis.
  project   Run the projector only: elected, it writes the shared read models in Redis.
  read-models  List the shared read-model versions in Redis, or drop an old one.
  import    Import GDELT 2.0 event files or NDJSON commands through the command handlers.
  export    Export the log as NDJSON commands.
  keys      Generate an API key (printed once) and its configuration entry, or hash a key.
  help      Show this help, or a command's: timeline help <command>.

Run 'timeline <command> --help' for the options of a command.
${EXIT_CODES}`;

export const COMMAND_USAGE: Readonly<Record<string, string>> = {
  replay: REPLAY_USAGE,
  rebuild: REBUILD_USAGE,
  serve: SERVE_USAGE,
  project: PROJECT_USAGE,
  'read-models': READ_MODELS_USAGE,
  import: IMPORT_USAGE,
  export: EXPORT_USAGE,
  keys: KEYS_USAGE,
};

export const usageOf = (command: string | undefined): string =>
  (command !== undefined ? COMMAND_USAGE[command] : undefined) ?? GENERAL_USAGE;
