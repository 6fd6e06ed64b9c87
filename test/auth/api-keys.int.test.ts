import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  authorize,
  createKeyRing,
  EDITOR_KEY_FILE,
  ensureEditorKey,
  GENERATED_EDITOR_KEY_NAME,
  type Operation,
  type Principal,
} from '../../src/auth/api-keys.js';
import { type ApiKey, type Config, loadConfig, secretDigest } from '../../src/config/environment.js';

const EDITOR_SECRET = 'alice-editor-secret-0001';
const READER_SECRET = 'dashboard-reader-secret-01';
const ADMIN_SECRET = 'ops-admin-secret-000001';
const EDITOR: ApiKey = { name: 'alice', sha256: secretDigest(EDITOR_SECRET), role: 'editor' };
const READER: ApiKey = { name: 'dashboard', sha256: secretDigest(READER_SECRET), role: 'reader' };
const ADMIN: ApiKey = { name: 'ops', sha256: secretDigest(ADMIN_SECRET), role: 'admin' };

let root: string;

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'timeline-keys-'));
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

const configWith = (overrides: Partial<Config>): Config => ({
  ...loadConfig({}),
  dataDir: path.join(root, 'nested', 'data'),
  ...overrides,
});

describe('ensureEditorKey without configured editor keys', () => {
  it('generates a key, keeps it with mode 0600 and reports it once', () => {
    const config = configWith({});
    const first = ensureEditorKey(config);

    expect(first.generated?.name).toBe(GENERATED_EDITOR_KEY_NAME);
    const secret = first.generated!.secret;
    // 24 random bytes in base64url: 32 characters, nothing that needs quoting in a header.
    expect(secret).toMatch(/^[A-Za-z0-9_-]{32}$/);

    // The file keeps the key's hash, never the key: it is shown once, now.
    const file = path.join(config.dataDir, EDITOR_KEY_FILE);
    expect(readFileSync(file, 'utf8')).toBe(`sha256:${secretDigest(secret)}\n`);
    expect(readFileSync(file, 'utf8')).not.toContain(secret);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // The temporary file was renamed, not left behind.
    expect(readdirSync(config.dataDir)).toEqual([EDITOR_KEY_FILE]);

    expect(first.keys.identify(`Bearer ${secret}`)).toEqual({ role: 'editor', keyName: GENERATED_EDITOR_KEY_NAME });

    const second = ensureEditorKey(config);
    expect(second.generated).toBeUndefined();
    expect(second).not.toHaveProperty('generated');
    expect(second.keys.identify(`Bearer ${secret}`)).toEqual({ role: 'editor', keyName: GENERATED_EDITOR_KEY_NAME });
    expect(readFileSync(file, 'utf8')).toBe(`sha256:${secretDigest(secret)}\n`);
  });

  it("rewrites a key file of an earlier version, which held the key itself, as the key's hash", () => {
    const config = configWith({ dataDir: root });
    const file = path.join(root, EDITOR_KEY_FILE);
    writeFileSync(file, 'an-old-kept-editor-key-01\n');
    const result = ensureEditorKey(config);
    expect(result).toMatchObject({ rewrote: file });
    expect(result).not.toHaveProperty('generated');
    expect(readFileSync(file, 'utf8')).toBe(`sha256:${secretDigest('an-old-kept-editor-key-01')}\n`);
    expect(result.keys.identify('Bearer an-old-kept-editor-key-01')).toEqual({
      role: 'editor',
      keyName: GENERATED_EDITOR_KEY_NAME,
    });
    expect(ensureEditorKey(config)).not.toHaveProperty('rewrote');
  });

  it('creates the data directory, nested, when it is missing', () => {
    const config = configWith({});
    expect(existsSync(config.dataDir)).toBe(false);
    ensureEditorKey(config);
    expect(existsSync(path.join(config.dataDir, EDITOR_KEY_FILE))).toBe(true);
  });

  it('generates a different key for a different data directory', () => {
    const one = ensureEditorKey(configWith({ dataDir: path.join(root, 'one') })).generated!.secret;
    const two = ensureEditorKey(configWith({ dataDir: path.join(root, 'two') })).generated!.secret;
    expect(one).not.toBe(two);
  });

  it('uses a key an operator put in the file, ignoring a trailing newline', () => {
    const config = configWith({ dataDir: root });
    writeFileSync(path.join(root, EDITOR_KEY_FILE), 'operator-chosen-key-123\n', { mode: 0o600 });
    const { keys, generated } = ensureEditorKey(config);
    expect(generated).toBeUndefined();
    expect(keys.identify('Bearer operator-chosen-key-123')).toEqual({
      role: 'editor',
      keyName: GENERATED_EDITOR_KEY_NAME,
    });
  });

  it('refuses a kept file that holds no usable key instead of replacing it', () => {
    const config = configWith({ dataDir: root });
    const file = path.join(root, EDITOR_KEY_FILE);
    writeFileSync(file, '\n');
    expect(() => ensureEditorKey(config)).toThrow(/does not hold a usable editor key/);
    expect(readFileSync(file, 'utf8')).toBe('\n');
  });

  it('still knows the configured reader keys', () => {
    const { keys } = ensureEditorKey(configWith({ readerKeys: [READER] }));
    expect(keys.readersRequired).toBe(true);
    expect(keys.identify(`Bearer ${READER_SECRET}`)).toEqual({ role: 'reader', keyName: 'dashboard' });
  });
});

