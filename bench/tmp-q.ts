import { rebuildReadModel } from '../src/projections/rebuild.js';
import { withEventCatalog } from '../src/store/catalog-store.js';
import { openSqliteEventStore } from '../src/store/sqlite/sqlite-event-store.js';
import { actorActivityAt, actorSummaryAt } from '../src/time-travel/actor-at.js';
const store = withEventCatalog(openSqliteEventStore({ file: process.argv[2]! }));
const model = await rebuildReadModel(store);
const ids = [...model.actorIds()].sort((a, b) => model.developmentsNamingActor(b).entries.length - model.developmentsNamingActor(a).entries.length).slice(0, 5);
const stamp = model.checkpointStamp!;
for (const id of ids) {
  const idx = model.developmentsNamingActor(id);
  const snaps = model.actorSnapshots(id);
  const first = idx.entries[0]!.occurredAtMs, last = idx.entries.at(-1)!.occurredAtMs;
  for (const frac of [0.3, 0.6, 0.9, 1]) {
    const at = { asOf: new Date(first + (last - first) * frac), knownAt: new Date(stamp.recordedAtMs) };
    let t = performance.now();
    const s = actorSummaryAt(model, id, at);
    const ms1 = performance.now() - t;
    t = performance.now();
    const a = actorActivityAt(model, id, at);
    const ms2 = performance.now() - t;
    const valid = snaps.filter((x) => x.invalidAtMs > stamp.recordedAtMs).length;
    console.log(id, idx.entries.length, 'snaps', snaps.length, 'valid', valid, 'frac', frac, 'summary', ms1.toFixed(1), 'ms activity', ms2.toFixed(1), 'relations', s.relations.size, 'meetings', a.meetings.length, s.meetingIds.size);
  }
}
await store.close();
