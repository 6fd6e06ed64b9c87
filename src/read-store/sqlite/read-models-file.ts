/** The read models' own SQLite file, beside the log (timeline.db) in the data directory. */
export const READ_MODELS_FILE = 'read-models.db';
