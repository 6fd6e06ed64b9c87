import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ACTOR_KINDS, DEVELOPMENT_KINDS } from '../../events/vocabulary.js';
import {
  CAMEO_TABLE_FILES,
  CAMEO_TYPE_KINDS,
  cameoTables,
  parseCameoTables,
} from '../../src/import/gdelt/cameo-tables.js';

// The copies in the project, never the shared reference folder they came from.
const TABLES = new URL('../../src/import/gdelt/tables/', import.meta.url);
const tableBytes = (file: string): Buffer => readFileSync(new URL(file, TABLES));
const tableLines = (file: string): string[] => tableBytes(file).toString('utf8').split('\n');
/** The first column of a tab-separated table, without its header. */
const firstColumn = (file: string): string[] =>
  tableLines(file)
    .slice(1)
    .filter((line) => line !== '')
    .map((line) => line.split('\t')[0] ?? '');

const tables = cameoTables();

describe('eventMeaning', () => {
  it('gives PLOVER types with their mode and context', () => {
    expect(tables.eventMeaning('042')).toEqual({
      code: '042',
      description: 'Make a visit',
      kind: 'CONSULT',
      mode: 'visit',
    });
    expect(tables.eventMeaning('041')).toMatchObject({ kind: 'CONSULT', mode: 'phone' });
    expect(tables.eventMeaning('0311')).toEqual({
      code: '0311',
      description: 'Express intent to cooperate economically',
      kind: 'AGREE',
      context: 'economic',
    });
    expect(tables.eventMeaning('044')).toMatchObject({ kind: 'CONSULT', mode: 'third-party' });
    expect(tables.eventMeaning('040')).toEqual({
      code: '040',
      description: 'Consult, not specified below',
      kind: 'CONSULT',
    });
    expect(tables.eventMeaning('091')).toMatchObject({
      kind: 'ACCUSE',
      mode: 'investigate',
      context: 'crime; corruption',
    });
    expect(tables.eventMeaning('0861')).toMatchObject({ kind: 'RETREAT', mode: 'access', context: 'peacekeeping' });
  });

  it("takes a code's own PLOVER type over its root's", () => {
    expect(tables.eventMeaning('163')).toMatchObject({ kind: 'COERCE', mode: 'restrict', context: 'diplomatic' });
    expect(tables.eventMeaning('16')?.kind).toBe('SANCTION');
    expect(tables.eventMeaning('1712')).toMatchObject({ description: 'Destroy property', kind: 'ASSAULT' });
    expect(tables.eventMeaning('171')?.kind).toBe('COERCE');
    expect(tables.eventMeaning('0813')?.kind).toBe('RETREAT');
    expect(tables.eventMeaning('081')?.kind).toBe('CONCEDE');
  });

  it('reads the root 08, listed as both CONCEDE and RETREAT, as CONCEDE; 175, listed twice, once', () => {
    expect(tables.eventMeaning('08')).toEqual({ code: '08', description: 'YIELD', kind: 'CONCEDE' });
    expect(tables.eventMeaning('084')?.kind).toBe('RETREAT');
    expect(tables.eventMeaning('175')).toMatchObject({ kind: 'ASSAULT', mode: 'pro_autocracy', context: 'military' });
  });

  it('gives statements, claims, denials and appeals to the roots 01 and 02, without mode or context', () => {
    for (const code of ['01', '010', '011', '019']) {
      expect(tables.eventMeaning(code)).toMatchObject({ code, kind: 'STATEMENT' });
    }
    expect(tables.eventMeaning('015')).toEqual({
      code: '015',
      description: 'Acknowledge or claim responsibility',
      kind: 'CLAIM',
    });
    expect(tables.eventMeaning('016')).toEqual({ code: '016', description: 'Deny responsibility', kind: 'DENIAL' });
    for (const code of ['02', '020', '0214', '028']) {
      expect(tables.eventMeaning(code)).toMatchObject({ code, kind: 'APPEAL' });
    }
    expect(tables.eventMeaning('0214')).toEqual({
      code: '0214',
      description: 'Appeal for intelligence',
      kind: 'APPEAL',
    });
  });

  it('gives the descriptions of CAMEO.eventcodes.txt, trimmed', () => {
    expect(tables.eventMeaning('01')?.description).toBe('MAKE PUBLIC STATEMENT');
    expect(tables.eventMeaning('080')?.description).toBe('Yield, not specified below'); // 'below ' in the file
    expect(tables.eventMeaning('1384')?.description).toBe('Threaten conventional attack'); // two spaces in the file
    expect(tables.eventMeaning('044')?.description).toBe('Meet at a \u00d2hird\u00d3location'); // as in the file
    expect(tables.eventMeaning('2042')?.description).toBe('Detonate nuclear weapons');
  });

  it('means every code of CAMEO.eventcodes.txt, with a DevelopmentKind', () => {
    const codes = firstColumn(CAMEO_TABLE_FILES.eventCodes);
    expect(codes).toHaveLength(311);
    for (const code of codes) {
      const meaning = tables.eventMeaning(code);
      expect(meaning, code).toBeDefined();
      expect(meaning?.code).toBe(code);
      expect(DEVELOPMENT_KINDS).toContain(meaning?.kind);
      expect(meaning?.description.trim()).toBe(meaning?.description);
      expect(meaning?.description).not.toBe('');
      if (meaning?.mode !== undefined) expect(meaning.mode).toMatch(/^\S(.*\S)?$/);
      if (meaning?.context !== undefined) expect(meaning.context).toMatch(/^\S(.*\S)?$/);
    }
  });

  it('knows no other code', () => {
    for (const code of ['999', '', 'abc', '1213', '1214', '3', '00', ' 042', '042 ', '42']) {
      expect(tables.eventMeaning(code), JSON.stringify(code)).toBeUndefined();
    }
  });
});

