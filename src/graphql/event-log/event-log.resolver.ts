import { pageComplexity } from '../common/complexity.js';
import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import type { RecordedEvent as StoredEvent } from '../../../events/envelope.js';
import { badInput } from '../../application/errors.js';
import { decodePosition, encodePosition } from '../../store/position-cursor.js';
import { pageSize } from '../common/connection.js';
import { refusals } from '../common/errors.js';
import type { GraphQLContext } from '../context.js';
import { RecordedEvent, RecordedEventConnection } from './recorded-event.type.js';

/** How many events one page may scan for a `types` filter before it answers with what it found. */
const SCAN_LIMIT = 10_000;

const toNode = (event: StoredEvent): RecordedEvent => ({
  position: encodePosition(event.position),
  streamId: event.streamId,
  revision: event.revision,
  type: event.type,
  version: event.metadata.schemaVersion,
  data: event.data,
  recordedAt: event.recordedAt,
});

@Resolver(() => RecordedEvent)
export class EventLogResolver {
  @Query(() => RecordedEventConnection, {
    complexity: pageComplexity,
    description: 'The immutable event log in append order.',
  })
  eventLog(
    @Arg('after', () => String, { nullable: true }) after: string | undefined,
    @Arg('first', () => Int, { nullable: true }) first: number | undefined,
    @Arg('types', () => [String], { nullable: true }) types: string[] | undefined,
    @Ctx() context: GraphQLContext,
  ) {
    return refusals(async () => {
      const size = pageSize(first);
      let position = after ? decodePosition(after) : null;
      if (after && position === null)
        throw badInput(
          'after takes a log position (a RecordedEvent position, or a TimelineChange cursor); this is not one',
          ['after'],
        );
      const wanted = types?.length ? new Set(types) : null;
      const found: StoredEvent[] = [];
      let scanned = 0;
      let exhausted = false;
      // Read one beyond the page to know whether there is a next one.
      while (found.length <= size && scanned < SCAN_LIMIT) {
        const batch = await context.store.readAll({ after: position, maxCount: wanted ? 500 : size + 1 });
        if (batch.length === 0) {
          exhausted = true;
          break;
        }
        scanned += batch.length;
        for (const event of batch) if (!wanted || wanted.has(event.type)) found.push(event);
        position = batch.at(-1)!.position;
      }
      const page = found.slice(0, size);
      const edges = page.map((event) => {
        const node = toNode(event);
        return { cursor: node.position, node };
      });
      const pageFull = found.length > size;
      // A filtered scan that hit its limit hands out the scanned position, so the next page goes on from there; a
      // page with no edge hands back `after`, where it stands (common/connection.ts, paginate).
      const scanCut = !pageFull && !exhausted && position !== null;
      return {
        edges,
        pageInfo: {
          hasNextPage: pageFull || scanCut,
          hasPreviousPage: Boolean(after),
          startCursor: edges[0]?.cursor ?? null,
          endCursor: scanCut ? encodePosition(position!) : (edges.at(-1)?.cursor ?? after ?? null),
        },
      };
    });
  }
}
