/**
 * Adds `viewId` beside every `id` a document selects, so that a client keys every time-travelled object it reads
 * without anyone writing `viewId` into each query (cache-keys.ts says why the key is viewId). Every type of the API
 * with an `id` has a `viewId` (test/graphql/contract.test.ts holds the schema to it): the document stays valid
 * without the schema at hand. It works on the document's plain objects, so it needs no GraphQL library either.
 */

interface Node {
  readonly kind: string;
  readonly [key: string]: unknown;
}
interface SelectionSet extends Node {
  readonly selections: readonly Node[];
}

const isNode = (value: unknown): value is Node =>
  typeof value === 'object' && value !== null && typeof (value as Node).kind === 'string';

const fieldName = (node: Node): string | undefined =>
  node.kind === 'Field' ? (node.name as { value?: string } | undefined)?.value : undefined;

const unaliased = (node: Node): boolean => node.kind === 'Field' && node.alias === undefined;

const VIEW_ID: Node = { kind: 'Field', name: { kind: 'Name', value: 'viewId' } };

const withSelections = (selectionSet: SelectionSet): SelectionSet => {
  const selections = selectionSet.selections.map(withNested);
  const asksId = selections.some((selection) => fieldName(selection) === 'id');
  const asksViewId = selections.some((selection) => fieldName(selection) === 'viewId' && unaliased(selection));
  return { kind: selectionSet.kind, selections: asksId && !asksViewId ? [...selections, VIEW_ID] : selections };
};

/** A node with its selection set (if any) rewritten. `loc` goes: a client may print a document from it. */
const withNested = (node: Node): Node => {
  const { loc: _loc, ...rest } = node;
  const selectionSet = node.selectionSet;
  if (!isNode(selectionSet)) return rest as Node;
  return { ...rest, selectionSet: withSelections(selectionSet as SelectionSet) } as Node;
};

const DONE = new WeakMap<object, object>();

/**
 * The document with `viewId` beside every `id`: the same object for the same document, as clients that cache their
 * work per document expect. Only `kind` and `definitions` are kept at the top: urql, for one, takes a document's
 * `loc` source and its `__key` as what it sends and keys it by.
 */
export const withViewIds = <D extends { readonly kind: string; readonly definitions: readonly unknown[] }>(
  document: D,
): D => {
  const done = DONE.get(document);
  if (done) return done as D;
  const definitions = document.definitions.map((definition) =>
    isNode(definition) ? withNested(definition) : definition,
  );
  const transformed = { kind: document.kind, definitions } as unknown as D;
  DONE.set(document, transformed);
  DONE.set(transformed, transformed);
  return transformed;
};