describe('actorKind', () => {
  it('reads states, organisations and groups from the GDELT actor fields', () => {
    expect(tables.actorKind('USA', '', '')).toBe('STATE');
    expect(tables.actorKind('RUS', '', '')).toBe('STATE');
    expect(tables.actorKind('USAGOV', '', 'GOV')).toBe('ORGANIZATION');
    expect(tables.actorKind('IGOUNO', 'UNO', 'IGO')).toBe('ORGANIZATION');
    expect(tables.actorKind('IGOEUREEC', 'EEC', 'IGO')).toBe('ORGANIZATION');
    expect(tables.actorKind('NGOUSAENV', '', 'NGO')).toBe('ORGANIZATION');
    expect(tables.actorKind('PALREB', '', 'REB')).toBe('GROUP');
    expect(tables.actorKind('CVL', '', 'CVL')).toBe('GROUP');
    expect(tables.actorKind('AFGINSTAL', 'TAL', 'INS')).toBe('GROUP'); // an armed type wins over a known group
    expect(tables.actorKind('IMGMOSALQ', 'ALQ', 'IMG')).toBe('GROUP');
    expect(tables.actorKind('HMS', 'HMS', '')).toBe('ORGANIZATION');
  });

  it('reads anything else as a group', () => {
    expect(tables.actorKind('PAL', '', '')).toBe('GROUP'); // not a code of CAMEO.country.tsv (PSE is)
    expect(tables.actorKind('USA', '', 'XXX')).toBe('GROUP'); // an unknown type
    expect(tables.actorKind('USA', 'XXX', '')).toBe('STATE'); // an unknown known group matches no rule
    expect(tables.actorKind('USAMOS', '', '')).toBe('GROUP');
  });

  it('refuses an empty actor code', () => {
    expect(() => tables.actorKind('', '', '')).toThrow(/empty actor code/);
    expect(() => tables.actorKind('', 'UNO', 'IGO')).toThrow(/empty actor code/);
  });

  it('decides every type code of CAMEO.type.tsv, and no other', () => {
    const codes = new Set(firstColumn(CAMEO_TABLE_FILES.types));
    expect(codes.size).toBe(39); // 40 rows: UIS is listed twice
    expect(Object.keys(CAMEO_TYPE_KINDS).sort()).toEqual([...codes].sort());
    for (const code of codes) {
      expect(['GROUP', 'ORGANIZATION'], code).toContain(CAMEO_TYPE_KINDS[code]);
      // with a type, an actor is never a state, and actorKind follows the decision
      expect(tables.actorKind(`USA${code}`, '', code)).toBe(CAMEO_TYPE_KINDS[code]);
      expect(ACTOR_KINDS).toContain(tables.actorKind(code, '', code));
    }
    for (const code of ['REB', 'INS', 'SEP', 'OPP', 'CRM', 'RAD', 'UAF', 'CVL', 'REF', 'LAB', 'IMG']) {
      expect(CAMEO_TYPE_KINDS[code], code).toBe('GROUP');
    }
    for (const code of ['GOV', 'MIL', 'COP', 'JUD', 'LEG', 'BUS', 'MED', 'EDU', 'HLH', 'NGO', 'IGO', 'MNC', 'SPY']) {
      expect(CAMEO_TYPE_KINDS[code], code).toBe('ORGANIZATION');
    }
  });
});

