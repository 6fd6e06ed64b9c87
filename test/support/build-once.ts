import { execFileSync } from 'node:child_process';
import path from 'node:path';

/**
 * The e2e tier's global setup: builds dist/ (scripts/build.mjs, what `npm start` runs) once, before any of its tests.
 * The tests that run the build (test/e2e/build, the GraphQL benches' smoke runs) then share it; each building it
 * itself let one rebuild dist/ under another's running server (a module not found, now and then in CI).
 */
export default function buildOnce(): void {
  execFileSync(process.execPath, ['scripts/build.mjs'], {
    cwd: path.resolve(import.meta.dirname, '../..'),
    stdio: 'pipe',
  });
}
