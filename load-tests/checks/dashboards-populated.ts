// Does every dashboard panel show data? Runs every Prometheus query of every dashboard in
// deploy/grafana/dashboards/ against the local Prometheus over a recent window and lists each
// panel whose queries all come back empty. Exit code 1 when any panel is empty.
//
//   npx node load-tests/checks/dashboards-populated.ts                 after `npm run load -- load`
//   npx node load-tests/checks/dashboards-populated.ts --after drill   after `npm run drill -- all`
//
// After load, incident panels (errors, 5xx, failures, alerts: they are empty on a healthy system)
// are skipped; after a drill, only they are checked.
//
// Options: --after load|drill (load), --range <duration> (30m: how far back to look),
// --var name=value (pin a template variable, e.g. --var testid=load-20260101T000000Z),
// --dir <dashboards dir>. Env: PROMETHEUS_URL (http://127.0.0.1:9090).
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

interface Target {
  expr?: string;
  refId?: string;
  datasource?: { type?: string; uid?: string } | string;
  hide?: boolean;
}

interface Panel {
  title?: string;
  type?: string;
  datasource?: { type?: string; uid?: string } | string;
  targets?: Target[];
  panels?: Panel[];
}

interface Variable {
  name: string;
  type: string;
  query?: string | { query?: string };
  multi?: boolean;
  includeAll?: boolean;
  allValue?: string;
  current?: { value?: string | string[] };
}

interface Dashboard {
  title: string;
  panels?: Panel[];
  rows?: Panel[];
  templating?: { list?: Variable[] };
}

const { values: args } = parseArgs({
  options: {
    after: { type: 'string', default: 'load' },
    range: { type: 'string', default: '30m' },
    var: { type: 'string', multiple: true, default: [] },
    dir: {
      type: 'string',
      default: path.resolve(import.meta.dirname, '../../deploy/grafana/dashboards'),
    },
  },
});
if (args.after !== 'load' && args.after !== 'drill')
  throw new Error('--after must be load or drill');

const PROMETHEUS = process.env.PROMETHEUS_URL ?? 'http://127.0.0.1:9090';
const rangeSeconds = durationSeconds(args.range);
const end = Math.floor(Date.now() / 1000);
const start = end - rangeSeconds;
const pinned = new Map(args.var.map((v) => v.split('=', 2) as [string, string]));

/** Panels that only have data while something is wrong: checked after a drill, not after load. */
const INCIDENT =
  /error|5xx|fail|alert|firing|down|restart|unavailable|timeout|burn|reject|inhibit/i;
const INCIDENT_EXPR =
  /\bALERTS\b|status_code=~?"5|status_code=~?"(error|timeout)|status="error"|result="(failure|error)"/;

