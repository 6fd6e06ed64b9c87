import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The explorer page: built once into dist/explorer and served as static files by the API server (no CDN).
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  logLevel: 'warn',
  build: {
    outDir: process.env.EXPLORER_OUT_DIR ?? fileURLToPath(new URL('../../../dist/explorer', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
});
