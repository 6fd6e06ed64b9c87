import { Kind, type DocumentNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import type { Operation } from '../auth/api-keys.js';
import { ADMIN_FIELDS } from './admin/admin.resolver.js';

const selectsAdminField = (selectionSet: SelectionSetNode, document: DocumentNode, seen: Set<string>): boolean =>
  selectionSet.selections.some((selection) => {
    if (selection.kind === Kind.FIELD) return ADMIN_FIELDS.has(selection.name.value);
    if (selection.kind === Kind.INLINE_FRAGMENT) return selectsAdminField(selection.selectionSet, document, seen);
    if (seen.has(selection.name.value)) return false;
    seen.add(selection.name.value);
    const fragment = document.definitions.find(
      (definition) => definition.kind === Kind.FRAGMENT_DEFINITION && definition.name.value === selection.name.value,
    );
    return fragment?.kind === Kind.FRAGMENT_DEFINITION && selectsAdminField(fragment.selectionSet, document, seen);
  });

/** What an operation needs a key for: a query selecting any admin field is an admin operation as a whole. */
export const accessOf = (document: DocumentNode, operation: OperationDefinitionNode): Operation =>
  operation.operation === 'query' && selectsAdminField(operation.selectionSet, document, new Set())
    ? 'admin'
    : operation.operation;
