import { Kind, parse, type FieldNode, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { asksOnlyId, needsEntityOf } from '../../src/graphql/common/references.js';

// The fields named `field` at the top of the query's first selection, as a resolver's info.fieldNodes holds them.
const fieldNodes = (query: string, field: string): FieldNode[] => {
  const operation = parse(query).definitions[0] as OperationDefinitionNode;
  const top = operation.selectionSet.selections[0] as FieldNode;
  return (top.selectionSet?.selections ?? []).filter(
    (selection): selection is FieldNode => selection.kind === Kind.FIELD && selection.name.value === field,
  );
};

describe('an entity asked for its id alone is not read', () => {
  it('a field whose selection is id and __typename only asks nothing else', () => {
    expect(asksOnlyId({ fieldNodes: fieldNodes('{ p { topic { id } } }', 'topic') })).toBe(true);
    expect(asksOnlyId({ fieldNodes: fieldNodes('{ p { topic { __typename id } } }', 'topic') })).toBe(true);
    expect(asksOnlyId({ fieldNodes: fieldNodes('{ p { topic { id title } } }', 'topic') })).toBe(false);
    // Merged selections of one response key: any of them asking more reads the entity.
    expect(asksOnlyId({ fieldNodes: fieldNodes('{ p { topic { id } topic { title } } }', 'topic') })).toBe(false);
    // Fragments and directives may ask for more (or depend on variables): read.
    expect(asksOnlyId({ fieldNodes: fieldNodes('{ p { topic { ... on Topic { id } } } }', 'topic') })).toBe(false);
    expect(asksOnlyId({ fieldNodes: fieldNodes('{ p { topic { ...T } } } fragment T on Topic { id }', 'topic') })).toBe(
      false,
    );
    expect(asksOnlyId({ fieldNodes: fieldNodes('{ p { topic { id @include(if: true) } } }', 'topic') })).toBe(false);
  });

  it("a list's objects need the entity their child field points to only when a selection asks more than its id", () => {
    const needs = (query: string) => needsEntityOf({ fieldNodes: fieldNodes(query, 'relations') }, 'other');
    expect(needs('{ a { relations { developmentCount } } }')).toBe(false);
    expect(needs('{ a { relations { other { id } tone } } }')).toBe(false);
    expect(needs('{ a { relations { counterpart: other { id } } } }')).toBe(false);
    expect(needs('{ a { relations { other { id name } } } }')).toBe(true);
    expect(needs('{ a { relations { counterpart: other { name } other { id } } } }')).toBe(true);
    expect(needs('{ a { relations { other { id } } relations { other { kind } } } }')).toBe(true);
    expect(needs('{ a { relations { ... on Relation { tone } } } }')).toBe(true);
    expect(needs('{ a { relations { ...R } } } fragment R on Relation { tone }')).toBe(true);
  });
});
