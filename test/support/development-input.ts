/**
 * A valid recordDevelopment input, to be overridden field by field. Apart from the harness, which hands it on, so
 * that pure tests take it without opening a store.
 */
export const development = (overrides: Record<string, unknown> = {}) => ({
  id: 'dev-1',
  kind: 'STATEMENT',
  title: 'Alice speaks',
  occurredAt: '2025-10-16T00:00:00.000Z',
  precision: 'DAY',
  participants: [
    { actorId: 'alice', role: 'SOURCE' },
    { actorId: 'boris', role: 'TARGET' },
  ],
  topicIds: ['war'],
  sources: [{ publisher: 'Test Wire' }],
  ...overrides,
});
