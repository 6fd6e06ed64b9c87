import './styles.css';
import {
  apiKey,
  fetchActorState,
  fetchChoices,
  fetchDevelopment,
  fetchMeetingHistory,
  fetchMeetings,
  fetchTimeline,
  fetchTopicState,
  KeyError,
  setApiKey,
  subscribeToChanges,
  type ActorState,
  type DevelopmentDetail,
  type LiveStatus,
  type MeetingState,
  type TimelineFilter,
  type TimelineItem,
  type TopicState,
} from './api.js';
import { byId, DAY_MS, dayFromIsoDate, dayOf, formatDay, formatTime, h, isoDate } from './dom.js';
import { KINDS, renderTimeline, statusBadge, toneOf, type LaneMode, type MeetingSegment } from './timeline-view.js';

const controls = {
  form: byId<HTMLFormElement>('controls'),
  actor: byId<HTMLSelectElement>('filter-actor'),
  topic: byId<HTMLSelectElement>('filter-topic'),
  kind: byId<HTMLSelectElement>('filter-kind'),
  from: byId<HTMLInputElement>('filter-from'),
  to: byId<HTMLInputElement>('filter-to'),
  asOfRange: byId<HTMLInputElement>('asof-range'),
  asOfDate: byId<HTMLInputElement>('asof-date'),
  asOfNow: byId<HTMLButtonElement>('asof-now'),
  knownAt: byId<HTMLInputElement>('known-at'),
  knownAtNow: byId<HTMLButtonElement>('known-at-now'),
  zoomIn: byId<HTMLButtonElement>('zoom-in'),
  zoomOut: byId<HTMLButtonElement>('zoom-out'),
};
const keyControls = {
  form: byId<HTMLFormElement>('key-form'),
  input: byId<HTMLInputElement>('api-key'),
  message: byId('key-message'),
};
const timeline = byId('timeline');
const summary = byId('timeline-summary');
const statePanel = byId('state');
const live = byId('live');
const announcer = byId('announcer');
const dialog = byId<HTMLDialogElement>('detail');
const dialogBody = byId('detail-body');

const TODAY = Math.floor(Date.now() / DAY_MS);
let earliestDay = dayFromIsoDate('2025-01-01');
let pxPerDay = 22;
let laneMode: LaneMode = 'actor';
let focusedId: string | null = null;
let newIds = new Set<string>();
let lastItems: TimelineItem[] = [];
let loadGeneration = 0;

for (const kind of KINDS) controls.kind.append(h('option', { value: kind }, kind.toLowerCase()));
byId('legend').append(
  ...KINDS.map((kind) => h('li', { class: `legend-kind kind-${kind.toLowerCase()}` }, kind.toLowerCase())),
);

/** asOf: the end of the chosen day (UTC), or null for now. */
const asOfValue = (): string | null => {
  const value = controls.asOfDate.value;
  return value && dayFromIsoDate(value) < TODAY ? `${value}T23:59:59.999Z` : null;
};
/** knownAt: the chosen moment (UTC), or null for now. */
const knownAtValue = (): string | null => (controls.knownAt.value ? `${controls.knownAt.value}:00.000Z` : null);

const setScrubber = (day: number | null): void => {
  const clamped = day === null ? TODAY : Math.min(Math.max(day, earliestDay), TODAY);
  controls.asOfRange.min = String(earliestDay);
  controls.asOfRange.max = String(TODAY);
  controls.asOfRange.value = String(clamped);
  controls.asOfRange.setAttribute(
    'aria-valuetext',
    day === null || clamped >= TODAY ? 'now' : formatDay(isoDate(clamped)),
  );
  controls.asOfDate.value = day === null || clamped >= TODAY ? '' : isoDate(clamped);
  byId('asof-shown').textContent = day === null || clamped >= TODAY ? 'now' : formatDay(isoDate(clamped));
};

const filterOf = (): TimelineFilter => {
  const asOf = asOfValue();
  const to = controls.to.value ? `${controls.to.value}T23:59:59.999Z` : null;
  const until = asOf && to ? (asOf < to ? asOf : to) : (asOf ?? to);
  return {
    includeRetracted: true,
    ...(controls.actor.value ? { actorIds: [controls.actor.value] } : {}),
    ...(controls.topic.value ? { topicIds: [controls.topic.value] } : {}),
    ...(controls.kind.value ? { kinds: [controls.kind.value] } : {}),
    ...(controls.from.value ? { from: `${controls.from.value}T00:00:00.000Z` } : {}),
    ...(until ? { to: until } : {}),
  };
};