describe('labels', () => {
  it('gives the labels of the actor code tables', () => {
    expect(tables.countryLabel('RUS')).toBe('Russia');
    expect(tables.countryLabel('USA')).toBe('United States');
    expect(tables.countryLabel('UKR')).toBe('Ukraine');
    expect(tables.countryLabel('HUN')).toBe('Hungary');
    expect(tables.countryLabel('PSE')).toBe('Occupied Palestinian Territory');
    expect(tables.countryLabel('EUR')).toBe('Europe');
    expect(tables.typeLabel('GOV')).toBe('Government');
    expect(tables.typeLabel('UIS')).toBe('Unidentified State Actor');
    expect(tables.knownGroupLabel('UNO')).toBe('United Nations');
    expect(tables.knownGroupLabel('NAT')).toBe('North Atlantic Treaty Organization (NATO)');
    expect(tables.knownGroupLabel('EEC')).toBe('European Union');
  });

  it('keeps the first label of a code listed twice', () => {
    expect(tables.knownGroupLabel('CEM')).toBe('Common Market for Eastern and Southern Africa');
    expect(tables.knownGroupLabel('WTO')).toBe('World Trade Organization');
  });

  it('knows no other code', () => {
    for (const code of ['', 'XXX', 'usa', 'USAGOV', 'CODE']) {
      expect(tables.countryLabel(code)).toBeUndefined();
      expect(tables.typeLabel(code)).toBeUndefined();
      expect(tables.knownGroupLabel(code)).toBeUndefined();
    }
  });

  it('reads the tables once', () => {
    expect(cameoTables()).toBe(tables);
  });
});

describe('the copied tables', () => {
  const sources = readFileSync(new URL('SOURCES.md', TABLES), 'utf8');
  const rows = sources
    .split('\n')
    .filter((line) => /^\| CAMEO/.test(line))
    .map((line) => line.split('|').map((cell) => cell.trim()));

  it('are the files SOURCES.md lists, byte for byte, with their source and terms', () => {
    expect(rows.map((row) => row[1]).sort()).toEqual(Object.values(CAMEO_TABLE_FILES).sort());
    for (const [, file = '', , , source, terms, bytes, sha256] of rows) {
      const content = tableBytes(file);
      expect(content.length, file).toBe(Number(bytes));
      expect(createHash('sha256').update(content).digest('hex'), file).toBe(sha256);
      if (file.startsWith('CAMEO2PLOVER')) {
        expect(source).toBe('openeventdata/PLOVER, CAMEO2PLOVER-2021.txt');
        expect(terms).toBe('CC BY-SA 4.0: keep this attribution with any copy');
      } else {
        expect(source).toBe('GDELT lookup tables');
        expect(terms).toBe('GDELT');
      }
    }
    expect(sources).toContain('GDELT data is free and open; cite "The GDELT Project"');
  });

  it('hold the lines they held upstream', () => {
    const eventCodes = tableLines(CAMEO_TABLE_FILES.eventCodes);
    expect(eventCodes[0]).toBe('CAMEOEVENTCODE\tEVENTDESCRIPTION');
    expect(eventCodes[74]).toBe('044\tMeet at a \u00d2hird\u00d3location');
    expect(eventCodes[219]).toBe('1384\tThreaten conventional attack  ');
    expect(eventCodes.at(-2)).toBe('2042\tDetonate nuclear weapons');
    expect(eventCodes.at(-1)).toBe('');
    expect(tableLines(CAMEO_TABLE_FILES.countries)[203]).toBe('RUS\tRussia');
    expect(tableLines(CAMEO_TABLE_FILES.types).slice(0, 3)).toEqual([
      'CODE\tLABEL',
      'COP\tPolice forces',
      'GOV\tGovernment',
    ]);
    expect(tableLines(CAMEO_TABLE_FILES.knownGroups)[76]).toBe('KID\tUnited Nations Children?s Fund (UNICEF)');
    const plover = tableLines(CAMEO_TABLE_FILES.plover);
    expect(plover[0]).toBe('# CAMEO to PLOVER conversion table');
    expect(plover).toContain('0311: AGREE,  ,   economic # Express intent to cooperate economically');
    expect(plover).toContain('163: COERCE, restrict,   diplomatic # Impose embargo, boycott, or sanctions');
    expect(plover.slice(-2)).toEqual(['~~~~~', '']);
    for (const file of Object.values(CAMEO_TABLE_FILES)) expect(tableBytes(file).includes('\r'), file).toBe(false);
  });
});

