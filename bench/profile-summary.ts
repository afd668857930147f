// Where the CPU time went: reads the .cpuprofile files that `node --cpu-prof`
// wrote (BENCH_CPU_PROF=<dir> npm run bench makes the services write them) and
// prints the functions and the packages with the most self time.
//
//   npm run bench:profile -- <file-or-dir>... [--top 25] [--skip 8]
//
// --skip leaves out the first seconds of each profile: a profile covers the
// whole life of the process, and start-up (module loading) is not the hot path.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

function profileFiles(paths: string[]): string[] {
  return paths.flatMap((path) =>
    statSync(path).isDirectory()
      ? readdirSync(path, { recursive: true, encoding: 'utf8' })
          .filter((name) => name.endsWith('.cpuprofile'))
          .map((name) => join(path, name))
      : [path],
  );
}

/** `node_modules/@scope/name/…` → `@scope/name`; the bundle and Node's own code by what they are. */
function owner(url: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (match) return match[1];
  if (url.includes('/dist/apps/')) return '(service bundle)';
  if (url.startsWith('node:')) return '(node core)';
  return url ? url : '(vm: gc, idle, program)';
}

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const index = args.indexOf(name);
  return index >= 0 ? Number(args.splice(index, 2)[1]) : fallback;
};
const top = option('--top', 25);
const skipMicros = option('--skip', 0) * 1e6;
const files = profileFiles(args);
if (files.length === 0) {
  process.stderr.write(
    'usage: npm run bench:profile -- <file-or-dir>... [--top 25] [--skip seconds]\n',
  );
  process.exit(2);
}

const byFunction = new Map<string, number>();
const byOwner = new Map<string, number>();
const byCaller = new Map<string, number>();
let total = 0;
for (const file of files) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parents.set(child, node.id);
  // Node's own code (a socket write, a timer) is charged to the package that called it.
  const caller = (id: number): string => {
    for (let at: number | undefined = id; at !== undefined; at = parents.get(at)) {
      const { url } = nodes.get(at)!.callFrame;
      if (url && !url.startsWith('node:')) return owner(url);
    }
    return owner(nodes.get(id)!.callFrame.url);
  };
  let elapsed = 0;
  profile.samples.forEach((id, index) => {
    const micros = profile.timeDeltas[index] ?? 0;
    elapsed += micros;
    if (elapsed < skipMicros) return;
    const { functionName, url, lineNumber } = nodes.get(id)!.callFrame;
    if (functionName === '(idle)') return;
    total += micros;
    const where = url
      ? `${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/dist\//, 'dist/')}:${lineNumber + 1}`
      : '';
    const key = `${functionName || '(anonymous)'} ${where}`.trim();
    byFunction.set(key, (byFunction.get(key) ?? 0) + micros);
    byOwner.set(owner(url), (byOwner.get(owner(url)) ?? 0) + micros);
    byCaller.set(caller(id), (byCaller.get(caller(id)) ?? 0) + micros);
  });
}

const print = (title: string, entries: Map<string, number>) => {
  process.stdout.write(`\n${title}\n`);
  for (const [name, micros] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(
      `${((micros / total) * 100).toFixed(1).padStart(5)}%  ${(micros / 1000).toFixed(0).padStart(7)} ms  ${name}\n`,
    );
  }
};
process.stdout.write(
  `${files.length} profile(s), ${(total / 1000).toFixed(0)} ms of non-idle samples\n`,
);
print('self time by package', byOwner);
print('self time by package, Node core charged to its caller', byCaller);
print('self time by function', byFunction);