const meetingSegments = async (meetings: MeetingState[], knownAt: string | null, asOf: string | null) => {
  const points: { meetingId: string; day: number; asOf: string }[] = [];
  for (const meeting of meetings) {
    for (const day of [...new Set(meeting.developments.map((development) => dayOf(development.occurredAt)))]) {
      const end = new Date((day + 1) * DAY_MS - 1).toISOString();
      points.push({ meetingId: meeting.id, day, asOf: asOf && asOf < end ? asOf : end });
    }
  }
  // The API allows 30 aliases a query: beyond that, each meeting shows its current status only.
  const statuses = points.length <= 30 ? await fetchMeetingHistory(points, knownAt) : [];
  return meetings.map((meeting) => {
    const segments: MeetingSegment[] = [];
    points.forEach((point, index) => {
      if (point.meetingId !== meeting.id) return;
      const status = statuses[index] ?? meeting.status;
      if (segments[segments.length - 1]?.status !== status) segments.push({ status, fromDay: point.day });
    });
    if (segments.length === 0) {
      const first = meeting.developments[0];
      segments.push({ status: meeting.status, fromDay: first ? dayOf(first.occurredAt) : TODAY });
    }
    return { meeting, segments };
  });
};

const stanceList = (positions: { label: string; stance: string; summary: string | null; since: string }[]) =>
  positions.length === 0
    ? h('p', { class: 'muted' }, 'No position taken.')
    : h(
        'ul',
        { class: 'facts' },
        positions.map((position) =>
          h(
            'li',
            {},
            h('strong', {}, position.label),
            ' ',
            h('span', { class: `stance stance-${position.stance.toLowerCase()}` }, position.stance.toLowerCase()),
            h('span', { class: 'muted' }, ` since ${formatDay(position.since)}`),
            position.summary ? h('div', { class: 'fact-note' }, position.summary) : null,
          ),
        ),
      );

const meetingList = (meetings: { id: string; title: string; status: string }[]) =>
  meetings.length === 0
    ? h('p', { class: 'muted' }, 'None.')
    : h(
        'ul',
        { class: 'facts' },
        meetings.map((meeting) =>
          h(
            'li',
            { 'data-meeting-id': meeting.id },
            meeting.title,
            ' ',
            h('span', { class: `pill meeting-${meeting.status.toLowerCase()}` }, meeting.status.toLowerCase()),
          ),
        ),
      );

const actorCard = (actor: ActorState) =>
  h(
    'section',
    { class: 'card', 'data-actor-id': actor.id, 'aria-label': actor.name },
    h(
      'h3',
      {},
      actor.name,
      h('span', { class: 'muted' }, ` · ${actor.kind.toLowerCase()} · ${actor.developmentCount} developments`),
    ),
    actor.roles.length ? h('p', { class: 'muted' }, actor.roles.map((role) => role.title).join('; ')) : null,
    h('h4', {}, 'Positions'),
    stanceList(actor.positions.map((position) => ({ ...position, label: position.topic.title }))),
    h('h4', {}, 'Relations'),
    actor.relations.length === 0
      ? h('p', { class: 'muted' }, 'None yet.')
      : h(
          'ul',
          { class: 'facts' },
          [...actor.relations]
            .sort((a, b) => b.developmentCount - a.developmentCount)
            .slice(0, 8)
            .map((relation) =>
              h(
                'li',
                {},
                relation.other.name,
                h(
                  'span',
                  { class: 'muted' },
                  ` · ${relation.developmentCount} dealings${relation.tone === null ? '' : `, mean tone ${relation.tone.toFixed(1)}`}`,
                ),
              ),
            ),
        ),
    h('h4', {}, 'Meetings'),
    meetingList(actor.meetings),
  );

const topicCard = (topic: TopicState) =>
  h(
    'section',
    { class: 'card', 'data-topic-id': topic.id, 'aria-label': topic.title },
    h(
      'h3',
      {},
      topic.title,
      h('span', { class: 'muted' }, ` · ${topic.status.toLowerCase()} · ${topic.developmentCount} developments`),
    ),
    h('h4', {}, 'Positions'),
    stanceList(topic.positions.map((position) => ({ ...position, label: position.actor.name }))),
    h('h4', {}, 'Meetings'),
    meetingList(topic.meetings),
  );

