import { createHash } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
type LogLevel = (typeof LOG_LEVELS)[number];

export type KeyRole = 'admin' | 'editor' | 'reader';

/** A key as the server keeps it: its name and the SHA-256 of its secret (hex), never the secret itself. */
export interface ApiKey {
  name: string;
  sha256: string;
  role: KeyRole;
}

/** The SHA-256 of a secret as configuration writes it: `sha256:<64 hex digits>`. */
export const secretDigest = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('hex');

/** What a process does: serve the API, project the shared read models, or both (the default). */
export type Role = 'all' | 'serve' | 'project';
const ROLES: readonly Role[] = ['all', 'serve', 'project'];

export interface Config {
  role: Role;
  port: number;
  host: string;
  dataDir: string;
  seed: boolean;
  adminKeys: ApiKey[];
  editorKeys: ApiKey[];
  readerKeys: ApiKey[];
  logLevel: LogLevel;
  /**
   * Redis for the shared read models, the projector's election and announcing appends to the other processes;
   * null: this process works alone, with read models of its own.
   */
  redisUrl: string | null;
  /** What every Redis key of this deployment starts with: deployments (and tests) sharing a Redis stay apart. */
  redisPrefix: string;
  /** How long the projector's lease lives without renewal: the longest a failover takes. */
  leaseTtlMs: number;
  /** The heap this process may keep as a cache of the read models, in bytes. */
  cacheBytes: number;
  /**
   * Index entries between two snapshots of an actor: fewer snapshots to write and store against a longer walk per
   * question (docs/architecture.md, "Snapshots").
   */
  snapshotEvery: number;
  /** How many changes one subscriber may fall behind before it is closed as too slow. */
  subscriberBuffer: number;
  /**
   * Requests per minute per key, and per address without one; subscriptions per minute per key or address, a budget
   * of their own (0: no limit).
   */
  rateLimits: { perKey: number; perAddress: number; subscriptions: number };
  /** Take the client's address from X-Forwarded-For (behind a proxy or load balancer you trust). */
  trustProxy: boolean;
  /** Origins whose pages may call the API from a browser: none but the server's own by default, or any (`*`). */
  corsOrigins: CorsOrigins;
  /** NODE_ENV=development: error answers carry their stack traces. */
  development: boolean;
  /** What one operation may cost before it runs, and how long it may run. */
  operationLimits: {
    maxDepth: number;
    maxComplexity: number;
    maxAliases: number;
    maxFields: number;
    timeoutMs: number;
    maxBodyBytes: number;
  };
  /** Whether the schema may be introspected (GraphiQL and code generators need it). */
  introspection: boolean;
  /**
   * Answer a POST of a query Apollo has already validated without Apollo's per-request pipeline (the known queries'
   * lane, src/server/graphql-endpoint/known-queries.ts): the same gates, executor and answers, at less cost.
   */
  knownQueriesLane: boolean;
  /** Run a query compiled by graphql-jit from its document's second use (src/server/compiled-execution.ts). */
  compiledQueries: boolean;
  /** Parse every event read from the log against its schema, not only those written by an older version. */
  verifyReads: boolean;
  /** Where the log lives: the embedded SQLite file in dataDir, or a KurrentDB server. */
  store: { kind: 'sqlite' } | { kind: 'kurrentdb'; url: string };
}

/** The origins allowed to call from a browser: a list (empty: same origin only), or any origin. */
export type CorsOrigins = readonly string[] | 'any';

