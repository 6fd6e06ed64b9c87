import { spawn } from 'node:child_process';
import path from 'node:path';

/**
 * A reader's terminal for a page's examples: each command runs in its own bash (`set -euo pipefail`, so a failing
 * command fails its example), and the shell variables it sets reach the commands after it, as they would in one
 * terminal (`before=$(date …)` in one block, `$before` in the next).
 */
export interface ShellSession {
  /** stdout and stderr in one stream, in the order a terminal shows them; code null when it ran out of time. */
  run(command: string): Promise<{ code: number | null; output: string }>;
}

const SAVE_VARIABLES = `
set +u
for __name in $(comm -13 <(sort <<<"$__names") <(compgen -v | sort)); do
  [[ $__name =~ ^(_|BASH|PIPESTATUS$|FUNCNAME$) ]] || declare -p "$__name"
done >"$__EXAMPLE_STATE"`;

export const shellSession = ({
  cwd,
  env,
  timeoutMs = 30_000,
}: {
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs?: number;
}): ShellSession => {
  const state = path.join(cwd, '.example-shell-variables');
  return {
    run: (command) =>
      new Promise((resolve, reject) => {
        // The names before the saved ones are read: what is new at the end is what this page's examples set.
        const script = [
          '__names=$(compgen -v)',
          'if [[ -f $__EXAMPLE_STATE ]]; then source "$__EXAMPLE_STATE"; fi',
          'set -euo pipefail',
          'exec 2>&1',
          command,
          SAVE_VARIABLES,
        ].join('\n');
        const child = spawn('bash', ['--noprofile', '--norc', '-c', script], {
          cwd,
          env: { ...env, __EXAMPLE_STATE: state },
          stdio: ['ignore', 'pipe', 'inherit'],
          detached: true,
        });
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
        // A command that hangs (a server it waits for, a prompt) must not hang the suite; its process group goes.
        const timer = setTimeout(() => {
          try {
            process.kill(-child.pid!, 'SIGKILL');
          } catch {
            // already gone
          }
        }, timeoutMs);
        child.once('error', reject);
        child.once('close', (code) => {
          clearTimeout(timer);
          resolve({ code, output });
        });
      }),
  };
};
