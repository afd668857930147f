// Does every dashboard panel show data? A thin command over checkPanels (dashboard-panels.ts):
// lists each panel whose Prometheus queries all come back empty; exit code 1 when any is.
//
//   npx node load-tests/checks/dashboards-populated.ts                 after `npm run load -- load`
//   npx node load-tests/checks/dashboards-populated.ts --after drill   after a drill that is still
//                                                                      in the window
//
// After load, incident panels (errors, 5xx, failures, alerts: they are empty on a healthy system)
// are skipped; with --after drill only they are checked. `npm run drill -- all` checks them itself
// after each drill, so every incident panel must show data in at least one drill.
//
// Options: --after load|drill (load), --range <duration> (30m: how far back to look),
// --var name=value (pin a template variable, e.g. --var testid=load-20260101T000000Z),
// --dir <dashboards dir>. Env: PROMETHEUS_URL (http://127.0.0.1:9090), JAEGER_URL
// (http://127.0.0.1:16686, for the trace-search panels).
import { parseArgs } from 'node:util';
import { DASHBOARDS_DIR, checkPanels, durationSeconds, panelName } from './dashboard-panels.ts';

const { values: args } = parseArgs({
  options: {
    after: { type: 'string', default: 'load' },
    range: { type: 'string', default: '30m' },
    var: { type: 'string', multiple: true, default: [] },
    dir: { type: 'string', default: DASHBOARDS_DIR },
  },
});

async function main(): Promise<number> {
  if (args.after !== 'load' && args.after !== 'drill')
    throw new Error('--after must be load or drill');
  const result = await checkPanels({
    after: args.after,
    rangeSeconds: durationSeconds(args.range),
    pinned: new Map(args.var.map((v) => v.split('=', 2) as [string, string])),
    dir: args.dir,
  });
  const what = args.after === 'drill' ? 'incident panels' : 'panels (incident panels skipped)';
  console.log(
    `checked ${result.checked.length} ${what} in ${result.dashboards} dashboards over the last ${args.range}; ${result.skipped} left for the other mode`,
  );
  if (result.empty.length > 0) {
    const lines = result.empty.map(
      (p) => `  - ${panelName(p.dashboard, p.title)}\n      ${p.problems.join('\n      ')}`,
    );
    console.log(`\n${result.empty.length} empty:\n${lines.join('\n')}`);
    return 1;
  }
  if (result.checked.length === 0) {
    console.log(
      'no panel was checked: is the dashboards folder right, and do the dashboards query Prometheus?',
    );
    return 1;
  }
  console.log('every checked panel has data');
  return 0;
}

process.exitCode = await main().catch((error: Error) => {
  console.error(`dashboards-populated: ${error.message}`);
  return 1;
});