/** Every problem found in the environment, so an operator can fix them all before the next start. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export const MIN_SECRET_LENGTH = 16;

const quote = (value: unknown): string => JSON.stringify(value);

const port = z
  .string()
  .trim()
  // Number() alone would accept "1e3", " 0x10" or "4000.0"; only plain digits are a port.
  .refine((raw) => /^\d{1,5}$/.test(raw) && Number(raw) <= 65535, {
    error: (issue) => `expected an integer between 0 and 65535, got ${quote(issue.input)}`,
  })
  .transform(Number);

const host = z.string().trim();

const dataDir = z
  .string()
  .trim()
  .transform((raw) => path.resolve(raw));

const flag = z.stringbool({
  truthy: ['true', '1', 'yes'],
  falsy: ['false', '0', 'no'],
  case: 'insensitive',
  error: (issue) => `expected one of true, false, 1, 0, yes, no, got ${quote(issue.input)}`,
});

const isLogLevel = (value: string): value is LogLevel => (LOG_LEVELS as readonly string[]).includes(value);

const logLevel = z
  .string()
  .trim()
  .refine((raw) => isLogLevel(raw.toLowerCase()), {
    error: (issue) => `expected one of ${LOG_LEVELS.join(', ')}, got ${quote(issue.input)}`,
  })
  .transform((raw) => raw.toLowerCase() as LogLevel);

const redisUrl = z
  .string()
  .trim()
  .refine((raw) => raw === '' || /^rediss?:\/\/[^\s]+$/.test(raw), {
    error: (issue) => `expected a redis:// or rediss:// URL, got ${quote(issue.input)}`,
  })
  .transform((raw) => (raw === '' ? null : raw));

const storeKind = z
  .string()
  .trim()
  .refine((raw) => raw === 'sqlite' || raw === 'kurrentdb', {
    error: (issue) => `expected sqlite or kurrentdb, got ${quote(issue.input)}`,
  })
  .transform((raw) => raw as 'sqlite' | 'kurrentdb');

const kurrentDbUrl = z
  .string()
  .trim()
  .refine((raw) => raw === '' || /^(kurrentdb|kdb|esdb|kurrentdb\+discover|esdb\+discover):\/\/\S+$/.test(raw), {
    error: (issue) => `expected a kurrentdb:// connection string, got ${quote(issue.input)}`,
  });

const role = z
  .string()
  .trim()
  .refine((raw) => (ROLES as readonly string[]).includes(raw), {
    error: (issue) => `expected one of ${ROLES.join(', ')}, got ${quote(issue.input)}`,
  })
  .transform((raw) => raw as Role);

const redisPrefix = z
  .string()
  .trim()
  .refine((raw) => /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/.test(raw), {
    error: (issue) => `expected 1-64 letters, digits, "_", ".", ":" or "-", got ${quote(issue.input)}`,
  });

const leaseTtlMs = z
  .string()
  .trim()
  .refine((raw) => /^\d{1,7}$/.test(raw) && Number(raw) >= 300, {
    error: (issue) => `expected a number of milliseconds of at least 300, got ${quote(issue.input)}`,
  })
  .transform(Number);

// An origin is a scheme, a host and an optional port, and nothing else: a path or a trailing slash would never
// match what a browser sends, so it is refused rather than silently useless.
const ORIGIN = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$|^https?:\/\/\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

const corsOrigins = z.string().transform((raw, ctx): CorsOrigins => {
  const entries = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.includes('*')) {
    if (entries.length > 1) ctx.addIssue({ code: 'custom', message: '`*` (any origin) stands alone' });
    return 'any';
  }
  for (const entry of entries) {
    if (entry !== 'none' && !ORIGIN.test(entry)) {
      ctx.addIssue({
        code: 'custom',
        message: `expected origins like https://app.example.org (scheme, host, port), got ${quote(entry)}`,
      });
    }
  }
  return entries.filter((entry) => entry !== 'none').map((entry) => entry.toLowerCase());
});

/** A whole number from `min` to `max`, in plain digits. */
const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .trim()
    .refine((raw) => /^\d{1,9}$/.test(raw) && Number(raw) >= min && Number(raw) <= max, {
      error: (issue) => `expected a whole number from ${min} to ${max}, got ${quote(issue.input)}`,
    })
    .transform(Number);

const subscriberBuffer = z
  .string()
  .trim()
  .refine((raw) => /^\d{1,7}$/.test(raw) && Number(raw) >= 10, {
    error: (issue) => `expected an integer of at least 10, got ${quote(issue.input)}`,
  })
  .transform(Number);