describe('ensureEditorKey with configured editor keys', () => {
  it('neither reads nor writes a key file', () => {
    const config = configWith({ editorKeys: [EDITOR] });
    const result = ensureEditorKey(config);
    expect(result).not.toHaveProperty('generated');
    expect(existsSync(config.dataDir)).toBe(false);
  });

  it('ignores a kept key, even a broken one', () => {
    const config = configWith({ dataDir: root, editorKeys: [EDITOR] });
    writeFileSync(path.join(root, EDITOR_KEY_FILE), 'kept-key-not-in-use-0001');
    const { keys } = ensureEditorKey(config);
    expect(keys.identify('Bearer kept-key-not-in-use-0001')).toEqual({ role: 'invalid' });
    writeFileSync(path.join(root, EDITOR_KEY_FILE), '');
    expect(() => ensureEditorKey(config)).not.toThrow();
  });

  it('needs no generated key when only admin keys are configured', () => {
    const config = configWith({ adminKeys: [ADMIN] });
    const { keys } = ensureEditorKey(config);
    expect(keys.identify(`Bearer ${ADMIN_SECRET}`)).toEqual({ role: 'admin', keyName: 'ops' });
    expect(existsSync(config.dataDir)).toBe(false);
  });

  it('identifies configured editors and readers', () => {
    const { keys } = ensureEditorKey(configWith({ editorKeys: [EDITOR], readerKeys: [READER] }));
    expect(keys.identify(`Bearer ${EDITOR_SECRET}`)).toEqual({ role: 'editor', keyName: 'alice' });
    expect(keys.identify(`Bearer ${READER_SECRET}`)).toEqual({ role: 'reader', keyName: 'dashboard' });
    expect(keys.readersRequired).toBe(true);
  });

  it('does not require readers when no reader key is configured', () => {
    expect(ensureEditorKey(configWith({ editorKeys: [EDITOR] })).keys.readersRequired).toBe(false);
  });
});

