import { DEVELOPMENT_KINDS } from '../../../events/vocabulary.js';
import type { MeetingState, TimelineItem } from './api.js';
import { dayOf, formatDay, formatDayNumber, formatShortDay, h } from './dom.js';

/**
 * The timeline: one lane per actor or topic, developments placed by their day on a shared horizontal axis, and a
 * lane of meetings coloured by their status over time. Long quiet stretches are folded into a marked break so that
 * a year with one busy week stays readable. Keyboard: the items form one tab stop (roving tabindex); arrows move
 * within a lane (left, right) and between lanes (up, down), Home and End go to a lane's ends, Enter opens.
 */

export type LaneMode = 'actor' | 'topic';

export interface MeetingSegment {
  status: string;
  fromDay: number;
}

export interface TimelineModel {
  items: TimelineItem[];
  meetings: { meeting: MeetingState; segments: MeetingSegment[] }[];
  mode: LaneMode;
  /** Only these lanes (the actor or topic filter); empty: every lane with a development. */
  onlyLanes: string[];
  pxPerDay: number;
  /** The day the meeting bars run to (asOf, or a little after the last development). */
  endDay: number;
  newIds: ReadonlySet<string>;
}

/** The kinds as the server knows them: the legend and the kind filter list them in this order. */
export const KINDS = DEVELOPMENT_KINDS;

const LABEL_WIDTH = 132;
const ITEM_WIDTH = 156;
const ROW_HEIGHT = 28;
const PAD = 12;
const MAX_GAP_DAYS = 6;
const BREAK_WIDTH = 44;
const TICK_SPACING = 60;

export const toneOf = (tone: number | null): { glyph: string; text: string; className: string } => {
  if (tone === null) return { glyph: '○', text: 'no tone', className: 'tone-none' };
  if (tone >= 2) return { glyph: '▲', text: `cooperative tone ${tone}`, className: 'tone-up' };
  if (tone <= -2) return { glyph: '▼', text: `hostile tone ${tone}`, className: 'tone-down' };
  return { glyph: '●', text: `neutral tone ${tone}`, className: 'tone-flat' };
};

export const statusBadge = (status: string): string | null =>
  ({ CONFIRMED: '✓ confirmed', DISPUTED: '? disputed', DENIED: '✗ denied', RETRACTED: 'retracted' })[status] ?? null;

/** Day → x, with quiet stretches longer than MAX_GAP_DAYS folded into a fixed-width break. */
const buildAxis = (days: number[], pxPerDay: number) => {
  const sorted = [...new Set(days)].sort((a, b) => a - b);
  const xs = new Map<number, number>();
  const breaks: { x: number; days: number }[] = [];
  let x = PAD;
  sorted.forEach((day, index) => {
    const previous = sorted[index - 1];
    if (previous !== undefined) {
      const gap = day - previous;
      if (gap <= MAX_GAP_DAYS) x += gap * pxPerDay;
      else {
        breaks.push({ x: x + pxPerDay + BREAK_WIDTH / 2, days: gap });
        x += 2 * pxPerDay + BREAK_WIDTH;
      }
    }
    xs.set(day, x);
  });
  const xOf = (day: number): number => {
    const exact = xs.get(day);
    if (exact !== undefined) return exact;
    let base = sorted[0] ?? day;
    for (const known of sorted) if (known <= day) base = known;
    return (xs.get(base) ?? PAD) + Math.min(day - base, MAX_GAP_DAYS) * pxPerDay;
  };
  return { sorted, xOf, breaks, end: x };
};

interface Placed {
  item: TimelineItem;
  x: number;
  row: number;
}

const laneKeysOf = (item: TimelineItem, mode: LaneMode): { key: string; name: string }[] =>
  mode === 'actor'
    ? item.participants.map((participant) => ({ key: participant.actor.id, name: participant.actor.name }))
    : item.topics.map((topic) => ({ key: topic.id, name: topic.title }));

const describeItem = (item: TimelineItem): string =>
  [
    item.title,
    item.kind.toLowerCase(),
    formatDay(item.occurredAt),
    toneOf(item.tone).text,
    item.status === 'REPORTED' ? null : item.status.toLowerCase(),
  ]
    .filter(Boolean)
    .join(', ');

