import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** A hash of the sources a server runs (src, events, migrations) and git's word on them: what was measured. */
export const codeFingerprint = (root: string): string => {
  const hash = createHash('sha256');
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile())
        hash.update(path.relative(root, full)).update('\0').update(readFileSync(full)).update('\0');
    }
  };
  for (const dir of ['src', 'events', 'migrations']) walk(path.join(root, dir));
  let git = 'no git';
  try {
    const run = (...args: string[]) =>
      execFileSync('git', args, { cwd: root, timeout: 10_000, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const head = run('rev-parse', '--short', 'HEAD').trim();
    const changed = run('status', '--porcelain', '--', 'src', 'events', 'migrations').split('\n').filter(Boolean);
    git = `HEAD ${head} + ${changed.length} changed paths under src/events/migrations`;
  } catch {
    // Not a git checkout: the hash says enough.
  }
  return `${hash.digest('hex').slice(0, 12)} (${git})`;
};
