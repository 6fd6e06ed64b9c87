#!/usr/bin/env node
// The `timeline` command line (npx timeline, npm run timeline --): runs the TypeScript sources through tsx.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