describe('KeyRing.identify', () => {
  const ring = createKeyRing([EDITOR, READER], true);

  it('treats a missing header as anonymous', () => {
    expect(ring.identify(undefined)).toEqual({ role: 'anonymous' });
  });

  it.each([
    ['lower-case scheme', `bearer ${EDITOR_SECRET}`],
    ['upper-case scheme', `BEARER ${EDITOR_SECRET}`],
    ['extra spaces', `  Bearer   ${EDITOR_SECRET}  `],
    ['a tab', `Bearer\t${EDITOR_SECRET}`],
  ])('accepts %s', (_, header) => {
    expect(ring.identify(header)).toEqual({ role: 'editor', keyName: 'alice' });
  });

  it.each([
    ['an empty header', ''],
    ['a scheme without a secret', 'Bearer'],
    ['a scheme and a blank', 'Bearer   '],
    ['a bare secret', EDITOR_SECRET],
    ['another scheme', `Basic ${EDITOR_SECRET}`],
    ['a glued scheme', `Bearer${EDITOR_SECRET}`],
    ['two tokens', `Bearer ${EDITOR_SECRET} ${READER_SECRET}`],
    ['an unknown secret', 'Bearer not-a-key-anybody-has'],
    ['a prefix of a secret', `Bearer ${EDITOR_SECRET.slice(0, -1)}`],
    ['a secret with something added', `Bearer ${EDITOR_SECRET}x`],
    ['a secret in another case', `Bearer ${EDITOR_SECRET.toUpperCase()}`],
  ])('calls %s invalid', (_, header) => {
    expect(ring.identify(header)).toEqual({ role: 'invalid' });
  });

  it('knows nobody when it holds no keys', () => {
    const empty = createKeyRing([], false);
    expect(empty.identify(`Bearer ${EDITOR_SECRET}`)).toEqual({ role: 'invalid' });
    expect(empty.identify(undefined)).toEqual({ role: 'anonymous' });
    expect(empty.readersRequired).toBe(false);
  });
});

describe('authorize', () => {
  const admin: Principal = { role: 'admin', keyName: 'ops' };
  const editor: Principal = { role: 'editor', keyName: 'alice' };
  const reader: Principal = { role: 'reader', keyName: 'dashboard' };
  const anonymous: Principal = { role: 'anonymous' };
  const invalid: Principal = { role: 'invalid' };

  type Outcome = 'ok' | 'UNAUTHENTICATED' | 'FORBIDDEN';
  const table: [Principal, Operation, boolean, Outcome][] = [];
  for (const readersRequired of [false, true]) {
    table.push(
      [admin, 'admin', readersRequired, 'ok'],
      [editor, 'admin', readersRequired, 'FORBIDDEN'],
      [reader, 'admin', readersRequired, 'FORBIDDEN'],
      [anonymous, 'admin', readersRequired, 'UNAUTHENTICATED'],
      [invalid, 'admin', readersRequired, 'UNAUTHENTICATED'],
      [admin, 'mutation', readersRequired, 'ok'],
      [editor, 'mutation', readersRequired, 'ok'],
      [reader, 'mutation', readersRequired, 'FORBIDDEN'],
      [anonymous, 'mutation', readersRequired, 'UNAUTHENTICATED'],
      [invalid, 'mutation', readersRequired, 'UNAUTHENTICATED'],
    );
    for (const operation of ['query', 'subscription'] as const) {
      table.push(
        [admin, operation, readersRequired, 'ok'],
        [editor, operation, readersRequired, 'ok'],
        [reader, operation, readersRequired, 'ok'],
        [anonymous, operation, readersRequired, readersRequired ? 'UNAUTHENTICATED' : 'ok'],
        [invalid, operation, readersRequired, 'UNAUTHENTICATED'],
      );
    }
  }

  it.each(table)('%o running a %s (readers required: %s) → %s', (principal, operation, readersRequired, outcome) => {
    const result = authorize(principal, operation, readersRequired);
    if (outcome === 'ok') {
      expect(result).toEqual({ ok: true });
    } else {
      expect(result).toEqual({ ok: false, code: outcome, message: expect.any(String) });
      if (!result.ok) expect(result.message.length).toBeGreaterThan(0);
    }
  });

  it('tells a client how to send a key', () => {
    const result = authorize({ role: 'anonymous' }, 'mutation', false);
    expect(!result.ok && result.message).toContain('Authorization: Bearer');
  });
});
