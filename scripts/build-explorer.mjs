// Builds the explorer page (src/explorer/web) with Vite into dist/explorer, which the server serves at GET /.
// Built beside it first, then swapped in, so that a server (or a test) serving the old build never sees it missing.
import { renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { build } from 'vite';

const root = path.resolve(import.meta.dirname, '..');
const target = path.join(root, 'dist/explorer');
const staging = path.join(root, `dist/explorer.building-${process.pid}`);

export const buildExplorer = async () => {
  try {
    await build({
      configFile: path.join(root, 'src/explorer/web/vite.config.ts'),
      build: { outDir: staging, emptyOutDir: true },
    });
    const old = `${target}.old-${process.pid}`;
    rmSync(old, { recursive: true, force: true });
    try {
      renameSync(target, old);
    } catch {
      // Nothing built before.
    }
    renameSync(staging, target);
    rmSync(old, { recursive: true, force: true });
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
};

if (process.argv[1] && path.resolve(process.argv[1]) === import.meta.filename) await buildExplorer();
