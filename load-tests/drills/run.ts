// Alert-simulation drills: `npm run drill -- <drill>|all|list|check`.
//
//   npm run drill -- high-error-rate   one drill end to end
//   npm run drill -- all               every drill in turn, then a summary table
//   npm run drill -- a,b,c             those drills as a suite (as `all` does, on a fresh stack each)
//   npm run drill -- list              the drills and what each expects
//   npm run drill -- check             preconditions only (stack, services, alerts)
//
// Needs the local stack in its drill profile (STACK_PROFILE=drill npm run stack:local -- start)
// and either no services running (the runner launches them with fault injection on) or
// DRILL_SERVICES=running. Writes reports/drills/<drill>-<stamp>/ and reports/drills/latest.json;
// exits 1 if any drill failed. Variables: see load-tests/README.md.
import { DRILLS, findDrill } from './catalogue.ts';
import { readConfig } from './config.ts';
import type { DrillConfig } from './config.ts';
import { describe } from './alerts.ts';
import { runDrill } from './drill.ts';
import type { DrillRecord } from './drill.ts';
import { summaryTable, writeDrillReport, writeLatest } from './report.ts';
import { acquireServices } from './services.ts';
import type { Services } from './services.ts';
import { isUp } from './http.ts';
import { restartStackEmpty, wantsFreshStack } from './fresh-stack.ts';
import { checkIncidentPanels, panelsEmptyInEveryDrill } from './panels.ts';

const USAGE = `usage: npm run drill -- <${DRILLS.map((d) => d.name).join('|')}|all|a,b,…|list|check>`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || rest.length > 0) {
    console.error(USAGE);
    return 2;
  }
  let config: DrillConfig;
  try {
    config = readConfig();
  } catch (error) {
    console.error(`drill: ${(error as Error).message}`);
    return 2;
  }

  if (command === 'list') {
    for (const d of DRILLS) {
      console.log(
        `${d.name.padEnd(22)} ${describe(d.expected).padEnd(72)} detect <= ${d.detectBudgetSeconds}s  ${d.description}`,
      );
    }
    return 0;
  }
  if (command === 'check') {
    let ok = true;
    for (const [name, url] of [
      ['Prometheus', `${config.prometheusUrl}/-/ready`],
      ['Alertmanager', `${config.alertmanagerUrl}/-/ready`],
      ['webhook sink', `${config.webhookSinkUrl}/health`],
      ['gateway', `${config.gatewayUrl}/health/ready`],
    ]) {
      const up = await isUp(url);
      ok &&= up;
      console.log(`${up ? 'ok  ' : 'DOWN'} ${name} ${url}`);
    }
    return ok ? 0 : 1;
  }

  const names = command === 'all' ? DRILLS.map((d) => d.name) : command.split(',');
  const unknown = names.filter((name) => !findDrill(name));
  if (unknown.length > 0) {
    console.error(`unknown drill "${unknown.join('", "')}"\n${USAGE}`);
    return 2;
  }
  const drills = names.map((name) => findDrill(name)!);
  // A suite (all, or a list) judges the incident panels over all its drills.
  const suite = drills.length > 1;

  const runStamp = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  let services: Services;
  try {
    services = await acquireServices(config, `${config.reportsDir}/run-${runStamp}`);
  } catch (error) {
    console.error(`drill: cannot get the services: ${(error as Error).message}`);
    return 1;
  }

  const results: DrillRecord[] = [];
  let wasInterrupted = false;
  const interrupted = new Promise<'interrupted'>((resolve) =>
    process.once('SIGINT', () => resolve('interrupted')),
  );
  try {
    for (const drill of drills) {
      console.log(`drill ${drill.name}: expects ${describe(drill.expected)}`);
      if (wantsFreshStack(config, suite))
        restartStackEmpty(config, (line) => console.log(`  ${line}`));
      const outcome = await Promise.race([
        runDrill(drill, { config, services, runStamp }),
        interrupted,
      ]);
      if (outcome === 'interrupted') {
        wasInterrupted = true;
        console.error('drill: interrupted; faults expire by their TTL');
        break;
      }
      // Before the next drill empties the stack: which incident panels this incident filled.
      outcome.incidentPanels = await checkIncidentPanels(config, outcome);
      const dir = writeDrillReport(config, outcome, runStamp);
      console.log(
        `drill ${drill.name}: ${outcome.passed ? 'PASSED' : `FAILED (${outcome.failures.join('; ')})`}; report ${dir}/report.md`,
      );
      results.push(outcome);
    }
  } finally {
    await services.stopAll();
  }

  const latest = writeLatest(config, results);
  console.log(`\n${summaryTable(results)}\n\nwrote ${latest}`);
  // Each drill counts as one test, a drill that never ran (interrupted) as failed.
  let passed = results.filter((r) => r.passed).length;
  let failed = drills.length - passed;
  if (suite) {
    if (panelsCovered(config, results)) passed++;
    else failed++;
  }
  console.log(`drills: ${passed} passed, ${failed} failed`);
  // The interrupted drill is still waiting in the background and would restart the service it
  // stopped; with the services stopped and the reports written, there is nothing left to wait for.
  if (wasInterrupted) process.exit(130);
  return failed === 0 ? 0 : 1;
}

/** Incident panels are empty on a healthy system: each must show data in at least one drill. */
function panelsCovered(config: DrillConfig, results: DrillRecord[]): boolean {
  const empty = panelsEmptyInEveryDrill(config, results);
  if (empty === undefined) {
    console.log('dashboards: the incident panels could not be checked (see the drill reports)');
    return false;
  }
  if (empty.length > 0) {
    console.log(
      `dashboards: ${empty.length} incident panels empty in every drill:\n${empty.map((p) => `  - ${p}`).join('\n')}`,
    );
    return false;
  }
  console.log('dashboards: every incident panel showed data in at least one drill');
  return true;
}

process.exitCode = await main(process.argv.slice(2));