export const renderTimeline = (
  container: HTMLElement,
  model: TimelineModel,
  focusedId: string | null,
  open: (id: string) => void,
): void => {
  const days = model.items.map((item) => dayOf(item.occurredAt));
  for (const { segments } of model.meetings) for (const segment of segments) days.push(segment.fromDay);
  const axis = buildAxis(days, model.pxPerDay);
  const endX = Math.max(axis.end, axis.xOf(model.endDay)) + ITEM_WIDTH + 40 + PAD;
  const width = Math.max(endX, 200);

  // Lanes, busiest first.
  const lanes = new Map<string, { name: string; items: TimelineItem[] }>();
  for (const item of model.items) {
    for (const { key, name } of laneKeysOf(item, model.mode)) {
      if (model.onlyLanes.length > 0 && !model.onlyLanes.includes(key)) continue;
      const lane = lanes.get(key) ?? { name, items: [] };
      lane.items.push(item);
      lanes.set(key, lane);
    }
  }
  const ordered = [...lanes.entries()].sort(
    ([, a], [, b]) => b.items.length - a.items.length || a.name.localeCompare(b.name),
  );

  const canvas = h('div', { class: 'canvas', style: `width:${LABEL_WIDTH + width}px` });
  // The axis.
  const ticks = h('div', { class: 'axis-body', style: `width:${width}px`, 'aria-hidden': 'true' });
  let lastTick = -Infinity;
  let lastYear: number | null = null;
  for (const day of axis.sorted) {
    const x = axis.xOf(day);
    if (x - lastTick < TICK_SPACING) continue;
    const year = new Date(day * 86_400_000).getUTCFullYear();
    ticks.append(
      h(
        'span',
        { class: 'tick', style: `left:${x}px` },
        year === lastYear ? formatShortDay(day) : formatDayNumber(day),
      ),
    );
    lastTick = x;
    lastYear = year;
  }
  for (const gap of axis.breaks) {
    ticks.append(h('span', { class: 'break', style: `left:${gap.x}px`, title: `${gap.days} days folded` }, '≈'));
  }
  canvas.append(h('div', { class: 'axis' }, h('div', { class: 'lane-label axis-label' }, 'Date (UTC)'), ticks));

  // Meetings, with their status over time, packed into as few rows as their bars allow.
  const meetingRows: number[] = [];
  const rowOfMeeting = model.meetings.map(({ segments }) => {
    const from = axis.xOf(segments[0]?.fromDay ?? model.endDay);
    const last = segments[segments.length - 1];
    const pending = last ? !['HELD', 'CANCELLED'].includes(last.status) : true;
    const to =
      (pending ? Math.max(axis.xOf(model.endDay), from) : axis.xOf(last?.fromDay ?? model.endDay)) + ITEM_WIDTH + 44;
    let row = meetingRows.findIndex((end) => end <= from);
    if (row === -1) row = meetingRows.push(0) - 1;
    meetingRows[row] = to;
    return row;
  });
  if (model.meetings.length > 0) {
    const body = h('div', {
      class: 'lane-body',
      style: `width:${width}px;height:${meetingRows.length * ROW_HEIGHT + 4}px`,
    });
    model.meetings.forEach(({ meeting, segments }, index) => {
      const row = rowOfMeeting[index] ?? 0;
      const bar = h('div', {
        class: 'meeting',
        role: 'listitem',
        'data-meeting-id': meeting.id,
        'data-status': meeting.status,
        style: `top:${row * ROW_HEIGHT + 2}px`,
      });
      segments.forEach((segment, index) => {
        const next = segments[index + 1];
        const from = axis.xOf(segment.fromDay);
        // A meeting still ahead runs on to the end of the view; one held or cancelled ends with its label.
        const pending = !['HELD', 'CANCELLED'].includes(segment.status);
        const to = next
          ? axis.xOf(next.fromDay)
          : (pending ? Math.max(axis.xOf(model.endDay), from) : from) + ITEM_WIDTH + 40;
        bar.append(
          h(
            'span',
            {
              class: `segment meeting-${segment.status.toLowerCase()}`,
              style: `left:${from}px;width:${Math.max(to - from, 6)}px`,
              title: `${meeting.title}: ${segment.status.toLowerCase()} from ${formatDayNumber(segment.fromDay)}`,
            },
            index === segments.length - 1
              ? `${meeting.title} · ${segment.status.toLowerCase()}`
              : segment.status.toLowerCase(),
          ),
        );
      });
      body.append(bar);
    });
    body.setAttribute('role', 'list');
    body.setAttribute('aria-label', 'Meetings and their status over time');
    canvas.append(
      h(
        'div',
        { class: 'lane lane-meetings' },
        h('div', { class: 'lane-label' }, h('span', { class: 'lane-name' }, 'Meetings')),
        body,
      ),
    );
  }

  const buttons: HTMLButtonElement[][] = [];
  ordered.forEach(([key, lane], laneIndex) => {
    const rows: number[] = [];
    const placed: Placed[] = lane.items.map((item) => {
      const x = axis.xOf(dayOf(item.occurredAt));
      let row = rows.findIndex((end) => end <= x);
      if (row === -1) row = rows.push(0) - 1;
      rows[row] = x + ITEM_WIDTH + 4;
      return { item, x, row };
    });
    const labelId = `lane-${laneIndex}`;
    const body = h('ul', {
      class: 'lane-body',
      'aria-labelledby': labelId,
      style: `width:${width}px;height:${rows.length * ROW_HEIGHT + 4}px`,
    });
    const laneButtons: HTMLButtonElement[] = [];
    for (const { item, x, row } of placed) {
      const tone = toneOf(item.tone);
      const badge = statusBadge(item.status);
      const button = h(
        'button',
        {
          type: 'button',
          class: `item kind-${item.kind.toLowerCase()} status-${item.status.toLowerCase()}${model.newIds.has(item.id) ? ' is-new' : ''}`,
          style: `left:${x}px;top:${row * ROW_HEIGHT + 2}px;width:${ITEM_WIDTH}px`,
          'data-development-id': item.id,
          'data-kind': item.kind,
          'data-status': item.status,
          'data-occurred-at': item.occurredAt,
          'aria-label': describeItem(item),
          title: `${item.title} (${item.kind.toLowerCase()}, ${formatDay(item.occurredAt)})`,
          tabindex: -1,
        },
        h('span', { class: `tone ${tone.className}`, 'aria-hidden': 'true' }, tone.glyph),
        h('span', { class: 'label' }, item.title),
        badge ? h('span', { class: 'badge', 'aria-hidden': 'true' }, badge) : null,
      );
      button.addEventListener('click', () => open(item.id));
      laneButtons.push(button);
      body.append(h('li', {}, button));
    }
    buttons.push(laneButtons);
    canvas.append(
      h(
        'div',
        { class: 'lane', 'data-lane': key },
        h(
          'div',
          { class: 'lane-label', id: labelId, title: lane.name },
          h('span', { class: 'lane-name' }, lane.name),
          h('span', { class: 'lane-count' }, ` ${lane.items.length}`),
        ),
        body,
      ),
    );
  });

  if (ordered.length === 0) {
    canvas.append(h('p', { class: 'empty' }, 'No development matches these filters at this date.'));
  }
  container.replaceChildren(canvas);

  // One tab stop for all the items: the one focused before the update, or the latest development.
  const all = buttons.flat();
  const keep =
    (focusedId && all.find((button) => button.dataset.developmentId === focusedId)) ??
    buttons[0]?.[buttons[0].length - 1];
  if (keep) keep.tabIndex = 0;

  canvas.addEventListener('keydown', (event) => {
    const target = event.target as HTMLElement;
    if (!(target instanceof HTMLButtonElement) || !target.classList.contains('item')) return;
    const lane = buttons.findIndex((laneButtons) => laneButtons.includes(target));
    const laneButtons = buttons[lane] ?? [];
    const index = laneButtons.indexOf(target);
    const nearestIn = (other: HTMLButtonElement[] | undefined): HTMLButtonElement | undefined => {
      if (!other || other.length === 0) return undefined;
      const x = target.offsetLeft;
      return other.reduce((best, candidate) =>
        Math.abs(candidate.offsetLeft - x) < Math.abs(best.offsetLeft - x) ? candidate : best,
      );
    };
    let next: HTMLButtonElement | undefined;
    if (event.key === 'ArrowRight') next = laneButtons[index + 1];
    else if (event.key === 'ArrowLeft') next = laneButtons[index - 1];
    else if (event.key === 'ArrowDown') next = nearestIn(buttons[lane + 1]);
    else if (event.key === 'ArrowUp') next = nearestIn(buttons[lane - 1]);
    else if (event.key === 'Home') next = laneButtons[0];
    else if (event.key === 'End') next = laneButtons[laneButtons.length - 1];
    else return;
    event.preventDefault();
    if (!next) return;
    for (const button of all) button.tabIndex = -1;
    next.tabIndex = 0;
    next.focus();
    next.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  });
};
