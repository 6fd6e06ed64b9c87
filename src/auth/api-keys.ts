import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { type ApiKey, type Config, type KeyRole, MIN_SECRET_LENGTH, secretDigest } from '../config/environment.js';

export type Principal = { role: KeyRole; keyName: string } | { role: 'anonymous' } | { role: 'invalid' };

/** What an operation does: read (query, subscription), write (mutation), or administer (admin fields). */
export type Operation = 'query' | 'mutation' | 'subscription' | 'admin';

export type Authorization = { ok: true } | { ok: false; code: 'UNAUTHENTICATED' | 'FORBIDDEN'; message: string };

export interface KeyRing {
  identify(authorizationHeader: string | undefined): Principal;
  /** Every key by name and role (never a secret or a hash). */
  list(): { readonly name: string; readonly role: KeyRole }[];
  readonly readersRequired: boolean;
}

export const EDITOR_KEY_FILE = 'editor.key';
export const GENERATED_EDITOR_KEY_NAME = 'generated-editor';

const digest = (secret: string): Buffer => createHash('sha256').update(secret, 'utf8').digest();

const BEARER = /^\s*bearer\s+(\S+)\s*$/i;

/** Builds the lookup from a bearer secret to the key that holds it. */
export function createKeyRing(keys: readonly ApiKey[], readersRequired: boolean): KeyRing {
  const known = keys.map((key) => ({ role: key.role, name: key.name, digest: Buffer.from(key.sha256, 'hex') }));
  return {
    readersRequired,
    list: () => known.map(({ name, role }) => ({ name, role })),
    identify(authorizationHeader) {
      if (authorizationHeader === undefined) return { role: 'anonymous' };
      const secret = BEARER.exec(authorizationHeader)?.[1];
      if (secret === undefined) return { role: 'invalid' };
      // Equal-length digests let timingSafeEqual run without leaking the secret's length, and every key is compared
      // so the time taken does not tell which position matched either.
      const candidate = digest(secret);
      let match: (typeof known)[number] | undefined;
      for (const key of known) {
        if (timingSafeEqual(candidate, key.digest) && match === undefined) match = key;
      }
      return match ? { role: match.role, keyName: match.name } : { role: 'invalid' };
    },
  };
}

const KEPT = /^sha256:([0-9a-f]{64})$/;

/**
 * The generated editor key's file holds the SHA-256 of the key, never the key: the key is shown once, when it is
 * made. A file from an earlier version holding the key itself is read, and rewritten as its hash.
 */
const readKeptDigest = (file: string, rewrite = true): { sha256: string; rewritten: boolean } | undefined => {
  let content: string;
  try {
    content = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  // An operator may have opened the file in an editor that adds a newline; anything worse is not ours to guess at.
  const kept = content.trim();
  const hashed = KEPT.exec(kept);
  if (hashed) return { sha256: hashed[1]!, rewritten: false };
  if (kept.length < MIN_SECRET_LENGTH || /\s/.test(kept)) {
    throw new Error(
      `${file} does not hold a usable editor key (sha256:<64 hex digits>); fix it, or delete it to have a new key ` +
        'generated',
    );
  }
  const sha256 = secretDigest(kept);
  if (!rewrite) return { sha256, rewritten: false };
  writeKeptDigest(file, sha256);
  return { sha256, rewritten: true };
};

/**
 * Refuses a start whose kept editor key is unusable, writing nothing: checked before the log is opened, so that
 * such a start leaves no new log behind, while the key is only made once the log has opened (a start refused for
 * the log leaves no new key behind either).
 */
export function checkKeptEditorKey(config: Config): void {
  if (config.editorKeys.length > 0 || config.adminKeys.length > 0) return;
  readKeptDigest(path.join(config.dataDir, EDITOR_KEY_FILE), false);
}

/** Writes beside the target and renames, so a crash leaves either no key or a whole one, never half of one. */
const writeKeptDigest = (file: string, sha256: string): void => {
  const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const descriptor = openSync(temporary, 'wx', 0o600);
    try {
      writeSync(descriptor, `sha256:${sha256}\n`);
      // Without the flush a power cut after the rename could leave an empty file under the final name.
      fsyncSync(descriptor);
    } finally {
      closeSync(descriptor);
    }
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
};

export interface EnsuredKeys {
  readonly keys: KeyRing;
  /** The key made on this start, to show the operator once (it is kept only as its hash). */
  readonly generated?: { name: string; secret: string };
  /** An editor.key of an earlier version held the key itself; it now holds its hash. */
  readonly rewrote?: string;
}

/**
 * Makes sure somebody can edit. Configured editor or admin keys win; without them the server keeps its own editor
 * key's hash in `<dataDir>/editor.key` and reports the key as `generated` the first time, so the caller can show
 * it once.
 */
export function ensureEditorKey(config: Config): EnsuredKeys {
  const readersRequired = config.readerKeys.length > 0;
  const configured = [...config.adminKeys, ...config.editorKeys, ...config.readerKeys];
  if (config.editorKeys.length > 0 || config.adminKeys.length > 0) {
    return { keys: createKeyRing(configured, readersRequired) };
  }
  mkdirSync(config.dataDir, { recursive: true });
  const file = path.join(config.dataDir, EDITOR_KEY_FILE);
  const kept = readKeptDigest(file);
  const secret = kept === undefined ? randomBytes(24).toString('base64url') : undefined;
  const sha256 = kept?.sha256 ?? secretDigest(secret!);
  if (kept === undefined) writeKeptDigest(file, sha256);
  const editor: ApiKey = { name: GENERATED_EDITOR_KEY_NAME, sha256, role: 'editor' };
  const keys = createKeyRing([editor, ...config.readerKeys], readersRequired);
  if (secret !== undefined) return { keys, generated: { name: editor.name, secret } };
  return kept?.rewritten ? { keys, rewrote: file } : { keys };
}

const BEARER_HINT = 'send "Authorization: Bearer <key>"';

/** Decides whether a principal may run an operation; a wrong key is refused outright, never read as anonymous. */
export function authorize(principal: Principal, operation: Operation, readersRequired: boolean): Authorization {
  if (principal.role === 'invalid') {
    return {
      ok: false,
      code: 'UNAUTHENTICATED',
      message: `The API key is not valid: ${BEARER_HINT} with a key this server knows`,
    };
  }
  if (operation === 'admin') {
    if (principal.role === 'admin') return { ok: true };
    if (principal.role === 'anonymous') {
      return { ok: false, code: 'UNAUTHENTICATED', message: `This needs an admin key: ${BEARER_HINT}` };
    }
    return { ok: false, code: 'FORBIDDEN', message: `A ${principal.role} key cannot do this; it needs an admin key` };
  }
  if (operation === 'mutation') {
    if (principal.role === 'editor' || principal.role === 'admin') return { ok: true };
    if (principal.role === 'reader') {
      return { ok: false, code: 'FORBIDDEN', message: 'A reader key cannot make changes; use an editor key' };
    }
    return { ok: false, code: 'UNAUTHENTICATED', message: `Changes need an editor key: ${BEARER_HINT}` };
  }
  if (readersRequired && principal.role === 'anonymous') {
    return { ok: false, code: 'UNAUTHENTICATED', message: `This server needs an API key to read: ${BEARER_HINT}` };
  }
  return { ok: true };
}
