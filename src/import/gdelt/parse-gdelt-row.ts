/**
 * One line of a GDELT 2.0 events export file (tab-separated, 61 columns, no header; see the codebook's column
 * list) read into the fields the importer uses, or the reason it cannot be.
 */

const GDELT_COLUMNS = 61;

/** Column positions, 0-based, as in GDELT_2.0_Events_Column_Labels_Header_Row_Sep2016.csv. */
const COLUMN = {
  GLOBALEVENTID: 0,
  SQLDATE: 1,
  Actor1Code: 5,
  Actor2Code: 15,
  IsRootEvent: 25,
  EventCode: 26,
  QuadClass: 29,
  GoldsteinScale: 30,
  NumMentions: 31,
  NumSources: 32,
  NumArticles: 33,
  AvgTone: 34,
  ActionGeo_FullName: 52,
  ActionGeo_CountryCode: 53,
  ActionGeo_Lat: 56,
  ActionGeo_Long: 57,
  DATEADDED: 59,
  SOURCEURL: 60,
} as const;

/** Offsets of an actor's fields from its ActorNCode column. */
const ACTOR = { code: 0, name: 1, countryCode: 2, knownGroupCode: 3, type1Code: 7 } as const;

export interface GdeltActor {
  readonly code: string;
  readonly name: string;
  readonly countryCode: string;
  readonly knownGroupCode: string;
  readonly type1Code: string;
}

export interface GdeltRow {
  readonly globalEventId: string;
  /** SQLDATE as an ISO day: when the event happened. */
  readonly day: string;
  readonly actor1?: GdeltActor;
  readonly actor2?: GdeltActor;
  readonly isRootEvent: boolean;
  readonly eventCode: string;
  readonly quadClass: number;
  readonly goldstein: number;
  readonly numMentions: number;
  readonly numSources: number;
  readonly numArticles: number;
  readonly avgTone: number;
  readonly actionGeo?: {
    readonly fullName: string;
    readonly countryCode: string;
    readonly lat?: number;
    readonly long?: number;
  };
  /** DATEADDED as an ISO instant: when GDELT recorded the event. */
  readonly dateAdded: string;
  readonly sourceUrl: string;
}

export type ParsedGdeltRow = { readonly row: GdeltRow } | { readonly reason: string };

const daysInMonth = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate();

/** YYYYMMDD[HHMMSS] as an ISO instant, or null when it is no such date. */
const gdeltInstant = (digits: string, withTime: boolean): string | null => {
  if (!(withTime ? /^\d{14}$/ : /^\d{8}$/).test(digits)) return null;
  const [year, month, day, hour, minute, second] = [0, 4, 6, 8, 10, 12].map((at, index) =>
    Number(digits.slice(at, at + (index === 0 ? 4 : 2)) || 0),
  ) as [number, number, number, number, number, number];
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, second));
  date.setUTCFullYear(year);
  return date.toISOString();
};

const actorAt = (columns: readonly string[], start: number): GdeltActor | undefined => {
  const field = (offset: number) => columns[start + offset]!.trim();
  const code = field(ACTOR.code);
  if (code === '') return undefined;
  return {
    code,
    name: field(ACTOR.name),
    countryCode: field(ACTOR.countryCode),
    knownGroupCode: field(ACTOR.knownGroupCode),
    type1Code: field(ACTOR.type1Code),
  };
};

const NUMBER = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;

export const parseGdeltRow = (line: string): ParsedGdeltRow => {
  const columns = line.split('\t');
  if (columns.length !== GDELT_COLUMNS) {
    return { reason: `expected ${GDELT_COLUMNS} tab-separated columns, found ${columns.length}` };
  }
  const column = (name: keyof typeof COLUMN) => columns[COLUMN[name]]!.trim();
  const number = (name: keyof typeof COLUMN, { optional = false } = {}): number | null | undefined => {
    const raw = column(name);
    if (raw === '' && optional) return undefined;
    return NUMBER.test(raw) ? Number(raw) : null;
  };

  const globalEventId = column('GLOBALEVENTID');
  if (!/^\d{1,20}$/.test(globalEventId))
    return { reason: `GLOBALEVENTID ${JSON.stringify(globalEventId)} is not a number` };
  const day = gdeltInstant(column('SQLDATE'), false);
  if (day === null) return { reason: `SQLDATE ${JSON.stringify(column('SQLDATE'))} is not a date (YYYYMMDD)` };
  const dateAdded = gdeltInstant(column('DATEADDED'), true);
  if (dateAdded === null) {
    return { reason: `DATEADDED ${JSON.stringify(column('DATEADDED'))} is not a date and time (YYYYMMDDHHMMSS)` };
  }
  const eventCode = column('EventCode');
  if (!/^\d{2,4}$/.test(eventCode)) return { reason: `EventCode ${JSON.stringify(eventCode)} is not a CAMEO code` };
  const goldstein = number('GoldsteinScale');
  if (goldstein === null || goldstein === undefined || goldstein < -10 || goldstein > 10) {
    return { reason: `GoldsteinScale ${JSON.stringify(column('GoldsteinScale'))} is not a number from -10 to 10` };
  }
  const counts = (['QuadClass', 'NumMentions', 'NumSources', 'NumArticles', 'AvgTone'] as const).map((name) => [
    name,
    number(name),
  ]);
  const bad = counts.find(([, value]) => value === null);
  if (bad) return { reason: `${bad[0]} ${JSON.stringify(column(bad[0] as keyof typeof COLUMN))} is not a number` };
  const [quadClass, numMentions, numSources, numArticles, avgTone] = counts.map(([, value]) => value as number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const actor1 = actorAt(columns, COLUMN.Actor1Code);
  const actor2 = actorAt(columns, COLUMN.Actor2Code);
  if (!actor1 && !actor2) return { reason: 'neither actor is coded (Actor1Code and Actor2Code are empty)' };
  const lat = number('ActionGeo_Lat', { optional: true });
  const long = number('ActionGeo_Long', { optional: true });
  if (lat === null || long === null) return { reason: 'ActionGeo_Lat or ActionGeo_Long is not a number' };
  const geoName = column('ActionGeo_FullName');
  return {
    row: {
      globalEventId,
      day,
      ...(actor1 ? { actor1 } : {}),
      ...(actor2 ? { actor2 } : {}),
      isRootEvent: column('IsRootEvent') === '1',
      eventCode,
      quadClass,
      goldstein,
      numMentions,
      numSources,
      numArticles,
      avgTone,
      ...(geoName === ''
        ? {}
        : {
            actionGeo: {
              fullName: geoName,
              countryCode: column('ActionGeo_CountryCode'),
              ...(lat === undefined ? {} : { lat }),
              ...(long === undefined ? {} : { long }),
            },
          }),
      dateAdded,
      sourceUrl: column('SOURCEURL'),
    },
  };
};
