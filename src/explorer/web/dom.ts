/** A tiny element builder: h('li', { class: 'x' }, 'text', child). Text is always set as text, never as HTML. */
type Child = Node | string | number | null | undefined | false;

export const h = <K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number | boolean | undefined> = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] => {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
};

export const byId = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing from the page`);
  return element as T;
};

const DAY_FORMAT = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  timeZone: 'UTC',
});
const SHORT_FORMAT = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
const TIME_FORMAT = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'UTC',
});

export const DAY_MS = 86_400_000;
export const dayOf = (iso: string): number => Math.floor(Date.parse(iso) / DAY_MS);
export const formatDay = (iso: string): string => DAY_FORMAT.format(new Date(iso));
export const formatShortDay = (day: number): string => SHORT_FORMAT.format(new Date(day * DAY_MS));
export const formatDayNumber = (day: number): string => DAY_FORMAT.format(new Date(day * DAY_MS));
export const formatTime = (iso: string): string => `${TIME_FORMAT.format(new Date(iso))} UTC`;
/** A date input's value (YYYY-MM-DD) for a day number, and back. */
export const isoDate = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);
export const dayFromIsoDate = (value: string): number => Math.floor(Date.parse(`${value}T00:00:00Z`) / DAY_MS);
