-- The event log. `position` is the global order of the log: AUTOINCREMENT so that a position is never reused,
-- even after the last row is deleted, which keeps saved cursors meaningful.
CREATE TABLE events (
  position INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id TEXT NOT NULL UNIQUE,
  stream_id TEXT NOT NULL,
  revision INTEGER NOT NULL CHECK (revision >= 0),
  type TEXT NOT NULL,
  -- The version of the data's schema; metadata holds the other metadata fields, so this column is the only truth.
  schema_version INTEGER NOT NULL,
  data TEXT NOT NULL CHECK (json_valid(data)),
  metadata TEXT NOT NULL CHECK (json_valid(metadata)),
  -- Unix milliseconds, non-decreasing along the log so that "known at time T" is a prefix of it.
  recorded_at INTEGER NOT NULL,
  UNIQUE (stream_id, revision)
);

-- The current revision of each stream, so that the expected-revision check of an append reads one row.
CREATE TABLE streams (
  stream_id TEXT PRIMARY KEY NOT NULL,
  revision INTEGER NOT NULL CHECK (revision >= 0)
) WITHOUT ROWID;
