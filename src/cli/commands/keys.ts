import { randomBytes } from 'node:crypto';
import { MIN_SECRET_LENGTH, secretDigest, type KeyRole } from '../../config/environment.js';
import { parseCommandArgsAndFiles } from '../args.js';
import { CliError, EXIT_OK, UsageError } from '../errors.js';
import { writeFully, type CliIo } from '../io.js';
import { KEYS_USAGE } from '../usage.js';

const COMMAND = 'keys';

const OPTIONS = {
  name: { type: 'string' },
  role: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const VARIABLE: Record<KeyRole, string> = {
  admin: 'TIMELINE_ADMIN_KEYS',
  editor: 'TIMELINE_EDITOR_KEYS',
  reader: 'TIMELINE_READER_KEYS',
};

const KEY_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;

const readAll = async (input: AsyncIterable<string | Buffer>): Promise<string> => {
  let text = '';
  for await (const chunk of input) text += chunk.toString();
  return text;
};

/**
 * `timeline keys generate` makes a key and prints it once, with the configuration entry that holds only its hash;
 * `timeline keys hash` prints the hash of a key read from stdin. The server never needs the key itself.
 */
export const keys = async (args: readonly string[], io: CliIo): Promise<number> => {
  const { values, positionals } = parseCommandArgsAndFiles(COMMAND, args, OPTIONS);
  if (values.help) {
    await writeFully(io.stdout, `${KEYS_USAGE}\n`);
    return EXIT_OK;
  }
  const [action, ...rest] = positionals;
  if (rest.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(rest[0])}`, COMMAND);
  if (action === 'generate') {
    const role = (values.role ?? 'editor') as KeyRole;
    if (!Object.hasOwn(VARIABLE, role)) throw new UsageError(`--role is reader, editor or admin`, COMMAND);
    const name = values.name ?? role;
    if (!KEY_NAME.test(name)) throw new UsageError('--name is 1-64 lowercase letters, digits, "-" or "_"', COMMAND);
    const secret = randomBytes(24).toString('base64url');
    await writeFully(
      io.stdout,
      `The key (shown this once; give it to whoever will use it, as "Authorization: Bearer <key>"):\n` +
        `  ${secret}\n` +
        `The configuration entry (it holds only the key's SHA-256; add it to ${VARIABLE[role]}, comma-separated):\n` +
        `  ${name}:sha256:${secretDigest(secret)}\n`,
    );
    return EXIT_OK;
  }
  if (action === 'hash') {
    if (values.name !== undefined || values.role !== undefined) {
      throw new UsageError('hash takes no options: pipe the key into it', COMMAND);
    }
    if (!io.stdin) throw new CliError('no standard input to read the key from');
    const secret = (await readAll(io.stdin)).trim();
    if (secret.length < MIN_SECRET_LENGTH || /\s/.test(secret)) {
      throw new CliError(`a key is at least ${MIN_SECRET_LENGTH} characters with no whitespace`);
    }
    await writeFully(io.stdout, `sha256:${secretDigest(secret)}\n`);
    return EXIT_OK;
  }
  throw new UsageError(`expected generate or hash, got ${JSON.stringify(action ?? '')}`, COMMAND);
};
