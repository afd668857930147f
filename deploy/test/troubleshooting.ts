// The live checks of docs/troubleshooting.md: runs every command of its `sh live` code blocks
// against the local stack and the five services (started by deploy/test/live-stack.ts, which
// calls this), so the guide's commands keep working. A command passes when it exits 0 and its
// output contains the text of its `# expect: <text>` comment, if any; telemetry arrives in
// batches, so each is retried for up to a minute.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repo = join(import.meta.dirname, '..', '..');
export const GUIDE = join(repo, 'docs', 'troubleshooting.md');

export interface LiveCommand {
  section: string;
  command: string;
  expect?: string;
}

/** Every command of the guide's `sh live` blocks, with its section heading. */
export function liveCommands(markdown: string): LiveCommand[] {
  const commands: LiveCommand[] = [];
  let section = '';
  let inLive = false;
  for (const line of markdown.split('\n')) {
    const trimmed = line.trim();
    if (!inLive && trimmed.startsWith('## ')) section = trimmed.slice(3);
    if (trimmed.startsWith('```')) {
      inLive = !inLive && trimmed === '```sh live';
      continue;
    }
    if (!inLive || trimmed === '') continue;
    const [command, expect] = trimmed.split(/\s+# expect: /);
    commands.push({ section, command, expect });
  }
  return commands;
}

type Check = (name: string, body: () => Promise<string | void>) => Promise<void>;
type Eventually = <T>(probe: () => Promise<T>, seconds?: number) => Promise<T>;

export async function checkTroubleshooting(
  check: Check,
  eventually: Eventually,
  guide = GUIDE,
): Promise<void> {
  const commands = liveCommands(readFileSync(guide, 'utf8'));
  await check(`docs/troubleshooting.md has live commands for every section`, async () => {
    const sections = new Set(commands.map((c) => c.section));
    for (const want of ['No traces', 'No metrics', 'No logs', 'No alert', 'No notification'])
      if (!sections.has(want)) throw new Error(`no \`sh live\` command under "## ${want}"`);
    return `${commands.length} commands`;
  });
  for (const { section, command, expect } of commands) {
    await check(`troubleshooting (${section}): ${command}`, () =>
      eventually(async () => {
        const { stdout } = await run('bash', ['-o', 'pipefail', '-c', command], {
          cwd: repo,
          env: { ...process.env, PATH: `${join(repo, '.tools', 'bin')}:${process.env.PATH}` },
          timeout: 20_000,
        });
        if (expect && !stdout.includes(expect))
          throw new Error(`output lacks "${expect}":\n${stdout.slice(0, 600)}`);
      }, 60),
    );
  }
}
