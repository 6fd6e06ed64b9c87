import { Kind, type FieldNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/**
 * Whether an answer needs the entity a field points to, or only its id: a busy actor's relations name thousands of
 * counterparts, and reading each as of the question's time point cost more than the rest of the answer when the
 * query asks nothing of them but `id`. Any fragment or directive on the way counts as asking more: then the entity
 * is read, as it always can be. An entity named by a development exists at every time point that knows the
 * development (the write path refuses a reference to an unknown one), so an id-only answer is the same either way.
 */

// viewId is the id and the time point, which the reference carries: asking it needs no read either.
const ID_FIELDS = new Set(['id', 'viewId', '__typename']);

const asksOnlyIds = (selections: SelectionSetNode | undefined): boolean =>
  selections !== undefined &&
  selections.selections.every(
    (selection) =>
      selection.kind === Kind.FIELD && !selection.directives?.length && ID_FIELDS.has(selection.name.value),
  );

/** The field being resolved asks only the id (and __typename) of the entity it returns. */
export const asksOnlyId = (info: Pick<GraphQLResolveInfo, 'fieldNodes'>): boolean =>
  info.fieldNodes.every((node) => asksOnlyIds(node.selectionSet));

/**
 * Whether the objects the field being resolved returns need the entity their `child` field points to: false when
 * no selection asks for `child`, or every one asks only its id.
 */
export const needsEntityOf = (info: Pick<GraphQLResolveInfo, 'fieldNodes'>, child: string): boolean =>
  info.fieldNodes.some(
    (node: FieldNode) =>
      node.selectionSet?.selections.some((selection) =>
        selection.kind === Kind.FIELD ? selection.name.value === child && !asksOnlyIds(selection.selectionSet) : true,
      ) ?? true,
  );
