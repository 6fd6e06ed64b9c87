import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type RequestHandler } from 'express';

/**
 * The explorer page (src/explorer/web), built by Vite into dist/explorer, served as static files: GET / is the
 * page, /assets/* its hashed scripts and styles. Found beside this module whether it runs from src/ (tsx) or
 * from dist/src/ (built). Without a build, GET / says how to make one instead of failing.
 */
const EXPLORER_CANDIDATES = [
  fileURLToPath(new URL('../../dist/explorer/', import.meta.url)), // src/explorer/serve-explorer.ts
  fileURLToPath(new URL('../../explorer/', import.meta.url)), // dist/src/explorer/serve-explorer.js
];

const findBuild = (candidates: readonly string[]): string | null =>
  candidates.find((dir) => existsSync(path.join(dir, 'index.html'))) ?? null;

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Diplomatic timeline</title></head>
<body><h1>Diplomatic timeline</h1>
<p>The explorer page is not built. Run <code>npm run build</code> (or <code>npm start</code>, which builds it), then reload.</p>
<p>The GraphQL API answers at <a href="/graphql">/graphql</a>.</p></body></html>
`;

export const serveExplorer = (candidates: readonly string[] = EXPLORER_CANDIDATES): RequestHandler => {
  let dir: string | null = null;
  let serve: RequestHandler | null = null;
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    // Looked for again until found: a build made after the server started is picked up.
    if (!dir || !existsSync(path.join(dir, 'index.html'))) {
      dir = findBuild(candidates);
      serve = dir
        ? express.static(dir, {
            index: 'index.html',
            redirect: false,
            setHeaders: (response, file) => {
              // Vite names assets by their content hash: cached for good. The page itself is always revalidated.
              response.setHeader(
                'Cache-Control',
                file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
              );
            },
          })
        : null;
    }
    if (serve) return serve(req, res, next);
    if (req.path !== '/' && req.path !== '/index.html') return next();
    res.status(200).type('html').setHeader('Cache-Control', 'no-store').send(NOT_BUILT);
  };
};