const renderState = async (
  items: TimelineItem[],
  meetings: MeetingState[],
  asOf: string | null,
  knownAt: string | null,
) => {
  // The chosen actor and topic; without a choice, the two actors most present in the view.
  let actorIds = controls.actor.value ? [controls.actor.value] : [];
  if (actorIds.length === 0) {
    const counts = new Map<string, number>();
    for (const item of items)
      for (const p of item.participants) counts.set(p.actor.id, (counts.get(p.actor.id) ?? 0) + 1);
    actorIds = [...counts.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 2)
      .map(([id]) => id);
  }
  const topicIds = controls.topic.value ? [controls.topic.value] : [];
  const [actors, topics] = await Promise.all([
    Promise.all(actorIds.map((id) => fetchActorState(id, asOf, knownAt))),
    Promise.all(topicIds.map((id) => fetchTopicState(id, asOf, knownAt))),
  ]);
  return [
    h('h2', {}, 'State as of ', h('span', { id: 'state-date' }, asOf ? formatDay(asOf) : 'now')),
    knownAt ? h('p', { class: 'muted' }, `as known at ${formatTime(knownAt)}`) : null,
    h('section', { class: 'card', 'aria-label': 'Meetings' }, h('h3', {}, 'Meetings'), meetingList(meetings)),
    controls.actor.value ? null : actors.length ? h('p', { class: 'muted' }, 'Most present in the view:') : null,
    ...actors.filter((actor): actor is ActorState => actor !== null).map(actorCard),
    ...topics.filter((topic): topic is TopicState => topic !== null).map(topicCard),
  ];
};

