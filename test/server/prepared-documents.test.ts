import { buildSchema, parse, validate, type GraphQLError, type GraphQLSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { checkBeforeValidation, DEFAULT_LIMITS } from '../../src/graphql/operation-limits.js';
import { preparedDocuments, type PreparedDocumentsOptions } from '../../src/server/prepared-documents.js';

/**
 * graphql-ws's documents, prepared once per text: the same document object while the cache holds the text, the
 * refusals graphql-js and the cost checks give, with their codes, and a cache that keeps to its bounds.
 */

const schema: GraphQLSchema = buildSchema(`
  type Item { id: ID! child: Item }
  type Query { items(first: Int): [Item!]! }
  type Subscription { changes: Item! }
`);
const LIMITS = { ...DEFAULT_LIMITS, maxDepth: 3 };
const CHANGES = 'subscription Changes { changes { id } }';

const counted = (options: PreparedDocumentsOptions = {}) => {
  const made = { parses: 0 };
  const documents = preparedDocuments(schema, LIMITS, { ...options, onPrepared: () => (made.parses += 1) });
  return Object.assign(made, documents);
};

const preparedOf = (outcome: ReturnType<ReturnType<typeof preparedDocuments>['prepare']>) => {
  if ('refused' in outcome) throw new Error(`refused: ${outcome.refused.map((error) => error.message).join('; ')}`);
  return outcome.prepared;
};

const refusedOf = (outcome: ReturnType<ReturnType<typeof preparedDocuments>['prepare']>) => {
  if (!('refused' in outcome)) throw new Error('prepared, not refused');
  return outcome.refused.map((error) => error.toJSON());
};

describe('prepared documents', () => {
  it('hand out the same document object for the same text, parsed once', () => {
    const documents = counted();
    const first = preparedOf(documents.prepare(CHANGES, undefined));
    const second = preparedOf(documents.prepare(CHANGES, null));
    expect(second.document).toBe(first.document);
    expect(second.operation).toBe(first.operation);
    expect(first.access).toBe('subscription');
    expect(documents.parses).toBe(1);
  });

  it('keep distinct texts apart, and find each operation of one document by its name', () => {
    const documents = counted();
    const other = preparedOf(documents.prepare('subscription { changes { id child { id } } }', undefined));
    const text = `${CHANGES} query Items { items { id } }`;
    const changes = preparedOf(documents.prepare(text, 'Changes'));
    const items = preparedOf(documents.prepare(text, 'Items'));
    expect(other.document).not.toBe(changes.document);
    expect(items.document).toBe(changes.document);
    expect([changes.operation.name?.value, items.operation.name?.value]).toEqual(['Changes', 'Items']);
    expect(items.access).toBe('query');
    expect(documents.parses).toBe(2);
  });

  it('evict the least recently used text past their number of entries', () => {
    const documents = counted({ maxEntries: 2 });
    const texts = ['subscription A { changes { id } }', 'subscription B { changes { id } }', CHANGES];
    const first = preparedOf(documents.prepare(texts[0]!, undefined));
    for (const text of texts.slice(1)) documents.prepare(text, undefined);
    expect(documents.size()).toBe(2);
    expect(preparedOf(documents.prepare(texts[0]!, undefined)).document).not.toBe(first.document);
    expect(documents.parses).toBe(4);
  });

  it('evict past their characters, and keep no text longer than an entry may be', () => {
    const documents = counted({ maxCharacters: 2 * CHANGES.length, maxEntryCharacters: CHANGES.length + 10 });
    for (const name of ['A', 'B', 'C']) documents.prepare(`subscription ${name} { changes { id } }`, undefined);
    expect(documents.size()).toBe(2);

    const parses = documents.parses;
    const huge = `subscription { changes { id } } ${'#'.repeat(CHANGES.length)}\n`;
    const first = preparedOf(documents.prepare(huge, undefined));
    const again = preparedOf(documents.prepare(huge, undefined));
    // Served each time, kept never: the others stay.
    expect(again.document).not.toBe(first.document);
    expect(documents.parses - parses).toBe(2);
    expect(documents.size()).toBe(2);
  });

  it('refuse what does not parse with GRAPHQL_PARSE_FAILED, the parser’s own error, once parsed', () => {
    const documents = counted();
    const text = 'subscription { changes { id ';
    let thrown: GraphQLError | undefined;
    try {
      parse(text);
    } catch (error) {
      thrown = error as GraphQLError;
    }
    const expected = [{ ...thrown!.toJSON(), extensions: { code: 'GRAPHQL_PARSE_FAILED' } }];
    expect(refusedOf(documents.prepare(text, undefined))).toEqual(expected);
    expect(refusedOf(documents.prepare(text, undefined))).toEqual(expected);
    expect(documents.parses).toBe(1);
  });

  it('refuse what is too costly to validate as checkBeforeValidation does, for the operation named', () => {
    const documents = counted();
    const text = 'query Deep { items { child { child { child { id } } } } } query Shallow { items { id } }';
    const expected = checkBeforeValidation(parse(text), 'Deep', LIMITS)!.toJSON();
    expect(expected.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', depth: 5, maxDepth: 3 });
    expect(refusedOf(documents.prepare(text, 'Deep'))).toEqual([expected]);
    expect(refusedOf(documents.prepare(text, 'Deep'))).toEqual([expected]);
    expect(preparedOf(documents.prepare(text, 'Shallow')).operation.name?.value).toBe('Shallow');
    expect(documents.parses).toBe(1);
  });

  it('refuse invalid documents with GRAPHQL_VALIDATION_FAILED, graphql-js’s errors', () => {
    const documents = counted();
    const text = 'subscription { changes { id missing } unknown }';
    const expected = validate(schema, parse(text)).map((error) => ({
      ...error.toJSON(),
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    }));
    expect(expected.length).toBeGreaterThan(1);
    expect(refusedOf(documents.prepare(text, undefined))).toEqual(expected);
    expect(refusedOf(documents.prepare(text, 'AnyName'))).toEqual(expected);
  });

  it('refuse a document with no operation to run with BAD_USER_INPUT, whatever name is asked', () => {
    const documents = counted();
    const expected = [{ message: 'no operation to run in this document', extensions: { code: 'BAD_USER_INPUT' } }];
    for (const name of ['Missing', 'Other', '']) expect(refusedOf(documents.prepare(CHANGES, name))).toEqual(expected);
    // Two operations and no name: graphql-js cannot tell which to run.
    const two = 'query Items { items { id } } subscription Changes { changes { id } }';
    expect(refusedOf(documents.prepare(two, undefined))).toEqual(expected);
    expect(documents.parses).toBe(2);
  });

  it('give each message errors of its own: a refusal changed downstream is not changed for the next', () => {
    const documents = counted();
    const text = '{ nothing }';
    const first = documents.prepare(text, undefined);
    if (!('refused' in first)) throw new Error('prepared');
    (first.refused[0]!.extensions as Record<string, unknown>).code = 'CHANGED';
    expect(refusedOf(documents.prepare(text, undefined))[0]!.extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED' });
  });
});
