import { EntityId } from '../../../events/fields.js';

/**
 * `--topic <id>=<rule>`: which imported developments a topic gets, by the country codes of their actors. A rule is
 * alternatives separated by commas, each one or more CAMEO country codes joined by "+": a development matches when
 * its actors' countries hold every code of some alternative. `ukraine-war=UKR,RUS` takes any development with a
 * Ukrainian or a Russian actor; `talks=RUS+USA` only those between a Russian and an American actor.
 */
export interface TopicRule {
  readonly topicId: string;
  readonly alternatives: readonly (readonly string[])[];
}

export class TopicRuleError extends Error {}

export const parseTopicRule = (raw: string): TopicRule => {
  const equals = raw.indexOf('=');
  if (equals <= 0) throw new TopicRuleError(`--topic ${JSON.stringify(raw)}: expected <topic id>=<country codes>`);
  const topicId = raw.slice(0, equals).trim();
  if (!EntityId.safeParse(topicId).success) {
    throw new TopicRuleError(`--topic ${JSON.stringify(raw)}: ${JSON.stringify(topicId)} is not a topic id`);
  }
  const alternatives = raw
    .slice(equals + 1)
    .split(',')
    .map((alternative) => alternative.split('+').map((code) => code.trim().toUpperCase()));
  for (const code of alternatives.flat()) {
    if (!/^[A-Z]{3}$/.test(code)) {
      throw new TopicRuleError(
        `--topic ${JSON.stringify(raw)}: ${JSON.stringify(code)} is not a 3-letter country code (e.g. UKR, UKR+RUS)`,
      );
    }
  }
  return { topicId, alternatives };
};

/** The topics whose rule the countries match, in the order the rules were given. */
export const matchingTopics = (rules: readonly TopicRule[], countries: ReadonlySet<string>): string[] =>
  rules
    .filter((rule) => rule.alternatives.some((codes) => codes.every((code) => countries.has(code))))
    .map((rule) => rule.topicId);
