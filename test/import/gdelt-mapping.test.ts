import { describe, expect, it } from 'vitest';
import { cameoTables } from '../../src/import/gdelt/cameo-tables.js';
import { gdeltActorId, gdeltCommands } from '../../src/import/gdelt/gdelt-commands.js';
import { parseGdeltRow, type GdeltRow } from '../../src/import/gdelt/parse-gdelt-row.js';
import { matchingTopics, parseTopicRule, TopicRuleError } from '../../src/import/gdelt/topic-rules.js';

const actor = (code: string, name: string, countryCode = '') => ({
  code,
  name,
  countryCode,
  knownGroupCode: '',
  type1Code: '',
});

describe('GDELT actor ids', () => {
  it('come from the CAMEO code and the name, the same for the same actor whatever else the row says', () => {
    expect(gdeltActorId(actor('USAGOV', 'BARACK OBAMA'))).toBe('cameo:usagov:barack-obama');
    expect(gdeltActorId({ ...actor('USAGOV', 'BARACK OBAMA', 'USA'), type1Code: 'GOV' })).toBe(
      'cameo:usagov:barack-obama',
    );
    expect(gdeltActorId(actor('FRA', 'FRANÇOIS HOLLANDE'))).toBe('cameo:fra:francois-hollande');
    expect(gdeltActorId(actor('tib', 'TIBETAN'))).toBe('cameo:tib:tibetan');
    expect(gdeltActorId(actor('GOV', ''))).toBe('cameo:gov');
    expect(gdeltActorId(actor('USA', "  O'HARE / CHICAGO  "))).toBe('cameo:usa:o-hare-chicago');
  });
});

describe('--topic rules', () => {
  it('match any code of a list, or all codes joined by +', () => {
    const rules = ['ukraine=UKR,RUS', 'talks=USA+RUS', 'gaza=ISR+PSE,EGY'].map(parseTopicRule);
    const topics = (...codes: string[]) => matchingTopics(rules, new Set(codes));
    expect(topics('UKR')).toEqual(['ukraine']);
    expect(topics('USA')).toEqual([]);
    expect(topics('USA', 'RUS')).toEqual(['ukraine', 'talks']);
    expect(topics('ISR')).toEqual([]);
    expect(topics('ISR', 'PSE')).toEqual(['gaza']);
    expect(topics('EGY')).toEqual(['gaza']);
    expect(parseTopicRule('x=ukr').alternatives).toEqual([['UKR']]);
  });

  it('refuse what is not <topic id>=<codes>', () => {
    for (const raw of ['ukraine', '=UKR', 'a b=UKR', 'x=UK', 'x=UKR,', 'x=UKR++RUS']) {
      expect(() => parseTopicRule(raw), raw).toThrow(TopicRuleError);
    }
  });
});

describe('a GDELT row as commands', () => {
  const row = (overrides: Partial<GdeltRow> = {}): GdeltRow => ({
    globalEventId: '17',
    day: '2015-02-18T00:00:00.000Z',
    actor1: actor('USAGOV', 'BARACK OBAMA', 'USA'),
    actor2: actor('RUS', 'RUSSIA', 'RUS'),
    isRootEvent: true,
    eventCode: '0214',
    quadClass: 1,
    goldstein: 3.4,
    numMentions: 5,
    numSources: 2,
    numArticles: 4,
    avgTone: -1.5,
    dateAdded: '2015-02-18T23:00:00.000Z',
    sourceUrl: 'https://www.example.com/a?b=1',
    ...overrides,
  });
  const mapped = (overrides: Partial<GdeltRow> = {}) => {
    const result = gdeltCommands(row(overrides), cameoTables(), []);
    if ('reason' in result) throw new Error(result.reason);
    return result.commands;
  };

  it('names a row coding one actor twice once, and a lone Actor2 as the target', () => {
    expect(mapped({ actor2: actor('USAGOV', 'BARACK OBAMA', 'USA') }).development.participants).toEqual([
      { actorId: 'cameo:usagov:barack-obama', role: 'SOURCE' },
    ]);
    const { actor1: _, ...withoutActor1 } = row();
    const lone = gdeltCommands(withoutActor1, cameoTables(), []);
    expect('commands' in lone && lone.commands.development.participants).toEqual([
      { actorId: 'cameo:rus:russia', role: 'TARGET' },
    ]);
  });

  it('keeps the URL with its host as publisher, or a citation as the publisher, or cites GDELT', () => {
    expect(mapped().development.sources).toEqual([{ publisher: 'example.com', url: 'https://www.example.com/a?b=1' }]);
    expect(mapped({ sourceUrl: 'Interfax/BBC Monitoring' }).development.sources).toEqual([
      { publisher: 'Interfax/BBC Monitoring' },
    ]);
    expect(mapped({ sourceUrl: '' }).development.sources).toEqual([{ publisher: 'The GDELT Project' }]);
  });

  it('refuses a code CAMEO does not have, and a parsed line keeps its fields', () => {
    expect(gdeltCommands(row({ eventCode: '1213' }), cameoTables(), [])).toEqual({
      reason: 'EventCode 1213 is not a CAMEO event code',
    });
    expect(parseGdeltRow('1\t2\t3')).toEqual({ reason: 'expected 61 tab-separated columns, found 3' });
  });
});
