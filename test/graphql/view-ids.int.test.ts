import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcessServer, type InProcessServer } from '../support/in-process-server.js';
import { developmentInput, mutate, pause, recordDevelopment } from '../support/live-fixtures.js';

/**
 * viewId (docs/api.md, "Client caches"): the id for the live view, the id and the time point the question named
 * otherwise, "now" for an axis left out; nested objects carry their parent's point.
 */

let server: InProcessServer;
beforeAll(async () => {
  server = await startInProcessServer({ TIMELINE_SEED: 'true' });
}, 60_000);
afterAll(async () => server.close());

const ask = <T = Record<string, never>>(query: string, variables: Record<string, unknown> = {}) =>
  mutate<T>(server.url, query, variables);

const OCTOBER = '2025-10-02T00:00:00.000Z';

describe('viewId', () => {
  it('is the id in the live view, however deep', async () => {
    const { actor } = await ask(`{
      actor(id: "vladimir-putin") {
        viewId
        relations { other { id viewId } }
        developments(first: 2) { edges { node { id viewId topics { id viewId } } } }
      }
    }`);
    expect(actor).toMatchObject({ viewId: 'vladimir-putin' });
    const nested = JSON.stringify(actor);
    for (const [, id, viewId] of nested.matchAll(/"id":"([^"]+)","viewId":"([^"]+)"/g)) expect(viewId).toBe(id);
  });

  it('names the asOf asked, whatever its spelling, and "now" for knownAt; nested objects inherit it', async () => {
    const query = `query ($asOf: DateTime) {
      actor(id: "vladimir-putin", asOf: $asOf) {
        viewId asOf
        relations { other { id viewId } }
        developments(first: 3) { edges { node { id viewId asOf participants { actor { id viewId } } } } }
      }
    }`;
    const view = `@asOf=${OCTOBER};knownAt=now`;
    const { actor } = await ask(query, { asOf: '2025-10-02T00:00:00Z' });
    expect(actor).toMatchObject({ viewId: `vladimir-putin${view}`, asOf: OCTOBER });
    const nested = JSON.stringify(actor);
    const pairs = [...nested.matchAll(/"id":"([^"]+)","viewId":"([^"]+)"/g)];
    expect(pairs.length).toBeGreaterThan(5);
    for (const [, id, viewId] of pairs) expect(viewId).toBe(`${id}${view}`);
    expect((await ask(query, { asOf: '2025-10-02T02:00:00+02:00' })).actor).toEqual(actor);
  });

  it('names a knownAt asked, as the development at each version carries it and echoes it', async () => {
    const before = new Date();
    await pause(5);
    await recordDevelopment(
      server.url,
      developmentInput('view-id-statement', {
        actors: ['vladimir-putin'],
        topics: ['peace-talks'],
        occurredAt: '2025-10-20T00:00:00.000Z',
      }),
    );
    const query = `query ($knownAt: DateTime) {
      development(id: "view-id-statement", knownAt: $knownAt) {
        viewId asOf knownAt revision participants { actor { viewId } } topics { viewId }
      }
      actor(id: "vladimir-putin", knownAt: $knownAt) { viewId }
    }`;
    const knownAt = new Date();
    const past = await ask(query, { knownAt: knownAt.toISOString() });
    const view = `@asOf=now;knownAt=${knownAt.toISOString()}`;
    expect(past).toEqual({
      development: {
        viewId: `view-id-statement${view}`,
        asOf: expect.any(String),
        knownAt: knownAt.toISOString(),
        revision: 0,
        participants: [{ actor: { viewId: `vladimir-putin${view}` } }],
        topics: [{ viewId: `peace-talks${view}` }],
      },
      actor: { viewId: `vladimir-putin${view}` },
    });
    expect((await ask(query, { knownAt: before.toISOString() })).development).toBeNull();
    expect((await ask(query)).development).toMatchObject({ viewId: 'view-id-statement' });
  });

  it('names both axes when both are asked, on topics and meetings too', async () => {
    const knownAt = new Date().toISOString();
    const { topic, meeting } = await ask<Record<'topic' | 'meeting', { viewId: string }>>(
      `query ($knownAt: DateTime) {
        topic(id: "peace-talks", asOf: "${OCTOBER}", knownAt: $knownAt) { viewId subtopics { id viewId } }
        meeting(id: "budapest-summit-2025", asOf: "2025-10-17T00:00:00Z", knownAt: $knownAt) { viewId }
      }`,
      { knownAt },
    );
    expect(topic.viewId).toBe(`peace-talks@asOf=${OCTOBER};knownAt=${knownAt}`);
    expect(meeting.viewId).toBe(`budapest-summit-2025@asOf=2025-10-17T00:00:00.000Z;knownAt=${knownAt}`);
  });

  it("names the date a development's meeting is answered at when the development lies ahead of now", async () => {
    const input = {
      ...developmentInput('view-id-ahead', { actors: ['vladimir-putin'], topics: ['peace-talks'] }),
      occurredAt: '2031-05-01T00:00:00.000Z',
      meeting: { id: 'view-id-meeting', title: 'A meeting ahead', status: 'PROPOSED' },
    };
    const { recordDevelopment: written } = await mutate<Record<string, never>>(
      server.url,
      'mutation ($input: RecordDevelopmentInput!) { recordDevelopment(input: $input) { viewId meeting { viewId } } }',
      { input },
    );
    // A mutation answers the live view; the meeting as of the development's date is a view of that date.
    expect(written).toEqual({
      viewId: 'view-id-ahead',
      meeting: { viewId: 'view-id-meeting@asOf=2031-05-01T00:00:00.000Z;knownAt=now' },
    });
  });
});
