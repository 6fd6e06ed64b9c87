import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { serveExplorer } from '../../src/explorer/serve-explorer.js';

let server: Server | undefined;
const dirs: string[] = [];

afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const serve = async (candidates: string[]): Promise<string> => {
  const app = express();
  app.get('/healthz', (_req, res) => void res.send('ok'));
  app.use(serveExplorer(candidates));
  server = createServer(app);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

describe('serveExplorer', () => {
  it('without a build, answers GET / with how to make one, and leaves other paths alone', async () => {
    const origin = await serve([path.join(tmpdir(), 'no-explorer-build-here')]);
    const page = await fetch(`${origin}/`);
    expect(page.status).toBe(200);
    await expect(page.text()).resolves.toContain('npm run build');
    expect((await fetch(`${origin}/assets/x.js`)).status).toBe(404);
    await expect(fetch(`${origin}/healthz`).then((response) => response.text())).resolves.toBe('ok');
  });

  it('serves the first candidate that holds a build: the page revalidated, hashed assets cached for good', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'explorer-build-'));
    dirs.push(dir);
    mkdirSync(path.join(dir, 'assets'));
    writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>built</title>');
    writeFileSync(path.join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
    const origin = await serve([path.join(tmpdir(), 'no-explorer-build-here'), dir]);
    const page = await fetch(`${origin}/`);
    await expect(page.text()).resolves.toContain('built');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const asset = await fetch(`${origin}/assets/index-abc123.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${origin}/`, { method: 'POST' })).status).toBe(404);
  });
});
