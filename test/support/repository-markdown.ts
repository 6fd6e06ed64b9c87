import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
/** Not the project's own pages: dependencies, build output, data. */
const SKIPPED_DIRS = new Set(['node_modules', '.git', 'dist', 'data', 'coverage']);

const walk = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return SKIPPED_DIRS.has(entry.name) ? [] : walk(full);
    return entry.name.endsWith('.md') ? [full] : [];
  });

/** Every markdown page of the repository, as paths from its root (`README.md`, `docs/api.md`, …), sorted. */
export const repositoryMarkdown = (): string[] =>
  walk(ROOT)
    .map((file) => path.relative(ROOT, file).split(path.sep).join('/'))
    .sort();

export const readRepositoryFile = (file: string): string => readFileSync(path.join(ROOT, file), 'utf8');
