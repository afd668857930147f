// Drill reports: one folder per drill run with report.json and report.md, plus
// reports/drills/latest.json summarising the last invocation.
import fs from 'node:fs';
import path from 'node:path';
import { DASHBOARDS_DIR } from '../checks/dashboard-panels.ts';
import type { DrillConfig } from './config.ts';
import type { DrillRecord, DrillResult } from './drill.ts';

export interface DashboardLink {
  title: string;
  url: string;
}

/** Grafana links for every provisioned dashboard, over the drill window plus 5 minutes each side. */
export function dashboardLinks(config: DrillConfig, record: DrillRecord): DashboardLink[] {
  const from = Date.parse(record.startedAt) - 5 * 60_000;
  const to = Date.parse(record.finishedAt || new Date().toISOString()) + 5 * 60_000;
  const files = fs.existsSync(DASHBOARDS_DIR)
    ? fs.readdirSync(DASHBOARDS_DIR).filter((f) => f.endsWith('.json'))
    : [];
  const links = files.flatMap((file) => {
    try {
      const dashboard = JSON.parse(fs.readFileSync(path.join(DASHBOARDS_DIR, file), 'utf8')) as {
        uid?: string;
        title?: string;
      };
      if (!dashboard.uid) return [];
      const vars = new URLSearchParams({
        from: String(from),
        to: String(to),
        'var-service': record.service,
        'var-testid': record.testid,
      });
      return [
        { title: dashboard.title ?? file, url: `${config.grafanaUrl}/d/${dashboard.uid}?${vars}` },
      ];
    } catch {
      return [];
    }
  });
  const explore = new URLSearchParams({
    orgId: '1',
    left: JSON.stringify({ range: { from: String(from), to: String(to) } }),
  });
  return [...links, { title: 'Explore', url: `${config.grafanaUrl}/explore?${explore}` }];
}

export function writeDrillReport(
  config: DrillConfig,
  record: DrillRecord,
  runStamp: string,
): string {
  const dir = path.resolve(config.reportsDir, `${record.drill}-${runStamp}`);
  fs.mkdirSync(dir, { recursive: true });
  const dashboards = dashboardLinks(config, record);
  fs.writeFileSync(
    path.join(dir, 'report.json'),
    `${JSON.stringify({ ...record, dashboards }, null, 2)}\n`,
  );
  fs.writeFileSync(path.join(dir, 'report.md'), markdown(record, dashboards));
  return dir;
}

export function writeLatest(config: DrillConfig, results: DrillResult[]): string {
  fs.mkdirSync(config.reportsDir, { recursive: true });
  const file = path.resolve(config.reportsDir, 'latest.json');
  const summary = results.map(
    ({
      drill,
      alert,
      service,
      severity,
      detectedSeconds,
      resolvedSeconds,
      unexpectedAlerts,
      passed,
    }) => ({
      drill,
      alert,
      service,
      severity,
      detectedSeconds,
      resolvedSeconds,
      unexpectedAlerts,
      passed,
    }),
  );
  fs.writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
  return file;
}

const fmt = (s: number | null): string => (s === null ? '—' : `${s}s`);

function markdown(r: DrillRecord, dashboards: DashboardLink[]): string {
  const lines = [
    `# Drill ${r.drill}: ${r.passed ? 'PASSED' : 'FAILED'}`,
    '',
    r.description,
    '',
    '| expected alert | service | severity | detected | budget | resolved | budget |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    `| ${r.alert} | ${r.service} | ${r.severity} | ${fmt(r.detectedSeconds)} | ${r.detectBudgetSeconds}s | ${fmt(r.resolvedSeconds)} | ${r.resolveBudgetSeconds}s |`,
    '',
    `Window: ${r.startedAt} → ${r.finishedAt}. k6 testid: \`${r.testid}\`.`,
    '',
  ];
  if (r.failures.length > 0) lines.push('## Failures', '', ...r.failures.map((f) => `- ${f}`), '');
  if (r.unexpectedNotPaged.length > 0)
    lines.push(
      '## Findings (unexpected, reached chat but did not page)',
      '',
      ...r.unexpectedNotPaged.map((a) => `- \`${a}\``),
      '',
    );
  lines.push(
    '## Timeline',
    '',
    '| time (UTC) | event |',
    '| --- | --- |',
    ...r.timeline.map((t) => `| ${t.at} | ${t.event.replace(/\|/g, '\\|')} |`),
    '',
  );
  lines.push('## Alerts seen at the webhook sink', '');
  if (r.alertsSeen.length === 0) lines.push('None.', '');
  else
    lines.push(
      '| received | alert | status | verdict |',
      '| --- | --- | --- | --- |',
      ...r.alertsSeen.map(
        (a) => `| ${a.receivedAt} | \`${a.alert}\` | ${a.status} | ${a.verdict} |`,
      ),
      '',
    );
  if (r.carriedOver.length > 0)
    lines.push(
      `Carried over from earlier incidents: ${r.carriedOver.map((a) => `\`${a}\``).join(', ')}.`,
      '',
    );
  lines.push('## Example trace ids of faulted requests', '');
  if (r.traceIds.length === 0) lines.push('None collected.', '');
  else
    lines.push(
      '| trace id | status | duration | source |',
      '| --- | --- | --- | --- |',
      ...r.traceIds.map(
        (t) => `| \`${t.traceId}\` | ${t.status} | ${t.durationMs} ms | ${t.source} |`,
      ),
      '',
    );
  if (r.incidentPanels) {
    const { checked, empty, error } = r.incidentPanels;
    lines.push('## Incident panels over the window', '');
    if (error) lines.push(`Not checked: ${error}`, '');
    else
      lines.push(
        `${checked.length - empty.length} of ${checked.length} incident panels show data; empty (filled by other drills, or a gap):`,
        '',
        ...(empty.length === 0 ? ['None.'] : empty.map((p) => `- ${p.panel}`)),
        '',
      );
  }
  lines.push(
    '## Dashboards for the window',
    '',
    ...dashboards.map((d) => `- [${d.title}](${d.url})`),
    '',
  );
  return lines.join('\n');
}

export function summaryTable(results: DrillResult[]): string {
  const rows = results.map((r) => [
    r.drill,
    r.alert,
    r.service,
    r.severity,
    fmt(r.detectedSeconds),
    fmt(r.resolvedSeconds),
    String(r.unexpectedAlerts.length),
    r.passed ? 'PASS' : 'FAIL',
  ]);
  const header = [
    'drill',
    'alert',
    'service',
    'severity',
    'detected',
    'resolved',
    'unexpected',
    'result',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
