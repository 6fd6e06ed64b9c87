import { describe, expect, it } from 'vitest';
import { assignRoleDecider, parseAssignRole, type AssignRole } from '../../src/application/commands/assign-role.js';
import { parseRegisterActor, registerActorDecider } from '../../src/application/commands/register-actor.js';
import { actor, decideIn, explainedRefusalOf, refusalOf } from '../support/decider-fixtures.js';

/** The rules of registerActor and assignRole as pure decisions: no store, no cache. */

describe('registerActor decides', () => {
  const registration = parseRegisterActor({ id: 'xavier', name: 'Xavier', kind: 'PERSON', country: 'FRA' });

  it('registers an unknown id, with no aliases when none are given', () => {
    expect(decideIn(registerActorDecider, registration)).toEqual([
      { type: 'ActorRegistered', data: { id: 'xavier', name: 'Xavier', kind: 'PERSON', country: 'FRA', aliases: [] } },
    ]);
  });

  it('appends nothing for the same registration again', () => {
    const history = decideIn(registerActorDecider, registration);
    expect(decideIn(registerActorDecider, registration, { history })).toEqual([]);
  });

  it('is a CONFLICT to register the same id with other content', () => {
    const history = decideIn(registerActorDecider, registration);
    const other = parseRegisterActor({ id: 'xavier', name: 'Xavier', kind: 'STATE' });
    expect(explainedRefusalOf(() => decideIn(registerActorDecider, other, { history }))).toEqual({
      code: 'CONFLICT',
      path: ['input', 'id'],
      message: 'actor "xavier" is already registered with other details',
    });
  });

  it('compares with the registration, not with the roles the actor gained since', () => {
    const history = [
      ...decideIn(registerActorDecider, registration),
      { type: 'ActorRoleAssigned', data: { actorId: 'xavier', title: 'Envoy', since: '2025-01-01T00:00:00.000Z' } },
    ] as const;
    expect(decideIn(registerActorDecider, registration, { history })).toEqual([]);
    const renamed = parseRegisterActor({ id: 'xavier', name: 'Xavier II', kind: 'PERSON', country: 'FRA' });
    expect(refusalOf(() => decideIn(registerActorDecider, renamed, { history }))).toEqual({
      code: 'CONFLICT',
      path: ['input', 'id'],
    });
  });
});

describe('assignRole decides', () => {
  const role = (overrides: Record<string, unknown> = {}): AssignRole =>
    parseAssignRole({ actorId: 'alice', title: 'President', since: '2025-01-20T00:00:00Z', ...overrides });
  const registered = [actor('alice')];

  it('assigns a role to an actor that exists', () => {
    expect(decideIn(assignRoleDecider, role({ organizationId: 'acme' }), { history: registered })).toEqual([
      {
        type: 'ActorRoleAssigned',
        data: { actorId: 'alice', title: 'President', organizationId: 'acme', since: '2025-01-20T00:00:00.000Z' },
      },
    ]);
  });

  it('refuses a missing actor', () => {
    expect(explainedRefusalOf(() => decideIn(assignRoleDecider, role({ actorId: 'ghost' })))).toEqual({
      code: 'NOT_FOUND',
      path: ['input', 'actorId'],
      message: 'actor "ghost" does not exist',
    });
  });

  it('refuses a missing organization', () => {
    expect(
      refusalOf(() => decideIn(assignRoleDecider, role({ organizationId: 'ghost-corp' }), { history: registered })),
    ).toEqual({ code: 'NOT_FOUND', path: ['input', 'organizationId'] });
  });

  it('appends nothing for the very same role again, whatever the spelling of its instants', () => {
    const history = [...registered, ...decideIn(assignRoleDecider, role(), { history: registered })];
    expect(decideIn(assignRoleDecider, role({ since: '2025-01-20T01:00:00+01:00' }), { history })).toEqual([]);
  });

  it('assigns another title, or the same title over another period, as a new role', () => {
    const history = [...registered, ...decideIn(assignRoleDecider, role(), { history: registered })];
    expect(decideIn(assignRoleDecider, role({ title: 'Chair' }), { history })).toHaveLength(1);
    expect(decideIn(assignRoleDecider, role({ until: '2029-01-20T00:00:00Z' }), { history })).toHaveLength(1);
  });
});
