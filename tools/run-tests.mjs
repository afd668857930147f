// `npm test`: every test that needs nothing beyond npm. First each project's
// unit and integration specs (Jest, through Nx), then the end-to-end suite over
// the five built services as real processes. Ends with one closing line,
// `test: N passed, N failed`, counting every test that ran.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const resultsDir = join('reports', 'test-results');
rmSync(resultsDir, { recursive: true, force: true });
mkdirSync(resultsDir, { recursive: true });

const steps = [
  ['unit and integration', 'nx run-many -t test --skip-nx-cache --output-style=stream'],
  ['end-to-end', 'nx run e2e:e2e --output-style=stream'],
];
const failedSteps = [];
for (const [name, command] of steps) {
  console.log(`\n== ${name}: ${command}`);
  const { status } = spawnSync(command, { shell: true, stdio: 'inherit' });
  if (status !== 0) failedSteps.push(name);
}

let passed = 0;
let failed = 0;
for (const file of readdirSync(resultsDir).filter((name) => name.endsWith('.json'))) {
  const result = JSON.parse(readFileSync(join(resultsDir, file), 'utf8'));
  passed += result.passed;
  failed += result.failed;
}
// node:test suites (e2e, load-tests) write TAP.
for (const file of readdirSync(resultsDir).filter((name) => name.endsWith('.tap'))) {
  const text = readFileSync(join(resultsDir, file), 'utf8');
  passed += Number(/^# pass (\d+)/m.exec(text)?.[1] ?? 0);
  failed += Number(/^# fail (\d+)/m.exec(text)?.[1] ?? 0);
}
// A step that failed before its tests could report (a build error) still counts.
if (failedSteps.length > 0 && failed === 0) failed = failedSteps.length;
if (failedSteps.length > 0) console.log(`\nfailed steps: ${failedSteps.join(', ')}`);
console.log(`test: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 || failedSteps.length > 0 ? 1 : 0);
