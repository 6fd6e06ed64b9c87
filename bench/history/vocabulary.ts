import { DEVELOPMENT_KINDS, type DevelopmentKind, type MeetingStatus } from '../../events/vocabulary.js';

/** What synthetic developments say, and how often: kinds, tones, verbs, sources, places, meeting steps. */

export const ROLE_TITLES = [
  'President', 'Prime Minister', 'Foreign Minister', 'Defence Minister', 'Ambassador', 'Special Envoy',
  'National Security Adviser', 'Spokesperson', 'Finance Minister', 'Secretary General',
]; // prettier-ignore

/** How often each kind comes up, relative to 1: statements and consultations are the bulk of diplomacy. */
const KIND_FREQUENCY: Partial<Record<DevelopmentKind, number>> = {
  STATEMENT: 8,
  CONSULT: 6,
  CLAIM: 3,
  APPEAL: 3,
  REQUEST: 3,
  ACCUSE: 3,
  AGREE: 2,
  COOPERATE: 2,
  SUPPORT: 2,
};
export const KIND_WEIGHTS = DEVELOPMENT_KINDS.map((kind) => [kind, KIND_FREQUENCY[kind] ?? 1] as const);
/** A rough Goldstein-style centre of tone per kind: cooperative kinds are positive, coercive ones negative. */
export const KIND_TONE: Partial<Record<DevelopmentKind, number>> = {
  AGREE: 5,
  COOPERATE: 6,
  AID: 7,
  SUPPORT: 4,
  CONSULT: 2,
  CONCEDE: 3,
  APPEAL: 1,
  ACCUSE: -4,
  REJECT: -4,
  THREATEN: -6,
  PROTEST: -5,
  SANCTION: -7,
  MOBILIZE: -6,
  COERCE: -7,
  ASSAULT: -9,
  DENIAL: -2,
};
export const VERBS: Record<DevelopmentKind, string> = {
  STATEMENT: 'comments on',
  CLAIM: 'claims about',
  DENIAL: 'denies',
  APPEAL: 'appeals to',
  AGREE: 'agrees with',
  CONSULT: 'meets',
  SUPPORT: 'backs',
  CONCEDE: 'concedes to',
  COOPERATE: 'works with',
  AID: 'sends aid to',
  RETREAT: 'backs down before',
  REQUEST: 'asks',
  ACCUSE: 'accuses',
  REJECT: 'rejects',
  THREATEN: 'threatens',
  PROTEST: 'protests against',
  SANCTION: 'sanctions',
  MOBILIZE: 'mobilizes against',
  COERCE: 'pressures',
  ASSAULT: 'strikes',
};
export const PUBLISHERS = [
  'Reuters',
  'AP',
  'AFP',
  'BBC',
  'Al Jazeera',
  'TASS',
  'Kyiv Independent',
  'Politico',
  'DW',
  'NHK',
];
export const MODES = ['phone', 'visit', 'third-party', 'video', 'written'];
export const CITIES = [
  'Geneva',
  'Vienna',
  'Istanbul',
  'Doha',
  'Riyadh',
  'Budapest',
  'Anchorage',
  'Brussels',
  'New York',
];
export const REASONS = [
  'the date was wrong',
  'a source gave more detail',
  'misattributed stance',
  'tone revised',
  'typo',
];

export const NEXT_STATUS: Record<MeetingStatus, readonly (readonly [MeetingStatus, number])[]> = {
  PROPOSED: [
    ['AGREED', 5],
    ['PROPOSED', 1],
    ['CANCELLED', 1],
  ],
  AGREED: [
    ['SCHEDULED', 5],
    ['POSTPONED', 1],
    ['CANCELLED', 1],
  ],
  SCHEDULED: [
    ['HELD', 6],
    ['POSTPONED', 2],
    ['CANCELLED', 1],
  ],
  POSTPONED: [
    ['SCHEDULED', 4],
    ['CANCELLED', 1],
  ],
  HELD: [['PROPOSED', 1]],
  CANCELLED: [['PROPOSED', 1]],
};

const round1 = (value: number): number => Math.round(value * 10) / 10;

export const clampTone = (value: number): number => Math.max(-10, Math.min(10, round1(value)));