describe('parseCameoTables', () => {
  const minimal = {
    [CAMEO_TABLE_FILES.eventCodes]: 'CAMEOEVENTCODE\tEVENTDESCRIPTION\n04\tCONSULT\n041\tDiscuss\n0411\tDiscuss more\n',
    [CAMEO_TABLE_FILES.countries]: 'CODE\tLABEL\nUSA\tUnited States\n',
    [CAMEO_TABLE_FILES.types]: `CODE\tLABEL\n${Object.keys(CAMEO_TYPE_KINDS)
      .map((code) => `${code}\t${code} label\n`)
      .join('')}`,
    [CAMEO_TABLE_FILES.knownGroups]: 'CODE\tLABEL\nUNO\tUnited Nations\n',
    [CAMEO_TABLE_FILES.plover]: '# comment\n\n04: CONSULT\n041: CONSULT, phone ,  # Discuss\n~~~~~\n',
  };
  const parse = (changes: Partial<Record<string, string>>) =>
    parseCameoTables((file) => ({ ...minimal, ...changes })[file] ?? '');

  it('gives a code absent from PLOVER the type, mode and context of its nearest listed prefix', () => {
    const parsed = parse({});
    expect(parsed.eventMeaning('0411')).toEqual({
      code: '0411',
      description: 'Discuss more',
      kind: 'CONSULT',
      mode: 'phone',
    });
    const rootOnly = parse({ [CAMEO_TABLE_FILES.plover]: '04: CONSULT\n' });
    expect(rootOnly.eventMeaning('0411')).toEqual({ code: '0411', description: 'Discuss more', kind: 'CONSULT' });
  });

  it('fails loudly, naming the file and line', () => {
    const plover = CAMEO_TABLE_FILES.plover;
    expect(() => parse({ [plover]: '04: CONSULT\n041: CONSULT, phone\n' })).toThrow(`${plover}:2:`);
    expect(() => parse({ [plover]: '04: CONSULT\n041 CONSULT, phone, \n' })).toThrow(`${plover}:2:`);
    expect(() => parse({ [plover]: '\n04: CONSULTS\n' })).toThrow(`${plover}:2: PLOVER type "CONSULTS" is not`);
    expect(() => parse({ [plover]: '04: CONSULT\n041: CONSULT, , \n041: CONSULT, visit, \n' })).toThrow(`${plover}:3:`);
    expect(() => parse({ [plover]: '041: CONSULT, , \n' })).toThrow(
      `${CAMEO_TABLE_FILES.eventCodes}:2: code 04 has no`,
    );
    const eventCodes = CAMEO_TABLE_FILES.eventCodes;
    expect(() => parse({ [eventCodes]: 'CAMEOEVENTCODE\tEVENTDESCRIPTION\n04 CONSULT\n' })).toThrow(`${eventCodes}:2:`);
    expect(() => parse({ [eventCodes]: 'CODE\tLABEL\n04\tCONSULT\n' })).toThrow(`${eventCodes}:1:`);
    const types = CAMEO_TABLE_FILES.types;
    expect(() => parse({ [types]: `${minimal[types]}NEW\tA new type\n` })).toThrow(
      `${types}:41: type NEW (A new type) is not decided`,
    );
    expect(() => parse({ [types]: 'CODE\tLABEL\nGOV\tGovernment\n' })).toThrow(`${types}: CAMEO_TYPE_KINDS decides`);
  });
});
