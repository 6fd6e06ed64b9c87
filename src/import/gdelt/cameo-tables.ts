/**
 * The CAMEO and PLOVER code tables a GDELT importer needs: what an event code means (its description and the
 * DevelopmentKind it maps to) and what kind of actor a GDELT actor is. The tables are copies of third-party files,
 * kept byte for byte in ./tables beside this module with their sources and terms in ./tables/SOURCES.md; the build
 * copies them into dist at the same relative path.
 */
import { readFileSync } from 'node:fs';
import { DEVELOPMENT_KINDS, type ActorKind, type DevelopmentKind } from '../../../events/vocabulary.js';

interface CameoEventMeaning {
  /** The CAMEO event code as given, e.g. '0311' (strings: leading zeros matter). */
  readonly code: string;
  /** From CAMEO.eventcodes.txt, trimmed, e.g. 'Express intent to cooperate economically'. */
  readonly description: string;
  readonly kind: DevelopmentKind;
  /** PLOVER mode, trimmed; absent when blank. */
  readonly mode?: string;
  /** PLOVER context, trimmed (a few are lists such as 'crime; corruption'); absent when blank. */
  readonly context?: string;
}

export interface CameoTables {
  /** undefined when `code` is not a CAMEO event code of CAMEO.eventcodes.txt */
  eventMeaning(code: string): CameoEventMeaning | undefined;
  /** the kind of an actor from its GDELT fields (ActorNCode, ActorNKnownGroupCode, ActorNType1Code) */
  actorKind(actorCode: string, knownGroupCode: string, type1Code: string): ActorKind;
  countryLabel(code: string): string | undefined;
  typeLabel(code: string): string | undefined;
  knownGroupLabel(code: string): string | undefined;
}

/** The file names of the tables, in ./tables. */
export const CAMEO_TABLE_FILES = {
  eventCodes: 'CAMEO.eventcodes.txt',
  countries: 'CAMEO.country.tsv',
  types: 'CAMEO.type.tsv',
  knownGroups: 'CAMEO.knowngroup.tsv',
  plover: 'CAMEO2PLOVER-2021.txt',
} as const;

/**
 * How actorKind reads each actor type code of CAMEO.type.tsv (ActorNType1Code), decided one by one from the
 * table's labels. Every code of CAMEO.type.tsv must be here and nothing else (loading checks it, and so does a
 * test), so a new code in the table is a decision to make rather than a silent default.
 *  - GROUP: armed, rebel, criminal, opposition or popular groups, and social groups (civilians, refugees, labour…);
 *  - ORGANIZATION: institutions (state bodies, sectors organised as institutions, named organisations, IGOs, NGOs).
 */
export const CAMEO_TYPE_KINDS: Readonly<Record<string, 'GROUP' | 'ORGANIZATION'>> = {
  COP: 'ORGANIZATION', // Police forces
  GOV: 'ORGANIZATION', // Government
  INS: 'GROUP', // Insurgents
  JUD: 'ORGANIZATION', // Judiciary
  MIL: 'ORGANIZATION', // Military
  OPP: 'GROUP', // Political Opposition
  REB: 'GROUP', // Rebels
  SEP: 'GROUP', // Separatist Rebels
  SPY: 'ORGANIZATION', // State Intelligence
  UAF: 'GROUP', // Unaligned Armed Forces
  AGR: 'GROUP', // Agriculture (farmers: a social group)
  BUS: 'ORGANIZATION', // Business
  CRM: 'GROUP', // Criminal
  CVL: 'GROUP', // Civilian
  DEV: 'ORGANIZATION', // Development (development agencies and banks)
  EDU: 'ORGANIZATION', // Education
  ELI: 'GROUP', // Elites
  ENV: 'ORGANIZATION', // Environmental (environmental organisations, e.g. NGOUSAENV Sierra Club)
  HLH: 'ORGANIZATION', // Health
  HRI: 'ORGANIZATION', // Human Rights (human rights organisations)
  LAB: 'GROUP', // Labor
  LEG: 'ORGANIZATION', // Legislature
  MED: 'ORGANIZATION', // Media
  REF: 'GROUP', // Refugees
  MOD: 'GROUP', // Moderate
  RAD: 'GROUP', // Radical
  AMN: 'ORGANIZATION', // Amnesty International
  IRC: 'ORGANIZATION', // Red Cross
  GRP: 'ORGANIZATION', // Greenpeace
  UNO: 'ORGANIZATION', // United Nations
  PKO: 'ORGANIZATION', // Peacekeepers
  UIS: 'ORGANIZATION', // Unidentified State Actor (listed twice in the table)
  IGO: 'ORGANIZATION', // Inter-Governmental Organization
  IMG: 'GROUP', // International Militarized Group (e.g. IMGMOSALQ Al Qaeda)
  INT: 'GROUP', // International/Transnational Generic
  MNC: 'ORGANIZATION', // Multinational Corporation
  NGM: 'GROUP', // Non-Governmental Movement
  NGO: 'ORGANIZATION', // Non-Governmental Organization
  SET: 'GROUP', // Settler
};

