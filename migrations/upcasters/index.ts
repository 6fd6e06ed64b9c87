import { eventDefinition } from '../../events/index.js';

/**
 * Upcasters turn the data of an event written under an older schema version into the next version, so that the
 * log is never rewritten and the domain only ever sees the current shape. Each step goes one version up; reading
 * chains them to the catalog's version.
 */
export interface UpcastStep {
  readonly type: string;
  /** The step turns data at this version into data at fromVersion + 1. */
  readonly fromVersion: number;
  up(data: unknown): unknown;
}

export interface Upcasted {
  readonly version: number;
  readonly data: unknown;
}

export type Upcast = (type: string, fromVersion: number, data: unknown) => Upcasted;

export interface UpcasterOptions {
  /** The version to bring events up to; the catalog's by default, undefined for a type to leave as it is. */
  readonly currentVersion?: (type: string) => number | undefined;
}

const stepKey = (type: string, fromVersion: number): string => `${type}@${fromVersion}`;

/**
 * Chains the steps as far as they go. Stopping short of the current version is not an error here: the caller
 * compares the version it gets with the one it needs and says which event it could not read.
 */
export const createUpcaster = (
  steps: readonly UpcastStep[],
  { currentVersion = (type) => eventDefinition(type)?.version }: UpcasterOptions = {},
): Upcast => {
  const byKey = new Map<string, UpcastStep>();
  for (const step of steps) {
    const key = stepKey(step.type, step.fromVersion);
    if (byKey.has(key)) throw new Error(`two upcasters for ${step.type} from version ${step.fromVersion}`);
    byKey.set(key, step);
  }
  return (type, fromVersion, data) => {
    const target = currentVersion(type) ?? fromVersion;
    let version = fromVersion;
    let upcasted = data;
    while (version < target) {
      const step = byKey.get(stepKey(type, version));
      if (step === undefined) break;
      upcasted = step.up(upcasted);
      version++;
    }
    return { version, data: upcasted };
  };
};

/** Every catalog event is at its first version: nothing to upcast yet. New steps go here, oldest first. */
export const UPCAST_STEPS: readonly UpcastStep[] = [];

export const upcast: Upcast = createUpcaster(UPCAST_STEPS);
