import type { Role } from '../../config/environment.js';
import { parseCommandArgs } from '../args.js';
import { EXIT_OK } from '../errors.js';
import { writeFully, type CliIo } from '../io.js';
import { PROJECT_USAGE, SERVE_USAGE } from '../usage.js';

const OPTIONS = { help: { type: 'boolean', short: 'h' } } as const;

/**
 * `timeline serve` and `timeline project`: the server in one role, configured by the environment like `npm start`.
 * They return only when the process is told to stop (which exits it).
 */
const runRole =
  (role: Exclude<Role, 'all'>, usage: string) =>
  async (args: readonly string[], io: CliIo): Promise<number> => {
    const { values } = parseCommandArgs(role, args, OPTIONS);
    if (values.help) {
      await writeFully(io.stdout, `${usage}\n`);
      return EXIT_OK;
    }
    // Loaded here: the other commands need neither GraphQL nor Redis.
    const { runTimeline } = await import('../../run-timeline.js');
    await runTimeline({ ...io.env, TIMELINE_ROLE: role });
    await new Promise<never>(() => undefined);
    return EXIT_OK;
  };

export const serve = runRole('serve', SERVE_USAGE);
export const project = runRole('project', PROJECT_USAGE);