const load = async (): Promise<void> => {
  const generation = ++loadGeneration;
  const asOf = asOfValue();
  const knownAt = knownAtValue();
  timeline.setAttribute('aria-busy', 'true');
  try {
    const [{ items, total }, meetings] = await Promise.all([
      fetchTimeline(filterOf(), knownAt),
      fetchMeetings(asOf, knownAt),
    ]);
    const segments = await meetingSegments(meetings, knownAt, asOf);
    if (generation !== loadGeneration) return;
    lastItems = items;
    const first = items[0];
    if (first && !controls.from.value && dayOf(first.occurredAt) < earliestDay) {
      earliestDay = dayOf(first.occurredAt);
      setScrubber(asOf ? dayFromIsoDate(asOf.slice(0, 10)) : null);
    }
    const last = items[items.length - 1];
    const endDay = asOf
      ? dayFromIsoDate(asOf.slice(0, 10))
      : Math.min(TODAY, (last ? dayOf(last.occurredAt) : TODAY) + 3);
    const onlyLanes =
      laneMode === 'actor'
        ? controls.actor.value
          ? [controls.actor.value]
          : []
        : controls.topic.value
          ? [controls.topic.value]
          : [];
    const scroller = timeline.parentElement;
    const atEnd = !scroller || scroller.scrollLeft + scroller.clientWidth >= scroller.scrollWidth - 8;
    renderTimeline(
      timeline,
      { items, meetings: segments, mode: laneMode, onlyLanes, pxPerDay, endDay, newIds },
      focusedId,
      openDevelopment,
    );
    if (scroller && atEnd) scroller.scrollLeft = scroller.scrollWidth;
    const shown = new Set(items.map((item) => item.id)).size;
    summary.textContent = `${shown} development${shown === 1 ? '' : 's'}${total > shown ? ` (the first ${shown} of ${total})` : ''}, ${meetings.length} meeting${meetings.length === 1 ? '' : 's'}, as of ${asOf ? formatDay(asOf) : 'now'}${knownAt ? `, as known at ${formatTime(knownAt)}` : ''}.`;
    const state = await renderState(items, meetings, asOf, knownAt);
    if (generation !== loadGeneration) return;
    statePanel.replaceChildren(...state.filter((node): node is HTMLElement => node !== null));
    timeline.removeAttribute('aria-busy');
    showKeyState(null);
    document.body.dataset.loaded = String(generation);
  } catch (error) {
    if (generation !== loadGeneration) return;
    timeline.removeAttribute('aria-busy');
    if (error instanceof KeyError) {
      // Nothing read is shown any more: what a wrong key cannot read, the page does not keep showing either.
      lastItems = [];
      timeline.replaceChildren();
      statePanel.replaceChildren();
      summary.textContent = 'Nothing to show until the server accepts an API key.';
      showKeyState(error);
    } else {
      summary.textContent = `Could not load the timeline: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
};

const section = (title: string, content: Node | null) =>
  content ? h('section', {}, h('h3', {}, title), content) : null;
const list = <T>(items: T[], render: (item: T) => (Node | string | null)[], empty: string) =>
  items.length === 0
    ? h('p', { class: 'muted' }, empty)
    : h(
        'ul',
        { class: 'facts' },
        items.map((item) => h('li', {}, render(item))),
      );

const link = (url: string | null, text: string) =>
  url && /^https?:\/\//.test(url) ? h('a', { href: url, rel: 'noopener noreferrer', target: '_blank' }, text) : text;

const renderDetail = (development: DevelopmentDetail) => {
  const tone = toneOf(development.tone);
  const badge = statusBadge(development.status);
  return [
    h(
      'h2',
      { id: 'detail-title', class: development.status === 'RETRACTED' ? 'retracted' : undefined },
      development.title,
    ),
    h(
      'p',
      { class: 'detail-meta' },
      h('span', { class: `pill kind-${development.kind.toLowerCase()}` }, development.kind.toLowerCase()),
      ` ${formatDay(development.occurredAt)}${development.location ? ` · ${development.location}` : ''} · `,
      h('span', { class: `tone ${tone.className}` }, `${tone.glyph} ${tone.text}`),
      ' · ',
      h('span', { class: `status status-${development.status.toLowerCase()}` }, badge ?? 'reported'),
    ),
    development.summary ? h('p', {}, development.summary) : null,
    h(
      'p',
      { class: 'muted' },
      development.participants.map((p) => `${p.actor.name} (${p.role.toLowerCase()})`).join(', '),
      development.topics.length ? ` · ${development.topics.map((t) => t.title).join(', ')}` : '',
    ),
    development.meetingDetail
      ? h(
          'p',
          {},
          'Meeting: ',
          development.meetingDetail.title,
          ' ',
          h(
            'span',
            { class: `pill meeting-${development.meetingDetail.status.toLowerCase()}` },
            development.meetingDetail.status.toLowerCase(),
          ),
        )
      : null,
    section(
      'Quotes',
      list(
        development.quotes,
        (quote) => [
          h('blockquote', {}, `“${quote.text}”`),
          quote.speaker ? h('cite', {}, `— ${quote.speaker.name}`) : null,
        ],
        'No quote recorded.',
      ),
    ),
    section(
      'Sources',
      list(
        development.sources,
        (source) => [
          link(source.url, source.title ?? source.publisher),
          source.title ? ` — ${source.publisher}` : '',
          source.publishedAt ? ` (${formatDay(source.publishedAt)})` : '',
        ],
        'No source.',
      ),
    ),
    section(
      'Verifications',
      list(
        development.verifications,
        (v) => [
          h('strong', {}, v.status.toLowerCase()),
          v.by ? ` by ${v.by.name}` : '',
          `: ${v.summary}`,
          h('span', { class: 'muted' }, ` (recorded ${formatTime(v.recordedAt)})`),
        ],
        'Not verified yet.',
      ),
    ),
    section(
      'Corrections',
      list(
        development.corrections,
        (c) => [
          c.reason,
          h('span', { class: 'muted' }, ` (${c.changedFields.join(', ')}; recorded ${formatTime(c.recordedAt)})`),
        ],
        'No correction.',
      ),
    ),
    h(
      'p',
      { class: 'muted' },
      `Recorded ${formatTime(development.recordedAt)} · revision ${development.revision} · id ${development.id}`,
    ),
  ];
};

async function openDevelopment(id: string): Promise<void> {
  focusedId = id;
  dialogBody.replaceChildren(h('p', {}, 'Loading…'));
  if (!dialog.open) dialog.showModal();
  try {
    const development = await fetchDevelopment(id, knownAtValue());
    dialogBody.replaceChildren(
      ...(development ? renderDetail(development) : [h('p', {}, 'This development is not known at this time.')]).filter(
        (node): node is HTMLElement => node !== null,
      ),
    );
  } catch (error) {
    if (error instanceof KeyError) showKeyState(error);
    dialogBody.replaceChildren(
      h('p', {}, `Could not load it: ${error instanceof Error ? error.message : String(error)}`),
    );
  }
}

dialog.addEventListener('close', () => {
  const back = focusedId
    ? timeline.querySelector<HTMLButtonElement>(`[data-development-id="${CSS.escape(focusedId)}"]`)
    : null;
  back?.focus();
});
byId('detail-close').addEventListener('click', () => dialog.close());
dialog.addEventListener('click', (event) => {
  if (event.target === dialog) dialog.close();
});
timeline.addEventListener('focusin', (event) => {
  const id = (event.target as HTMLElement).dataset.developmentId;
  if (id) focusedId = id;
});

// Controls.
controls.form.addEventListener('submit', (event) => event.preventDefault());
for (const input of [controls.actor, controls.topic, controls.kind, controls.from, controls.to, controls.knownAt]) {
  input.addEventListener('change', () => void load());
}
for (const radio of controls.form.querySelectorAll<HTMLInputElement>('input[name="lanes"]')) {
  radio.addEventListener('change', () => {
    laneMode = radio.value === 'topic' ? 'topic' : 'actor';
    void load();
  });
}
let scrubTimer: ReturnType<typeof setTimeout> | undefined;
controls.asOfRange.addEventListener('input', () => {
  const day = Number(controls.asOfRange.value);
  setScrubber(day >= TODAY ? null : day);
  clearTimeout(scrubTimer);
  scrubTimer = setTimeout(() => void load(), 150);
});
controls.asOfDate.addEventListener('change', () => {
  setScrubber(controls.asOfDate.value ? dayFromIsoDate(controls.asOfDate.value) : null);
  void load();
});
controls.asOfNow.addEventListener('click', () => {
  setScrubber(null);
  void load();
});
controls.knownAtNow.addEventListener('click', () => {
  controls.knownAt.value = '';
  void load();
});
controls.zoomIn.addEventListener('click', () => {
  pxPerDay = Math.min(pxPerDay * 1.5, 160);
  void load();
});
controls.zoomOut.addEventListener('click', () => {
  pxPerDay = Math.max(pxPerDay / 1.5, 4);
  void load();
});

// The API key: kept for this tab in sessionStorage (never localStorage, never the URL), sent with every read and in
// the subscription's connection_init. The message beside the field says when the server wants one or refuses it.
const KEY_MESSAGES = {
  missing: 'This server needs an API key to read. Enter one and press Use.',
  invalid: 'The API key is not valid. Check it and press Use again.',
} as const;

function showKeyState(problem: KeyError | null): void {
  const state = problem ? problem.reason : apiKey() ? 'accepted' : 'none';
  if (document.body.dataset.keyState === state) return;
  document.body.dataset.keyState = state;
  keyControls.message.textContent = problem
    ? KEY_MESSAGES[problem.reason]
    : state === 'accepted'
      ? 'The key is in use for this tab.'
      : '';
  keyControls.input.setAttribute('aria-invalid', String(problem?.reason === 'invalid'));
}

// Live: every change reloads the view (filters and time points apply); new developments are marked and announced.
let reloadTimer: ReturnType<typeof setTimeout> | undefined;
let subscription: { close(): void } | undefined;

const goLive = (): void => {
  subscription?.close();
  let connectedOnce = false;
  subscription = subscribeToChanges(
    apiKey(),
    (change) => {
      if (change.change === 'RECORDED' && !lastItems.some((item) => item.id === change.development.id)) {
        newIds = new Set([...newIds, change.development.id]);
        announcer.textContent = `New development: ${change.development.title}`;
      }
      clearTimeout(reloadTimer);
      reloadTimer = setTimeout(() => void load(), 100);
    },
    (status: LiveStatus) => {
      live.dataset.status = status;
      live.textContent = {
        live: 'Live',
        connecting: 'Connecting…',
        offline: 'Offline (retrying)',
        refused: 'Not live (needs a valid key)',
      }[status];
      // After a reconnection, read again what may have been missed meanwhile.
      if (status === 'live' && connectedOnce) void load();
      if (status === 'live') connectedOnce = true;
    },
    showKeyState,
  );
};

let choicesGeneration = 0;
const loadChoices = async (): Promise<void> => {
  const generation = ++choicesGeneration;
  try {
    const { actors, topics } = await fetchChoices();
    if (generation !== choicesGeneration) return;
    const refill = (select: HTMLSelectElement, options: HTMLOptionElement[]) => {
      const chosen = select.value;
      select.replaceChildren(...[...select.options].slice(0, 1), ...options);
      select.value = options.some((option) => option.value === chosen) ? chosen : '';
    };
    refill(
      controls.actor,
      [...actors]
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((actor) => h('option', { value: actor.id }, actor.name)),
    );
    refill(
      controls.topic,
      [...topics]
        .sort((a, b) => a.title.localeCompare(b.title))
        .map((topic) => h('option', { value: topic.id }, topic.title)),
    );
  } catch (error) {
    // The timeline's load says the same for a key; anything else leaves the choices empty (the filters still work).
    if (generation === choicesGeneration && error instanceof KeyError) showKeyState(error);
  }
};

keyControls.input.value = apiKey() ?? '';
keyControls.form.addEventListener('submit', (event) => {
  // Never submitted for real: the key would end up in a URL. (The field has no name, so it would not anyway.)
  event.preventDefault();
  const key = keyControls.input.value.trim();
  keyControls.input.value = key;
  setApiKey(key);
  delete document.body.dataset.keyState;
  keyControls.message.textContent = key ? 'Checking the key…' : '';
  goLive();
  void loadChoices();
  void load();
});

goLive();
void loadChoices();
setScrubber(null);
void load();
