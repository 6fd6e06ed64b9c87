import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
/**
 * Left out: what a checkout does not hold (`data/` is the sandbox's own) and what an install would rewrite. An
 * example that installs (`npm ci`) empties `node_modules/` first: through a link it would empty the checkout's.
 */
const LEFT_OUT = new Set(['.git', 'data', 'dist', 'coverage', 'node_modules', 'package-lock.json']);
/** Copied, not linked: npm writes to it (`npm pkg`, `npm install <name>`). */
const COPIED = new Set(['package.json']);

/**
 * A scratch directory that looks like the repository to a command run in it: every other top-level entry is a link
 * to the real one, `data/` is empty and its own. Examples write where a reader's would (`--data-dir ./data`,
 * `--out timeline.ndjson`, `rejects.tsv`) without touching the checkout.
 */
export const repositorySandbox = (): string => {
  const sandbox = mkdtempSync(path.join(tmpdir(), 'timeline-examples-'));
  for (const entry of readdirSync(ROOT)) {
    if (COPIED.has(entry)) copyFileSync(path.join(ROOT, entry), path.join(sandbox, entry));
    else if (!LEFT_OUT.has(entry)) symlinkSync(path.join(ROOT, entry), path.join(sandbox, entry));
  }
  mkdirSync(path.join(sandbox, 'data'));
  return sandbox;
};

/**
 * What a shell in the sandbox needs to run the project's commands as in a checkout. The dependencies' commands
 * (`tsx`, `vitest`) from the checkout's node_modules, which the sandbox has not. tsx applies a tsconfig.json only to
 * the files under its folder, and it sees the sources at their real paths, not through the sandbox's links: pointed
 * at the repository's own, `npm run timeline` compiles as it does in a checkout.
 */
export const sandboxEnvironment = (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({
  ...env,
  PATH: [path.join(ROOT, 'node_modules', '.bin'), path.dirname(process.execPath), env.PATH].join(path.delimiter),
  TSX_TSCONFIG_PATH: path.join(ROOT, 'tsconfig.json'),
});
