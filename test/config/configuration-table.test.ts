import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, SETTING_NAMES } from '../../src/config/environment.js';

// The one page that lists every setting; the README links to it rather than repeating it.
const PAGE = readFileSync(path.resolve(import.meta.dirname, '../../docs/configuration.md'), 'utf8');

/** The rows of docs/configuration.md's table: variable, default, meaning. */
const documented = new Map(
  [...PAGE.matchAll(/^\| `([A-Z_]+)` \| (.*?) \| (.*) \|$/gm)].map((match) => [match[1]!, match[2]!]),
);

describe('docs/configuration.md documents every setting', () => {
  it('has a row for each variable the server reads, and none for one it does not', () => {
    expect([...documented.keys()].sort()).toEqual([...SETTING_NAMES].sort());
  });

  it('gives the defaults the server uses', () => {
    const defaults = loadConfig({});
    expect(documented.get('PORT')).toBe(`\`${defaults.port}\``);
    expect(documented.get('TIMELINE_ROLE')).toBe(`\`${defaults.role}\``);
    expect(documented.get('TIMELINE_REDIS_PREFIX')).toBe(`\`${defaults.redisPrefix}\``);
    expect(documented.get('TIMELINE_LEASE_TTL_MS')).toBe(`\`${defaults.leaseTtlMs}\``);
    expect(documented.get('TIMELINE_SUBSCRIBER_BUFFER')).toBe(`\`${defaults.subscriberBuffer}\``);
    expect(documented.get('TIMELINE_STORE')).toBe(`\`${defaults.store.kind}\``);
  });
});