function durationSeconds(text: string): number {
  const match = /^(\d+)(s|m|h|d)$/.exec(text);
  if (!match) throw new Error(`not a duration: ${text}`);
  return Number(match[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[match[2] as 's' | 'm' | 'h' | 'd'];
}

async function prometheus<T>(apiPath: string, params: Record<string, string>): Promise<T> {
  const res = await fetch(`${PROMETHEUS}${apiPath}?${new URLSearchParams(params)}`, {
    signal: AbortSignal.timeout(15_000),
  });
  const body = (await res.json()) as { status: string; data: T; error?: string };
  if (body.status !== 'success') throw new Error(body.error ?? `HTTP ${res.status}`);
  return body.data;
}

/** Values of a query variable: label_values(metric, label), label_values(label) or query_result(expr). */
async function variableValues(variable: Variable): Promise<string[]> {
  const query = typeof variable.query === 'string' ? variable.query : (variable.query?.query ?? '');
  const labelValues = /^label_values\((?:(.*),\s*)?(\w+)\)$/.exec(query.trim());
  if (labelValues) {
    const [, selector, label] = labelValues;
    const params: Record<string, string> = { start: String(start), end: String(end) };
    if (selector) params['match[]'] = substituteBuiltins(selector);
    return prometheus<string[]>(`/api/v1/label/${label}/values`, params);
  }
  if (variable.type === 'custom' && typeof variable.query === 'string')
    return variable.query.split(',').map((v) => v.trim());
  const current = variable.current?.value;
  return current === undefined ? [] : Array.isArray(current) ? current : [current];
}

/** Picks what a user would see: a pinned value, else the latest testid-style value, else all. */
function chooseValue(variable: Variable, values: string[]): { single: string; regex: string } {
  const pin = pinned.get(variable.name);
  if (pin) return { single: pin, regex: pin };
  // testid values end in a UTC timestamp (<scenario>-YYYYmmddTHHMMSSZ): the newest is the last run.
  const byTime = [...values].sort((a, b) =>
    (a.match(/\d{8}T\d{6}Z$/)?.[0] ?? a).localeCompare(b.match(/\d{8}T\d{6}Z$/)?.[0] ?? b),
  );
  const newest = byTime.at(-1) ?? '';
  if (variable.name === 'testid') return { single: newest, regex: newest };
  const escaped = values.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return {
    single: values[0] ?? '',
    regex: variable.allValue ?? (escaped.length ? `(${escaped.join('|')})` : '.*'),
  };
}

function substituteBuiltins(expr: string): string {
  const builtins: Record<string, string> = {
    __rate_interval: '1m',
    __interval: '30s',
    __interval_ms: '30000',
    __range: `${rangeSeconds}s`,
    __range_s: String(rangeSeconds),
    __range_ms: String(rangeSeconds * 1000),
    __auto: '30s',
  };
  return expr.replace(
    /\$\{(__\w+)(?::\w+)?\}|\$(__\w+)/g,
    (whole, a: string, b: string) => builtins[a ?? b] ?? whole,
  );
}

function substitute(expr: string, vars: Map<string, { single: string; regex: string }>): string {
  let out = substituteBuiltins(expr);
  for (const [name, value] of vars) {
    const ref = new RegExp(
      `(=~|!~)?(")?(?:\\$\\{${name}(?::\\w+)?\\}|\\[\\[${name}\\]\\]|\\$${name}\\b)`,
      'g',
    );
    out = out.replace(
      ref,
      (_whole, op: string | undefined, quote: string | undefined) =>
        `${op ?? ''}${quote ?? ''}${op?.includes('~') ? value.regex : value.single}`,
    );
  }
  return out;
}

function isPrometheus(target: Target, panel: Panel, datasourceVars: Map<string, string>): boolean {
  const ds = target.datasource ?? panel.datasource;
  if (!target.expr || target.hide) return false;
  const type = typeof ds === 'object' ? ds?.type : undefined;
  const uid = typeof ds === 'object' ? ds?.uid : ds;
  const varName = uid?.match(/^\$\{?(\w+)\}?$/)?.[1];
  const resolved =
    type ??
    (varName ? datasourceVars.get(varName) : undefined) ??
    (uid?.toLowerCase().includes('loki') ? 'loki' : undefined);
  if (resolved) return resolved === 'prometheus';
  return !/^\s*\{[^}]*\}\s*(\||$)/.test(target.expr); // LogQL stream selectors start with {
}

function flatten(panels: Panel[] = []): Panel[] {
  return panels.flatMap((p) => [p, ...flatten(p.panels)]);
}

async function main(): Promise<number> {
  if (!fs.existsSync(args.dir)) {
    console.error(`no dashboards at ${args.dir}`);
    return 1;
  }
  await prometheus('/api/v1/query', { query: 'vector(1)' }).catch((e: Error) => {
    throw new Error(`Prometheus at ${PROMETHEUS} does not answer: ${e.message}`);
  });
  const files = fs
    .readdirSync(args.dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.json'))
    .sort();
  const step = Math.max(15, Math.floor(rangeSeconds / 120));
  const empty: string[] = [];
  let checked = 0;
  let skipped = 0;

  for (const file of files) {
    const raw = JSON.parse(fs.readFileSync(path.join(args.dir, file), 'utf8')) as Dashboard & {
      dashboard?: Dashboard;
    };
    const dashboard = raw.dashboard ?? raw; // accept API-style { dashboard: ... } exports too
    const variables = dashboard.templating?.list ?? [];
    const datasourceVars = new Map(
      variables.filter((v) => v.type === 'datasource').map((v) => [v.name, String(v.query)]),
    );
    const vars = new Map<string, { single: string; regex: string }>();
    for (const variable of variables.filter(
      (v) =>
        v.type === 'query' || v.type === 'custom' || v.type === 'constant' || v.type === 'textbox',
    )) {
      vars.set(
        variable.name,
        chooseValue(variable, await variableValues(variable).catch(() => [])),
      );
    }

    for (const panel of flatten([...(dashboard.panels ?? []), ...(dashboard.rows ?? [])])) {
      const targets = (panel.targets ?? []).filter((t) => isPrometheus(t, panel, datasourceVars));
      if (targets.length === 0) continue;
      const incident =
        INCIDENT.test(panel.title ?? '') || targets.every((t) => INCIDENT_EXPR.test(t.expr!));
      if (incident !== (args.after === 'drill')) {
        skipped++;
        continue;
      }
      checked++;
      let hasData = false;
      const problems: string[] = [];
      for (const target of targets) {
        const expr = substitute(target.expr!, vars);
        try {
          const data = await prometheus<{ result: { values: unknown[] }[] }>(
            '/api/v1/query_range',
            {
              query: expr,
              start: String(start),
              end: String(end),
              step: String(step),
            },
          );
          if (data.result.some((series) => series.values.length > 0)) hasData = true;
          else problems.push(`${target.refId ?? '?'}: no data for ${expr}`);
        } catch (error) {
          problems.push(`${target.refId ?? '?'}: ${(error as Error).message} in ${expr}`);
        }
      }
      if (!hasData)
        empty.push(
          `${dashboard.title} / ${panel.title ?? '(untitled)'}\n    ${problems.join('\n    ')}`,
        );
    }
  }

  const what = args.after === 'drill' ? 'incident panels' : 'panels (incident panels skipped)';
  console.log(
    `checked ${checked} ${what} in ${files.length} dashboards over the last ${args.range}; ${skipped} left for the other mode`,
  );
  if (empty.length > 0) {
    console.log(`\n${empty.length} empty:\n${empty.map((e) => `  - ${e}`).join('\n')}`);
    return 1;
  }
  if (checked === 0) {
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