// Names end up in logs and audit trails, so they stay plain; they are never echoed in errors either, because a
// bare secret holding a colon would be read as name:secret and its first half would leak.
const KEY_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;

// A configured key may be given by the SHA-256 of its secret instead (`name:sha256:<hex>`), so that the secret
// itself lives only with whoever holds the key: `timeline keys generate` prints both forms.
const HASHED = /^sha256:([0-9a-f]{64})$/;

const entryProblem = (entry: string): string | undefined => {
  const colon = entry.indexOf(':');
  const hashedBare = HASHED.test(entry);
  const name = colon === -1 || hashedBare ? undefined : entry.slice(0, colon);
  const secret = colon === -1 || hashedBare ? entry : entry.slice(colon + 1);
  if (name !== undefined && !KEY_NAME.test(name)) {
    return 'the name before ":" must be 1-64 lowercase letters, digits, "-" or "_", starting with a letter or digit';
  }
  if (HASHED.test(secret)) return undefined;
  if (/^sha256:/i.test(secret)) return 'a hashed key is sha256: and 64 lowercase hex digits';
  if (/\s/.test(secret)) return 'the secret must not contain whitespace';
  if (secret.length < MIN_SECRET_LENGTH) return `the secret must be at least ${MIN_SECRET_LENGTH} characters long`;
  return undefined;
};

/** A key with the place it was written at, so later checks can point at the entry without showing it. */
interface PlacedKey {
  key: ApiKey;
  variable: string;
  position: number;
}

const keyList = (variable: string, role: KeyRole) =>
  z.string().transform((raw, ctx): PlacedKey[] => {
    const keys: PlacedKey[] = [];
    // Blank entries (a trailing comma) are skipped but still count, so "entry 3" is the third item the operator sees.
    raw.split(',').forEach((untrimmed, index) => {
      const entry = untrimmed.trim();
      if (entry === '') return;
      const position = index + 1;
      const problem = entryProblem(entry);
      if (problem !== undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `entry ${position}: ${problem} (entries are name:secret, secret, name:sha256:<hex> or sha256:<hex>)`,
        });
        return;
      }
      const colon = entry.indexOf(':');
      const named = colon !== -1 && !HASHED.test(entry);
      const name = named ? entry.slice(0, colon) : `${role}-${position}`;
      const secret = named ? entry.slice(colon + 1) : entry;
      const hashed = HASHED.exec(secret);
      // The secret is hashed here and not kept: nothing after configuration ever holds it.
      keys.push({ key: { name, sha256: hashed ? hashed[1]! : secretDigest(secret), role }, variable, position });
    });
    return keys;
  });

