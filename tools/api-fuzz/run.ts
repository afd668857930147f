// `npm run test:api`: Schemathesis against the OpenAPI document of every service and of the
// gateway, over the five built services started here (embedded storage, a throwaway DATA_DIR).
// Each operation of each document is one test; the last line is `api: N passed, N failed`.
// Erasable TypeScript: Node runs it as is. Schemathesis comes from tools/api-fuzz/install.sh.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EDGE_SERVICE } from '../../libs/api-contracts/src/topology.ts';
import {
  repoRoot,
  SERVICES,
  type ServiceName,
  shiftedPorts,
  startServices,
} from '../services/launcher.ts';

const root = repoRoot();
const schemathesis = join(root, '.tools/schemathesis/bin/schemathesis');
const reportDir = join(root, 'reports/api-fuzz');
/** The same seed every run: a failure reproduces with the command printed beside it. */
const SEED = process.env.API_FUZZ_SEED ?? '20261129';
/** Test cases per operation and phase; about 2 minutes for all five documents here. */
const MAX_EXAMPLES = process.env.API_FUZZ_MAX_EXAMPLES ?? '150';
/** The time budget of one document; past it the document counts as failed. */
const BUDGET_MS = 120_000;
const CHECKS = [
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'response_schema_conformance',
];
// 28080…: ports of their own, so a running `npm start` is left alone.
const PORTS = shiftedPorts(20_000);

if (!existsSync(schemathesis)) {
  console.error('Schemathesis is missing: run `bash tools/api-fuzz/install.sh` first');
  process.exit(1);
}
rmSync(reportDir, { recursive: true, force: true });
mkdirSync(reportDir, { recursive: true });
const dataDir = mkdtempSync(join(tmpdir(), 'api-fuzz-'));
const services = await startServices({
  dataDir,
  logDir: join(reportDir, 'services'),
  ports: PORTS,
  env: { JWT_SECRET: 'api-fuzz-secret-0123456789abcdef', LOG_LEVEL: 'warn' },
});

let passed = 0;
let failed = 0;
try {
  const user = await signUp(services.urls['api-gateway']);
  // The gateway takes the bearer token; a service the caller id the gateway would forward.
  const callerHeader = `x-user-id: ${user.id}`;
  const targets = SERVICES.map((name): [ServiceName, string] => [
    name,
    name === EDGE_SERVICE ? `Authorization: Bearer ${user.token}` : callerHeader,
  ]);
  for (const [name, header] of targets) {
    const results = await fuzz(name, services.urls[name], header);
    for (const result of results) {
      if (result.failure === undefined) passed++;
      else failed++;
      const mark = result.failure === undefined ? 'ok  ' : 'FAIL';
      console.log(
        `${mark} ${name} ${result.operation}${result.failure ? `\n${result.failure}` : ''}`,
      );
    }
  }
} catch (error) {
  console.error(error);
  failed++;
} finally {
  await services.stopAll();
  rmSync(dataDir, { recursive: true, force: true });
}
console.log(`api: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);

interface OperationResult {
  operation: string;
  /** What Schemathesis reported, when a check failed. */
  failure?: string;
}

/** Runs Schemathesis against one service's document; one result per operation. */
async function fuzz(name: ServiceName, url: string, header: string): Promise<OperationResult[]> {
  const junit = join(reportDir, `${name}.xml`);
  const log = join(reportDir, `${name}.log`);
  const args = [
    'run',
    `${url}/docs-json`,
    `--checks=${CHECKS.join(',')}`,
    `--seed=${SEED}`,
    `--max-examples=${MAX_EXAMPLES}`,
    '--request-timeout=10',
    // No examples saved from earlier runs: the seed alone decides what is sent.
    '--generation-database=none',
    `--header=${header}`,
    '--report=junit',
    `--report-junit-path=${junit}`,
  ];
  console.log(`== ${name}: schemathesis ${args.join(' ').replace(/Bearer \S+/, 'Bearer …')}`);
  const exit = await run(schemathesis, args, log, BUDGET_MS);
  if (exit === 'timeout' || !existsSync(junit)) {
    const why = exit === 'timeout' ? `exceeded its ${BUDGET_MS / 1000} s budget` : `exit ${exit}`;
    return [{ operation: '(whole document)', failure: `  ${why}; see ${log}` }];
  }
  const results = readJunit(readFileSync(junit, 'utf8'), log);
  // A document that could not be loaded, or a run that failed in a way the report does not
  // name, tested nothing: that is a failure, never a pass.
  if (results.length === 0) {
    return [{ operation: '(whole document)', failure: `  no operation was tested; see ${log}` }];
  }
  if (exit !== 0 && results.every((result) => result.failure === undefined)) {
    results.push({ operation: '(whole document)', failure: `  exit ${exit}; see ${log}` });
  }
  return results;
}

/** Schemathesis' JUnit report: one testcase per operation, a <failure> per failed check. */
function readJunit(xml: string, log: string): OperationResult[] {
  const cases = xml.matchAll(/<testcase name="([^"]*)"[^>]*?(?:\/>|>([\s\S]*?)<\/testcase>)/g);
  return [...cases].map(([, operation, inner]) => {
    // A <failure> or <error> (Schemathesis writes "Server Unavailable" as an <error> with the
    // text inside and no message attribute) fails the operation.
    const problems = [
      ...(inner ?? '').matchAll(
        /<(failure|error)\b([^>]*)>([\s\S]*?)<\/\1>|<(failure|error)\b([^>]*)\/>/g,
      ),
    ].map(([, kind, attributes, text, selfClosingKind, selfClosingAttributes]) => {
      const message = /message="([^"]*)"/.exec(attributes ?? selfClosingAttributes ?? '')?.[1];
      const summary = (message ?? text ?? '').trim().split('\n')[0];
      return `  ${kind ?? selfClosingKind}: ${unescapeXml(summary)}`;
    });
    return {
      operation: unescapeXml(operation),
      failure: problems.length > 0 ? `${problems.join('\n')}\n  details: ${log}` : undefined,
    };
  });
}

function unescapeXml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/** Runs a command with its output in `log`; its exit code, or 'timeout' once killed at the budget. */
function run(
  command: string,
  args: string[],
  log: string,
  budgetMs: number,
): Promise<number | 'timeout'> {
  return new Promise((resolveExit, reject) => {
    // In the report folder, where Schemathesis may keep its cache.
    const child = spawn(command, args, { cwd: reportDir, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, budgetMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      writeFileSync(log, Buffer.concat(chunks));
      resolveExit(timedOut ? 'timeout' : (code ?? 1));
    });
  });
}

/** Registers and logs in one user through the gateway: its id and bearer token. */
async function signUp(gateway: string): Promise<{ id: string; token: string }> {
  const account = { email: 'fuzz@example.com', password: 'correct horse battery', name: 'Fuzz' };
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${gateway}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${path} answered ${response.status}`);
    return (await response.json()) as Record<string, string>;
  };
  const { id } = await post('/api/auth/register', account);
  const { accessToken } = await post('/api/auth/login', {
    email: account.email,
    password: account.password,
  });
  return { id, token: accessToken };
}