/**
 * Codes that CAMEO2PLOVER-2021.txt lists more than once with different types, and the type each keeps. The root
 * 08 heads two sections, '08: CONCEDE' (080-083) and '08: RETREAT' (084-087): the code 08 itself, 'YIELD', keeps
 * CONCEDE like 080 'Yield, not specified below'. Any other conflicting duplicate fails loading.
 */
const PLOVER_DUPLICATE_CHOICES: Readonly<Record<string, DevelopmentKind>> = { '08': 'CONCEDE' };

interface PloverEntry {
  readonly line: number;
  readonly kind: DevelopmentKind;
  readonly mode?: string;
  readonly context?: string;
}

function fail(file: string, line: number, message: string): never {
  throw new Error(`${file}:${line}: ${message}`);
}

/** The lines of a text with their numbers (from 1), without the empty one a final newline leaves. */
const numberedLines = (text: string): { readonly number: number; readonly line: string }[] => {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((line, index) => ({ number: index + 1, line: line.endsWith('\r') ? line.slice(0, -1) : line }));
};

interface Row {
  readonly line: number;
  readonly code: string;
  readonly label: string;
}

/** A tab-separated table of two columns under the header given; every other line is `code<TAB>label`. */
const parseTwoColumns = (file: string, text: string, header: string, codePattern: RegExp): Row[] => {
  const [first, ...rest] = numberedLines(text);
  if (first?.line !== header) fail(file, 1, `expected the header ${JSON.stringify(header)}`);
  return rest.map(({ number, line }) => {
    const fields = line.split('\t');
    const code = fields[0] ?? '';
    const label = fields[1]?.trim() ?? '';
    if (fields.length !== 2 || !codePattern.test(code) || label === '') {
      fail(file, number, `cannot parse ${JSON.stringify(line)}: expected a code matching ${codePattern} and a label`);
    }
    return { line: number, code, label };
  });
};

/**
 * Labels by code. A code listed twice keeps its first label: CAMEO.type.tsv lists UIS twice (same label), and
 * CAMEO.knowngroup.tsv lists CEM three times (COMESA, then the Central African CEMAC twice) and WTO twice.
 */
const labelsByCode = (rows: readonly Row[]): ReadonlyMap<string, string> => {
  const labels = new Map<string, string>();
  for (const { code, label } of rows) if (!labels.has(code)) labels.set(code, label);
  return labels;
};

const isDevelopmentKind = (value: string): value is DevelopmentKind =>
  (DEVELOPMENT_KINDS as readonly string[]).includes(value);

const blankToUndefined = (value: string | undefined): string | undefined => {
  const trimmed = value?.trim() ?? '';
  return trimmed === '' ? undefined : trimmed;
};

/**
 * CAMEO2PLOVER-2021.txt: comment lines starting with '#', blank lines, a closing line of tildes, root lines
 * `10: REQUEST` (type only), and `CODE: TYPE, MODE, CONTEXT # description` where MODE and CONTEXT may be blank or
 * padded with spaces. Codes are not always in their root's section (191 and 192 sit under 17, 201 under 18).
 */