/** One entry per variable: its schema reads the raw string, and the fallback stands in when it is unset or blank. */
const VARIABLES = {
  TIMELINE_ROLE: { schema: role, fallback: 'all' },
  PORT: { schema: port, fallback: '4000' },
  HOST: { schema: host, fallback: '0.0.0.0' },
  TIMELINE_DATA_DIR: { schema: dataDir, fallback: './data' },
  TIMELINE_SEED: { schema: flag, fallback: 'true' },
  TIMELINE_ADMIN_KEYS: { schema: keyList('TIMELINE_ADMIN_KEYS', 'admin'), fallback: '' },
  TIMELINE_EDITOR_KEYS: { schema: keyList('TIMELINE_EDITOR_KEYS', 'editor'), fallback: '' },
  TIMELINE_READER_KEYS: { schema: keyList('TIMELINE_READER_KEYS', 'reader'), fallback: '' },
  LOG_LEVEL: { schema: logLevel, fallback: 'info' },
  REDIS_URL: { schema: redisUrl, fallback: '' },
  TIMELINE_REDIS_PREFIX: { schema: redisPrefix, fallback: 'timeline' },
  TIMELINE_LEASE_TTL_MS: { schema: leaseTtlMs, fallback: '10000' },
  TIMELINE_CACHE_MB: { schema: wholeNumber(1, 1_000_000), fallback: '256' },
  TIMELINE_SNAPSHOT_EVERY: { schema: wholeNumber(8, 4_096), fallback: '256' },
  TIMELINE_SUBSCRIBER_BUFFER: { schema: subscriberBuffer, fallback: '1000' },
  TIMELINE_RATE_LIMIT: { schema: wholeNumber(0, 1_000_000), fallback: '600' },
  TIMELINE_ANONYMOUS_RATE_LIMIT: { schema: wholeNumber(0, 1_000_000), fallback: '120' },
  TIMELINE_TRUST_PROXY: { schema: flag, fallback: 'false' },
  TIMELINE_SUBSCRIPTION_RATE_LIMIT: { schema: wholeNumber(0, 1_000_000), fallback: '1200' },
  TIMELINE_CORS_ORIGINS: { schema: corsOrigins, fallback: 'none' },
  NODE_ENV: { schema: z.string().transform((raw) => raw.trim()), fallback: 'production' },
  TIMELINE_MAX_DEPTH: { schema: wholeNumber(2, 100), fallback: '12' },
  TIMELINE_MAX_COMPLEXITY: { schema: wholeNumber(10, 10_000_000), fallback: '50000' },
  TIMELINE_MAX_ALIASES: { schema: wholeNumber(1, 10_000), fallback: '30' },
  TIMELINE_MAX_FIELDS: { schema: wholeNumber(10, 100_000), fallback: '1000' },
  TIMELINE_OPERATION_TIMEOUT_MS: { schema: wholeNumber(100, 600_000), fallback: '10000' },
  TIMELINE_MAX_BODY_BYTES: { schema: wholeNumber(1_024, 100_000_000), fallback: '1048576' },
  TIMELINE_INTROSPECTION: { schema: flag, fallback: 'true' },
  TIMELINE_KNOWN_QUERIES_LANE: { schema: flag, fallback: 'true' },
  TIMELINE_COMPILED_QUERIES: { schema: flag, fallback: 'true' },
  TIMELINE_VERIFY_READS: { schema: flag, fallback: 'false' },
  TIMELINE_STORE: { schema: storeKind, fallback: 'sqlite' },
  KURRENTDB_URL: { schema: kurrentDbUrl, fallback: '' },
} as const;

type Variables = typeof VARIABLES;

/** Every environment variable the server reads (docs/configuration.md documents each one; a test checks it). */
export const SETTING_NAMES = Object.keys(VARIABLES) as readonly (keyof Variables)[];
type Parsed = { [Name in keyof Variables]: z.output<Variables[Name]['schema']> };

/** Parses every variable on its own, so one bad value does not hide the next. */
const parseVariables = (env: NodeJS.ProcessEnv, problems: string[]): Partial<Parsed> => {
  const parsed: Partial<Record<keyof Variables, unknown>> = {};
  for (const name of Object.keys(VARIABLES) as (keyof Variables)[]) {
    const { schema, fallback } = VARIABLES[name];
    const raw = env[name];
    // `FOO=` in an env file means "not set" to most people, so a blank value takes the default.
    const result = schema.safeParse(raw === undefined || raw.trim() === '' ? fallback : raw);
    if (result.success) parsed[name] = result.data;
    else problems.push(...result.error.issues.map((issue) => `${name}: ${issue.message}`));
  }
  return parsed as Partial<Parsed>;
};

const where = (placed: PlacedKey): string => `${placed.variable} entry ${placed.position}`;

/** A secret must pick one key, or a reader could end up an editor; a name must pick one key, or the logs lie. */
const duplicateProblems = (keys: readonly PlacedKey[]): string[] => {
  const problems: string[] = [];
  const bySecret = new Map<string, PlacedKey>();
  const byName = new Map<string, PlacedKey>();
  for (const placed of keys) {
    const here = `${placed.variable}: entry ${placed.position}`;
    const sameSecret = bySecret.get(placed.key.sha256);
    if (sameSecret) problems.push(`${here} repeats the secret of ${where(sameSecret)}; every key needs its own`);
    else bySecret.set(placed.key.sha256, placed);
    const sameName = byName.get(placed.key.name);
    if (sameName) problems.push(`${here} repeats the name "${placed.key.name}" of ${where(sameName)}`);
    else byName.set(placed.key.name, placed);
  }
  return problems;
};

