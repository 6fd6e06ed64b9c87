// Compiles the server to dist/ (plain Node runs it: no TypeScript loader in production, about 40 MB less resident)
// and copies the files the code reads at run time beside it, at the same relative paths; then builds the explorer
// page into dist/explorer (scripts/build-explorer.mjs, which swaps it in whole: it is not removed meanwhile).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { buildExplorer } from './build-explorer.mjs';

const require = createRequire(import.meta.url);
for (const entry of existsSync('dist') ? readdirSync('dist') : []) {
  if (entry !== 'explorer') rmSync(`dist/${entry}`, { recursive: true, force: true });
}
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
  stdio: 'inherit',
});
for (const folder of ['migrations/sqlite', 'events/seed', 'src/import/gdelt/tables']) {
  cpSync(folder, `dist/${folder}`, { recursive: true, filter: (path) => !path.endsWith('.ts') });
}
await buildExplorer();