const parsePlover = (file: string, text: string): ReadonlyMap<string, PloverEntry> => {
  const listings = new Map<string, PloverEntry[]>();
  for (const { number, line } of numberedLines(text)) {
    if (line.trim() === '' || line.startsWith('#') || /^~+$/.test(line)) continue;
    const match = /^(\d{2,4}):([^#]*)(#.*)?$/.exec(line);
    if (!match) fail(file, number, `cannot parse ${JSON.stringify(line)}`);
    const [, code = '', body = ''] = match;
    const fields = body.split(',');
    if (fields.length !== 1 && fields.length !== 3) {
      fail(file, number, `expected TYPE or TYPE, MODE, CONTEXT, got ${JSON.stringify(body.trim())}`);
    }
    const type = fields[0]?.trim() ?? '';
    if (!isDevelopmentKind(type)) fail(file, number, `PLOVER type ${JSON.stringify(type)} is not a DevelopmentKind`);
    const entry: PloverEntry = {
      line: number,
      kind: type,
      ...(blankToUndefined(fields[1]) !== undefined && { mode: blankToUndefined(fields[1]) }),
      ...(blankToUndefined(fields[2]) !== undefined && { context: blankToUndefined(fields[2]) }),
    };
    listings.set(code, [...(listings.get(code) ?? []), entry]);
  }
  const entries = new Map<string, PloverEntry>();
  for (const [code, [first, ...others]] of listings) {
    if (!first) continue;
    const choice = PLOVER_DUPLICATE_CHOICES[code];
    const same = (entry: PloverEntry) =>
      entry.kind === first.kind && entry.mode === first.mode && entry.context === first.context;
    if (choice === undefined) {
      const different = others.find((entry) => !same(entry));
      if (different) {
        fail(file, different.line, `code ${code} is listed again, differently from line ${first.line}`);
      }
      entries.set(code, first);
    } else {
      const chosen = [first, ...others].find((entry) => entry.kind === choice);
      if (others.length === 0 || !chosen) {
        fail(file, first.line, `PLOVER_DUPLICATE_CHOICES chooses ${choice} for ${code}: not a duplicate listing`);
      }
      entries.set(code, chosen);
    }
  }
  return entries;
};

/**
 * The kind of a CAMEO event code, in this order:
 *  - a code listed in the PLOVER table takes its PLOVER type (even when it differs from its root's: 163 is COERCE
 *    under root 16 SANCTION), with that line's mode and context;
 *  - the roots 01 (public statement) and 02 (appeal) have no PLOVER type: 015 'Acknowledge or claim responsibility'
 *    is CLAIM, 016 'Deny responsibility' is DENIAL (and so would be any code under them), every other 01, 01x, 01xx
 *    code is STATEMENT and every 02, 02x, 02xx code is APPEAL, without mode or context;
 *  - any other code takes the type, mode and context of its nearest listed prefix (a 4-digit code its 3-digit
 *    parent, else its 2-digit root). A code with none of these fails loading.
 */
const kindOf = (
  code: string,
  plover: ReadonlyMap<string, PloverEntry>,
): Omit<CameoEventMeaning, 'code' | 'description'> | undefined => {
  const own = plover.get(code);
  if (own) return own;
  if (code.startsWith('015')) return { kind: 'CLAIM' };
  if (code.startsWith('016')) return { kind: 'DENIAL' };
  if (code.startsWith('01')) return { kind: 'STATEMENT' };
  if (code.startsWith('02')) return { kind: 'APPEAL' };
  for (let length = code.length - 1; length >= 2; length--) {
    const prefix = plover.get(code.slice(0, length));
    if (prefix) return prefix;
  }
  return undefined;
};

const meaning = (code: string, description: string, entry: Omit<CameoEventMeaning, 'code' | 'description'>) => ({
  code,
  description,
  kind: entry.kind,
  ...(entry.mode !== undefined && { mode: entry.mode }),
  ...(entry.context !== undefined && { context: entry.context }),
});

/**
 * The tables from the texts that `read` returns for each file name of CAMEO_TABLE_FILES. Throws, naming the file
 * and line, on anything it cannot read (cameoTables() gives the tables of ./tables; this is for tests).
 */
export const parseCameoTables = (read: (file: string) => string): CameoTables => {
  const files = CAMEO_TABLE_FILES;
  const eventRows = parseTwoColumns(
    files.eventCodes,
    read(files.eventCodes),
    'CAMEOEVENTCODE\tEVENTDESCRIPTION',
    /^\d{2,4}$/,
  );
  const countries = labelsByCode(parseTwoColumns(files.countries, read(files.countries), 'CODE\tLABEL', /^[A-Z]{3}$/));
  const typeRows = parseTwoColumns(files.types, read(files.types), 'CODE\tLABEL', /^[A-Z]{3}$/);
  const types = labelsByCode(typeRows);
  const knownGroups = labelsByCode(
    parseTwoColumns(files.knownGroups, read(files.knownGroups), 'CODE\tLABEL', /^[A-Z]{3}$/),
  );
  const plover = parsePlover(files.plover, read(files.plover));

  const meanings = new Map<string, CameoEventMeaning>();
  for (const { line, code, label } of eventRows) {
    if (meanings.has(code)) fail(files.eventCodes, line, `code ${code} is listed twice`);
    const entry = kindOf(code, plover);
    if (!entry) fail(files.eventCodes, line, `code ${code} has no PLOVER type, nor has any prefix of it`);
    meanings.set(code, meaning(code, label, entry));
  }

  const groupTypes = new Set<string>();
  const organizationTypes = new Set<string>();
  for (const { line, code, label } of typeRows) {
    const kind = CAMEO_TYPE_KINDS[code];
    if (kind === undefined) fail(files.types, line, `type ${code} (${label}) is not decided in CAMEO_TYPE_KINDS`);
    (kind === 'GROUP' ? groupTypes : organizationTypes).add(code);
  }
  for (const code of Object.keys(CAMEO_TYPE_KINDS)) {
    if (!types.has(code)) throw new Error(`${files.types}: CAMEO_TYPE_KINDS decides ${code}, which it does not list`);
  }

  /**
   * The kind of a GDELT actor, in this order:
   *  - an empty actor code throws (GDELT leaves actors out, and the importer never asks about those);
   *  - a type (ActorNType1Code) naming an armed, rebel, criminal, opposition or popular group, or a social group
   *    (civilians, refugees, labour…), is GROUP: CAMEO_TYPE_KINDS says which, e.g. REB, INS, CVL;
   *  - a known group code of CAMEO.knowngroup.tsv (UNO, NAT, HMS…), or a type naming an institution (GOV, MIL, COP,
   *    JUD, LEG, BUS, MED, EDU, HLH, NGO, IGO…), is ORGANIZATION;
   *  - an actor code that is exactly a 3-letter code of CAMEO.country.tsv, with no type, is STATE (that table also
   *    holds regions such as EUR, AFR, MEA and places such as WSB, GZS: they count as states too);
   *  - anything else is GROUP (e.g. an unknown type, a country code with extra pieces, a bare ethnic or religious
   *    code).
   * Codes of no table are not errors: GDELT's coding is noisy, and such a code just matches no rule.
   */
  const actorKind = (actorCode: string, knownGroupCode: string, type1Code: string): ActorKind => {
    if (actorCode === '') throw new Error('actorKind: empty actor code (GDELT left the actor out)');
    if (groupTypes.has(type1Code)) return 'GROUP';
    if (knownGroups.has(knownGroupCode) || organizationTypes.has(type1Code)) return 'ORGANIZATION';
    if (type1Code === '' && countries.has(actorCode)) return 'STATE';
    return 'GROUP';
  };

  return {
    eventMeaning: (code) => meanings.get(code),
    actorKind,
    countryLabel: (code) => countries.get(code),
    typeLabel: (code) => types.get(code),
    knownGroupLabel: (code) => knownGroups.get(code),
  };
};

let cached: CameoTables | undefined;

/** Reads the tables once per process (synchronously, from ./tables beside this module) and caches them. */
export const cameoTables = (): CameoTables =>
  (cached ??= parseCameoTables((file) => readFileSync(new URL(`./tables/${file}`, import.meta.url), 'utf8')));