/** Reads and checks the whole configuration at start, so a typo stops the server instead of surprising it later. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const parsed = parseVariables(env, problems);
  if (parsed.TIMELINE_ADMIN_KEYS && parsed.TIMELINE_EDITOR_KEYS && parsed.TIMELINE_READER_KEYS) {
    problems.push(
      ...duplicateProblems([
        ...parsed.TIMELINE_ADMIN_KEYS,
        ...parsed.TIMELINE_EDITOR_KEYS,
        ...parsed.TIMELINE_READER_KEYS,
      ]),
    );
  }
  if (parsed.TIMELINE_STORE === 'kurrentdb' && parsed.KURRENTDB_URL === '') {
    problems.push(
      'KURRENTDB_URL: required when TIMELINE_STORE is kurrentdb (e.g. kurrentdb://127.0.0.1:2113?tls=false)',
    );
  }
  if (parsed.TIMELINE_ROLE !== undefined && parsed.TIMELINE_ROLE !== 'all' && parsed.REDIS_URL === null) {
    problems.push(
      `TIMELINE_ROLE: ${parsed.TIMELINE_ROLE} needs REDIS_URL: the roles share their read models through Redis`,
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const values = parsed as Parsed;
  return {
    role: values.TIMELINE_ROLE,
    port: values.PORT,
    host: values.HOST,
    dataDir: values.TIMELINE_DATA_DIR,
    seed: values.TIMELINE_SEED,
    adminKeys: values.TIMELINE_ADMIN_KEYS.map(({ key }) => key),
    editorKeys: values.TIMELINE_EDITOR_KEYS.map(({ key }) => key),
    readerKeys: values.TIMELINE_READER_KEYS.map(({ key }) => key),
    logLevel: values.LOG_LEVEL,
    redisUrl: values.REDIS_URL,
    redisPrefix: values.TIMELINE_REDIS_PREFIX,
    leaseTtlMs: values.TIMELINE_LEASE_TTL_MS,
    cacheBytes: values.TIMELINE_CACHE_MB * 1024 * 1024,
    snapshotEvery: values.TIMELINE_SNAPSHOT_EVERY,
    subscriberBuffer: values.TIMELINE_SUBSCRIBER_BUFFER,
    rateLimits: {
      perKey: values.TIMELINE_RATE_LIMIT,
      perAddress: values.TIMELINE_ANONYMOUS_RATE_LIMIT,
      subscriptions: values.TIMELINE_SUBSCRIPTION_RATE_LIMIT,
    },
    trustProxy: values.TIMELINE_TRUST_PROXY,
    corsOrigins: values.TIMELINE_CORS_ORIGINS,
    development: values.NODE_ENV === 'development',
    operationLimits: {
      maxDepth: values.TIMELINE_MAX_DEPTH,
      maxComplexity: values.TIMELINE_MAX_COMPLEXITY,
      maxAliases: values.TIMELINE_MAX_ALIASES,
      maxFields: values.TIMELINE_MAX_FIELDS,
      timeoutMs: values.TIMELINE_OPERATION_TIMEOUT_MS,
      maxBodyBytes: values.TIMELINE_MAX_BODY_BYTES,
    },
    introspection: values.TIMELINE_INTROSPECTION,
    knownQueriesLane: values.TIMELINE_KNOWN_QUERIES_LANE,
    compiledQueries: values.TIMELINE_COMPILED_QUERIES,
    verifyReads: values.TIMELINE_VERIFY_READS,
    store:
      values.TIMELINE_STORE === 'kurrentdb' ? { kind: 'kurrentdb', url: values.KURRENTDB_URL } : { kind: 'sqlite' },
  };
}
