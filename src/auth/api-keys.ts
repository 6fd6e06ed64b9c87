import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { type ApiKey, type Config, MIN_SECRET_LENGTH } from '../config/environment.js';

export type Principal = { role: 'editor' | 'reader'; keyName: string } | { role: 'anonymous' } | { role: 'invalid' };

export type Operation = 'query' | 'mutation' | 'subscription';

export type Authorization = { ok: true } | { ok: false; code: 'UNAUTHENTICATED' | 'FORBIDDEN'; message: string };

export interface KeyRing {
  identify(authorizationHeader: string | undefined): Principal;
  readonly readersRequired: boolean;
}

export const EDITOR_KEY_FILE = 'editor.key';
export const GENERATED_EDITOR_KEY_NAME = 'generated-editor';

const digest = (secret: string): Buffer => createHash('sha256').update(secret, 'utf8').digest();

const BEARER = /^\s*bearer\s+(\S+)\s*$/i;

/** Builds the lookup from a bearer secret to the key that holds it. */
export function createKeyRing(keys: readonly ApiKey[], readersRequired: boolean): KeyRing {
  const known = keys.map((key) => ({ role: key.role, name: key.name, digest: digest(key.secret) }));
  return {
    readersRequired,
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

const readKeptSecret = (file: string): string | undefined => {
  let content: string;
  try {
    content = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  // An operator may have opened the file in an editor that adds a newline; anything worse is not ours to guess at.
  const secret = content.trim();
  if (secret.length < MIN_SECRET_LENGTH || /\s/.test(secret)) {
    throw new Error(
      `${file} does not hold a usable editor key (at least ${MIN_SECRET_LENGTH} characters, no whitespace); ` +
        'fix it, or delete it to have a new key generated',
    );
  }
  return secret;
};

/** Writes beside the target and renames, so a crash leaves either no key or a whole one, never half of one. */
const writeKeptSecret = (file: string, secret: string): void => {
  const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const descriptor = openSync(temporary, 'wx', 0o600);
    try {
      writeSync(descriptor, `${secret}\n`);
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

/**
 * Makes sure somebody can edit. Configured editor keys win; without them the server keeps its own key in
 * `<dataDir>/editor.key` and reports it as `generated` the first time, so the caller can show it once.
 */
export function ensureEditorKey(config: Config): { keys: KeyRing; generated?: { name: string; secret: string } } {
  const readersRequired = config.readerKeys.length > 0;
  if (config.editorKeys.length > 0) {
    return { keys: createKeyRing([...config.editorKeys, ...config.readerKeys], readersRequired) };
  }
  mkdirSync(config.dataDir, { recursive: true });
  const file = path.join(config.dataDir, EDITOR_KEY_FILE);
  const kept = readKeptSecret(file);
  const secret = kept ?? randomBytes(24).toString('base64url');
  if (kept === undefined) writeKeptSecret(file, secret);
  const editor: ApiKey = { name: GENERATED_EDITOR_KEY_NAME, secret, role: 'editor' };
  const keys = createKeyRing([editor, ...config.readerKeys], readersRequired);
  return kept === undefined ? { keys, generated: { name: editor.name, secret } } : { keys };
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
  if (operation === 'mutation') {
    if (principal.role === 'editor') return { ok: true };
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
