import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { ConfigError, type Config, LOG_LEVELS, loadConfig, secretDigest } from '../../src/config/environment.js';
import { SNAPSHOT_EVERY } from '../../src/time-travel/snapshots.js';

const SECRET_A = 'aaaaaaaaaaaaaaaa-secret-A';
const SECRET_B = 'bbbbbbbbbbbbbbbb-secret-B';
const SECRET_C = 'cccccccccccccccc-secret-C';

/** Runs loadConfig and hands back the ConfigError it must throw. */
const configError = (env: NodeJS.ProcessEnv): ConfigError => {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('loadConfig accepted a bad environment');
};

describe('loadConfig defaults', () => {
  it('gives every setting its default when nothing is set', () => {
    expect(loadConfig({})).toEqual<Config>({
      role: 'all',
      port: 4000,
      host: '0.0.0.0',
      dataDir: path.resolve('./data'),
      seed: true,
      adminKeys: [],
      editorKeys: [],
      readerKeys: [],
      logLevel: 'info',
      redisUrl: null,
      redisPrefix: 'timeline',
      leaseTtlMs: 10_000,
      cacheBytes: 256 * 1024 * 1024,
      snapshotEvery: SNAPSHOT_EVERY,
      subscriberBuffer: 1000,
      rateLimits: { perKey: 600, perAddress: 120, subscriptions: 1200 },
      trustProxy: false,
      corsOrigins: [],
      development: false,
      operationLimits: {
        maxDepth: 12,
        maxComplexity: 50_000,
        maxAliases: 30,
        maxFields: 1000,
        timeoutMs: 10_000,
        maxBodyBytes: 1_048_576,
      },
      introspection: true,
      knownQueriesLane: true,
      compiledQueries: true,
      verifyReads: false,
      store: { kind: 'sqlite' },
    });
  });

  it('reads TIMELINE_CORS_ORIGINS: none by default, a list of origins, or `*` alone for any', () => {
    expect(loadConfig({ TIMELINE_CORS_ORIGINS: 'https://App.example.org, http://localhost:5173' }).corsOrigins).toEqual(
      ['https://app.example.org', 'http://localhost:5173'],
    );
    expect(loadConfig({ TIMELINE_CORS_ORIGINS: '*' }).corsOrigins).toBe('any');
    expect(loadConfig({ TIMELINE_CORS_ORIGINS: 'none' }).corsOrigins).toEqual([]);
    expect(configError({ TIMELINE_CORS_ORIGINS: 'https://a.example.org/' }).message).toContain('TIMELINE_CORS_ORIGINS');
    expect(configError({ TIMELINE_CORS_ORIGINS: '*, https://a.example.org' }).message).toContain('stands alone');
  });

  it('shows stack traces only with NODE_ENV=development', () => {
    expect(loadConfig({ NODE_ENV: 'development' }).development).toBe(true);
    expect(loadConfig({ NODE_ENV: 'test' }).development).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production' }).development).toBe(false);
  });

  it('reads TIMELINE_STORE and KURRENTDB_URL, and wants the URL with kurrentdb', () => {
    expect(
      loadConfig({ TIMELINE_STORE: 'kurrentdb', KURRENTDB_URL: 'kurrentdb://127.0.0.1:2113?tls=false' }).store,
    ).toEqual({ kind: 'kurrentdb', url: 'kurrentdb://127.0.0.1:2113?tls=false' });
    expect(configError({ TIMELINE_STORE: 'kurrentdb' }).message).toMatch(/KURRENTDB_URL: required/);
    expect(configError({ TIMELINE_STORE: 'postgres' }).message).toContain('TIMELINE_STORE');
    expect(configError({ KURRENTDB_URL: 'http://127.0.0.1:2113' }).message).toContain('KURRENTDB_URL');
  });

  it('reads TIMELINE_ROLE, and wants REDIS_URL for the roles that share read models', () => {
    const redis = { REDIS_URL: 'redis://127.0.0.1:6379' };
    expect(loadConfig({ ...redis, TIMELINE_ROLE: 'serve' }).role).toBe('serve');
    expect(loadConfig({ ...redis, TIMELINE_ROLE: 'project' }).role).toBe('project');
    expect(loadConfig({ TIMELINE_ROLE: 'all' }).role).toBe('all');
    expect(configError({ TIMELINE_ROLE: 'serve' }).message).toMatch(/TIMELINE_ROLE: serve needs REDIS_URL/);
    expect(configError({ TIMELINE_ROLE: 'project' }).message).toMatch(/TIMELINE_ROLE: project needs REDIS_URL/);
    expect(configError({ ...redis, TIMELINE_ROLE: 'worker' }).message).toContain('expected one of all, serve, project');
  });

  it('reads TIMELINE_REDIS_PREFIX and TIMELINE_LEASE_TTL_MS, and refuses bad ones', () => {
    expect(loadConfig({ TIMELINE_REDIS_PREFIX: 'prod-eu', TIMELINE_LEASE_TTL_MS: '2500' })).toMatchObject({
      redisPrefix: 'prod-eu',
      leaseTtlMs: 2500,
    });
    expect(configError({ TIMELINE_REDIS_PREFIX: 'a b' }).message).toContain('TIMELINE_REDIS_PREFIX');
    expect(configError({ TIMELINE_REDIS_PREFIX: '*' }).message).toContain('TIMELINE_REDIS_PREFIX');
    expect(configError({ TIMELINE_LEASE_TTL_MS: '100' }).message).toContain('TIMELINE_LEASE_TTL_MS');
    expect(configError({ TIMELINE_LEASE_TTL_MS: '1e4' }).message).toContain('TIMELINE_LEASE_TTL_MS');
  });

  it('reads the limits, and refuses what is not a whole number in range', () => {
    const config = loadConfig({
      TIMELINE_RATE_LIMIT: '0',
      TIMELINE_ANONYMOUS_RATE_LIMIT: '5',
      TIMELINE_TRUST_PROXY: 'yes',
      TIMELINE_MAX_DEPTH: '6',
      TIMELINE_MAX_COMPLEXITY: '500',
      TIMELINE_MAX_ALIASES: '3',
      TIMELINE_OPERATION_TIMEOUT_MS: '2500',
      TIMELINE_MAX_BODY_BYTES: '2048',
      TIMELINE_INTROSPECTION: 'false',
      TIMELINE_KNOWN_QUERIES_LANE: 'false',
      TIMELINE_COMPILED_QUERIES: 'false',
    });
    expect(config).toMatchObject({
      rateLimits: { perKey: 0, perAddress: 5 },
      trustProxy: true,
      operationLimits: { maxDepth: 6, maxComplexity: 500, maxAliases: 3, timeoutMs: 2500, maxBodyBytes: 2048 },
      introspection: false,
      knownQueriesLane: false,
      compiledQueries: false,
    });
    expect(configError({ TIMELINE_RATE_LIMIT: '-1' }).message).toContain(
      'TIMELINE_RATE_LIMIT: expected a whole number from 0 to 1000000, got "-1"',
    );
    expect(configError({ TIMELINE_MAX_DEPTH: '1' }).message).toContain('TIMELINE_MAX_DEPTH');
    expect(configError({ TIMELINE_OPERATION_TIMEOUT_MS: '1e4' }).message).toContain('TIMELINE_OPERATION_TIMEOUT_MS');
  });

  it('reads TIMELINE_SNAPSHOT_EVERY, and refuses an interval too short or too long to serve', () => {
    expect(loadConfig({ TIMELINE_SNAPSHOT_EVERY: '1024' }).snapshotEvery).toBe(1024);
    expect(configError({ TIMELINE_SNAPSHOT_EVERY: '7' }).message).toContain(
      'TIMELINE_SNAPSHOT_EVERY: expected a whole number from 8 to 4096, got "7"',
    );
    expect(configError({ TIMELINE_SNAPSHOT_EVERY: '5000' }).message).toContain('TIMELINE_SNAPSHOT_EVERY');
  });

  it('reads TIMELINE_VERIFY_READS as a flag, and refuses what is not one', () => {
    expect(loadConfig({ TIMELINE_VERIFY_READS: 'yes' }).verifyReads).toBe(true);
    expect(loadConfig({ TIMELINE_VERIFY_READS: 'false' }).verifyReads).toBe(false);
    expect(configError({ TIMELINE_VERIFY_READS: 'sometimes' }).message).toContain('TIMELINE_VERIFY_READS');
  });

  it('reads REDIS_URL and TIMELINE_SUBSCRIBER_BUFFER, and refuses bad ones', () => {
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', TIMELINE_SUBSCRIBER_BUFFER: '50' })).toMatchObject({
      redisUrl: 'redis://127.0.0.1:6379',
      subscriberBuffer: 50,
    });
    expect(configError({ REDIS_URL: 'http://x' }).message).toContain('REDIS_URL');
    expect(configError({ TIMELINE_SUBSCRIBER_BUFFER: '5' }).message).toContain('TIMELINE_SUBSCRIBER_BUFFER');
  });

  it('reads process.env when no environment is passed', () => {
    // Every variable is pinned, so whatever the machine running the tests has set cannot leak in.
    const pinned = {
      PORT: '5555',
      HOST: '127.0.0.1',
      TIMELINE_DATA_DIR: '/tmp/timeline-env-test',
      TIMELINE_SEED: 'no',
      TIMELINE_EDITOR_KEYS: SECRET_A,
      TIMELINE_READER_KEYS: '',
      LOG_LEVEL: 'warn',
      REDIS_URL: '',
      TIMELINE_SUBSCRIBER_BUFFER: '',
      TIMELINE_VERIFY_READS: '',
      TIMELINE_STORE: '',
      KURRENTDB_URL: '',
    };
    for (const [name, value] of Object.entries(pinned)) vi.stubEnv(name, value);
    try {
      expect(loadConfig()).toEqual(loadConfig(pinned));
      expect(loadConfig().port).toBe(5555);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('treats blank values like unset ones', () => {
    const blank = {
      PORT: '',
      HOST: ' ',
      TIMELINE_DATA_DIR: '',
      TIMELINE_SEED: '',
      TIMELINE_EDITOR_KEYS: '',
      TIMELINE_READER_KEYS: '  ',
      LOG_LEVEL: '',
    };
    expect(loadConfig(blank)).toEqual(loadConfig({}));
  });

  it('ignores variables it does not know', () => {
    expect(loadConfig({ SOMETHING_ELSE: 'whatever' })).toEqual(loadConfig({}));
  });
});

describe('PORT', () => {
  it.each([
    ['0', 0],
    ['1', 1],
    ['8080', 8080],
    ['65535', 65535],
    [' 4001 ', 4001],
  ])('accepts %j', (raw, port) => {
    expect(loadConfig({ PORT: raw }).port).toBe(port);
  });

  it.each(['abc', '-1', '65536', '99999', '1.5', '1e3', '0x10', '40 00', '123456'])('rejects %j', (raw) => {
    const error = configError({ PORT: raw });
    expect(error.problems).toEqual([`PORT: expected an integer between 0 and 65535, got ${JSON.stringify(raw)}`]);
    expect(error.message).toContain(`PORT: expected an integer between 0 and 65535, got ${JSON.stringify(raw)}`);
  });
});

describe('HOST and TIMELINE_DATA_DIR', () => {
  it('takes the host as given', () => {
    expect(loadConfig({ HOST: '127.0.0.1' }).host).toBe('127.0.0.1');
    expect(loadConfig({ HOST: '::' }).host).toBe('::');
  });

  it('resolves a relative data directory against the working directory', () => {
    expect(loadConfig({ TIMELINE_DATA_DIR: 'var/timeline' }).dataDir).toBe(path.resolve('var/timeline'));
    expect(path.isAbsolute(loadConfig({ TIMELINE_DATA_DIR: 'x' }).dataDir)).toBe(true);
  });

  it('keeps an absolute data directory', () => {
    expect(loadConfig({ TIMELINE_DATA_DIR: '/srv/timeline/' }).dataDir).toBe('/srv/timeline');
  });
});

describe('TIMELINE_SEED', () => {
  it.each([
    ['true', true],
    ['TRUE', true],
    ['True', true],
    ['1', true],
    ['yes', true],
    ['YES', true],
    ['false', false],
    ['FALSE', false],
    ['0', false],
    ['no', false],
    ['No', false],
  ])('reads %j as %s', (raw, seed) => {
    expect(loadConfig({ TIMELINE_SEED: raw }).seed).toBe(seed);
  });

  it.each(['maybe', 'on', 'off', 'y', 'n', '2', 'truthy'])('rejects %j', (raw) => {
    expect(configError({ TIMELINE_SEED: raw }).problems).toEqual([
      `TIMELINE_SEED: expected one of true, false, 1, 0, yes, no, got ${JSON.stringify(raw)}`,
    ]);
  });
});

describe('LOG_LEVEL', () => {
  it.each(LOG_LEVELS)('accepts %s', (level) => {
    expect(loadConfig({ LOG_LEVEL: level }).logLevel).toBe(level);
  });

  it('accepts the level in any case', () => {
    expect(loadConfig({ LOG_LEVEL: 'DEBUG' }).logLevel).toBe('debug');
  });

  it.each(['verbose', 'warning', '30'])('rejects %j', (raw) => {
    expect(configError({ LOG_LEVEL: raw }).problems).toEqual([
      `LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent, got ${JSON.stringify(raw)}`,
    ]);
  });
});

describe('API keys', () => {
  it('names bare secrets by their position and role', () => {
    const config = loadConfig({
      TIMELINE_EDITOR_KEYS: `${SECRET_A},${SECRET_B}`,
      TIMELINE_READER_KEYS: SECRET_C,
    });
    expect(config.editorKeys).toEqual([
      { name: 'editor-1', sha256: secretDigest(SECRET_A), role: 'editor' },
      { name: 'editor-2', sha256: secretDigest(SECRET_B), role: 'editor' },
    ]);
    expect(config.readerKeys).toEqual([{ name: 'reader-1', sha256: secretDigest(SECRET_C), role: 'reader' }]);
  });

  it('takes the name before the first colon and keeps later colons in the secret', () => {
    const config = loadConfig({
      TIMELINE_EDITOR_KEYS: `alice:${SECRET_A}, ${SECRET_B}`,
      TIMELINE_READER_KEYS: `dashboard_2:${SECRET_C}:with:colons`,
    });
    expect(config.editorKeys).toEqual([
      { name: 'alice', sha256: secretDigest(SECRET_A), role: 'editor' },
      { name: 'editor-2', sha256: secretDigest(SECRET_B), role: 'editor' },
    ]);
    expect(config.readerKeys).toEqual([
      { name: 'dashboard_2', sha256: secretDigest(`${SECRET_C}:with:colons`), role: 'reader' },
    ]);
  });

  it('keeps only the hash of a secret, and takes keys given by their hash', () => {
    const hash = secretDigest(SECRET_A);
    const config = loadConfig({
      TIMELINE_ADMIN_KEYS: `ops:sha256:${hash}`,
      TIMELINE_EDITOR_KEYS: `sha256:${secretDigest(SECRET_B)}`,
      TIMELINE_READER_KEYS: `dash:${SECRET_C}`,
    });
    expect(config.adminKeys).toEqual([{ name: 'ops', sha256: hash, role: 'admin' }]);
    expect(config.editorKeys).toEqual([{ name: 'editor-1', sha256: secretDigest(SECRET_B), role: 'editor' }]);
    expect(JSON.stringify(config)).not.toContain(SECRET_C);
    expect(configError({ TIMELINE_ADMIN_KEYS: 'ops:sha256:abc' }).message).toContain(
      'entry 1: a hashed key is sha256: and 64 lowercase hex digits',
    );
    // One key, two roles: refused, whichever form each entry takes.
    expect(
      configError({ TIMELINE_ADMIN_KEYS: `ops:sha256:${hash}`, TIMELINE_READER_KEYS: `dash:${SECRET_A}` }).message,
    ).toContain('TIMELINE_READER_KEYS: entry 1 repeats the secret of TIMELINE_ADMIN_KEYS entry 1');
  });

  it('skips blank entries without renumbering the others', () => {
    const config = loadConfig({ TIMELINE_EDITOR_KEYS: ` ${SECRET_A} ,, ${SECRET_B},` });
    expect(config.editorKeys.map((key) => key.name)).toEqual(['editor-1', 'editor-3']);
    expect(config.editorKeys.map((key) => key.sha256)).toEqual([SECRET_A, SECRET_B].map(secretDigest));
  });

  it('accepts a secret of exactly 16 characters', () => {
    expect(loadConfig({ TIMELINE_READER_KEYS: '0123456789abcdef' }).readerKeys).toHaveLength(1);
  });

  const badEntries: [string, string, RegExp][] = [
    ['a short bare secret', 'short-secret', /entry 2: the secret must be at least 16 characters long/],
    ['a short named secret', 'bob:short-secret', /entry 2: the secret must be at least 16 characters long/],
    ['an empty named secret', 'bob:', /entry 2: the secret must be at least 16 characters long/],
    ['whitespace inside a secret', 'secret with spaces in it', /entry 2: the secret must not contain whitespace/],
    ['a tab inside a named secret', 'bob:secret\twith-a-tab-in-it', /entry 2: the secret must not contain whitespace/],
    ['an upper-case name', 'Bob:my-hidden-secret-value', /entry 2: the name before ":" must be/],
    ['an empty name', ':my-hidden-secret-value', /entry 2: the name before ":" must be/],
    ['a name with odd characters', 'b.o$b:my-hidden-secret-value', /entry 2: the name before ":" must be/],
    ['a name starting with a dash', '-bob:my-hidden-secret-value', /entry 2: the name before ":" must be/],
  ];

  describe.each(['TIMELINE_EDITOR_KEYS', 'TIMELINE_READER_KEYS'])('in %s', (variable) => {
    it.each(badEntries)('rejects %s, naming the variable and position but not the secret', (_, entry, expected) => {
      const error = configError({ [variable]: `${SECRET_A},${entry}` });
      expect(error.problems).toHaveLength(1);
      expect(error.problems[0]).toMatch(new RegExp(`^${variable}: `));
      expect(error.problems[0]).toMatch(expected);
      const secret = entry.includes(':') ? entry.slice(entry.indexOf(':') + 1) : entry;
      if (secret !== '') expect(error.message).not.toContain(secret);
      expect(error.message).not.toContain(entry);
      expect(error.message).not.toContain(SECRET_A);
    });
  });

  it('reports every bad entry of a list', () => {
    const error = configError({ TIMELINE_EDITOR_KEYS: 'too-short,ok-but-has whitespace,also-short' });
    expect(error.problems).toEqual([
      expect.stringMatching(/^TIMELINE_EDITOR_KEYS: entry 1: the secret must be at least 16/),
      expect.stringMatching(/^TIMELINE_EDITOR_KEYS: entry 2: the secret must not contain whitespace/),
      expect.stringMatching(/^TIMELINE_EDITOR_KEYS: entry 3: the secret must be at least 16/),
    ]);
  });

  it('rejects a secret used twice across the two lists, without echoing it', () => {
    const error = configError({
      TIMELINE_EDITOR_KEYS: `${SECRET_A},${SECRET_B}`,
      TIMELINE_READER_KEYS: `viewer:${SECRET_B}`,
    });
    expect(error.problems).toEqual([
      'TIMELINE_READER_KEYS: entry 1 repeats the secret of TIMELINE_EDITOR_KEYS entry 2; every key needs its own',
    ]);
    expect(error.message).not.toContain(SECRET_B);
  });

  it('rejects a secret used twice within one list', () => {
    const error = configError({ TIMELINE_READER_KEYS: `${SECRET_A},other:${SECRET_A}` });
    expect(error.problems).toEqual([
      'TIMELINE_READER_KEYS: entry 2 repeats the secret of TIMELINE_READER_KEYS entry 1; every key needs its own',
    ]);
    expect(error.message).not.toContain(SECRET_A);
  });

  it('rejects a name used twice, as a key name should point at one key', () => {
    const error = configError({
      TIMELINE_EDITOR_KEYS: `${SECRET_A},editor-1:${SECRET_B}`,
      TIMELINE_READER_KEYS: `alice:${SECRET_C}`,
    });
    expect(error.problems).toEqual([
      'TIMELINE_EDITOR_KEYS: entry 2 repeats the name "editor-1" of TIMELINE_EDITOR_KEYS entry 1',
    ]);
  });
});

describe('ConfigError', () => {
  it('lists every bad variable at once', () => {
    const error = configError({
      PORT: 'abc',
      TIMELINE_SEED: 'perhaps',
      LOG_LEVEL: 'loud',
      TIMELINE_EDITOR_KEYS: 'short',
      TIMELINE_READER_KEYS: 'also short',
    });
    expect(error.name).toBe('ConfigError');
    expect(error.problems.map((problem) => problem.split(':')[0])).toEqual([
      'PORT',
      'TIMELINE_SEED',
      'TIMELINE_EDITOR_KEYS',
      'TIMELINE_READER_KEYS',
      'LOG_LEVEL',
    ]);
    for (const problem of error.problems) expect(error.message).toContain(problem);
    expect(error.message).not.toContain('short');
  });

  it('is an Error, so a plain catch prints it', () => {
    expect(configError({ PORT: 'x' })).toBeInstanceOf(Error);
  });
});
