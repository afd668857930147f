// Every alert's `runbook_url` is `<base>/<alertname>.md`, with one base URL for all of them, kept in
// deploy/prometheus/runbooks.json. Prometheus reads rule files as they are (no environment
// expansion), so the absolute links are written into the rule files and the promtool tests that
// quote them, the way monitoring mixins render `runbookURLPattern`; this script keeps them in step.
//
//   node deploy/prometheus/link-runbooks.mjs           rewrite every runbook_url from runbooks.json
//   node deploy/prometheus/link-runbooks.mjs --check   fail, naming the line, if one differs
//                                                     (npm run test:stack)
//   RUNBOOK_BASE_URL=https://wiki.example.com/runbooks node deploy/prometheus/link-runbooks.mjs
//                                                     one-off base, without editing runbooks.json
//
// After a rewrite, regenerate the Kubernetes PrometheusRules (npm run rules:generate does both).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const FILES_WITH_LINKS = [
  join(here, 'rules'),
  join(here, 'tests'),
  join(root, 'deploy', 'k8s', 'rules'),
  join(root, 'deploy', 'k8s', 'tests'),
];
// `runbook_url: <anything>/<Name>.md`, quoted or not; group 1 keeps the indentation and key.
const RUNBOOK_LINE = /^(\s*runbook_url:\s*)(['"]?)(\S*?)([A-Za-z0-9]+)\.md\2\s*$/;

/** The base URL, validated once: absolute http(s), no trailing slash. */
export function runbookBaseUrl() {
  const configured =
    process.env.RUNBOOK_BASE_URL ||
    JSON.parse(readFileSync(join(here, 'runbooks.json'), 'utf8')).baseUrl;
  let url;
  try {
    url = new URL(configured);
  } catch {
    throw new Error(`runbook base URL ${JSON.stringify(configured)} is not an absolute URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new Error(`runbook base URL ${configured} must be http(s)`);
  return configured.replace(/\/+$/, '');
}

function yamlFiles() {
  return FILES_WITH_LINKS.flatMap((dir) =>
    readdirSync(dir)
      .filter((file) => /\.ya?ml$/.test(file))
      .map((file) => join(dir, file)),
  );
}

/** The file with every runbook_url rewritten onto `base`, and the lines that changed. */
function relink(text, base) {
  const changed = [];
  const lines = text.split('\n').map((line, index) => {
    const match = RUNBOOK_LINE.exec(line);
    if (!match) return line;
    const [, key, , , name] = match;
    const linked = `${key}${base}/${name}.md`;
    if (linked !== line) changed.push({ line: index + 1, from: line.trim(), to: linked.trim() });
    return linked;
  });
  return { text: lines.join('\n'), changed };
}

function main(args) {
  const base = runbookBaseUrl();
  const check = args.includes('--check');
  let stale = 0;
  for (const file of yamlFiles()) {
    const original = readFileSync(file, 'utf8');
    const { text, changed } = relink(original, base);
    if (changed.length === 0) continue;
    if (check) {
      for (const { line, from } of changed)
        console.error(`${relative(root, file)}:${line}: ${from} is not under ${base}`);
      stale += changed.length;
    } else {
      writeFileSync(file, text);
      console.log(`${relative(root, file)}: ${changed.length} runbook links now under ${base}`);
    }
  }
  if (stale > 0) {
    console.error(`${stale} runbook links are stale; run npm run rules:generate`);
    return 1;
  }
  return 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url))
  process.exitCode = main(process.argv.slice(2));
