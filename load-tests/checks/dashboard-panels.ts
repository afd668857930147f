// Does every dashboard panel show data? Runs every Prometheus query and every Jaeger trace search
// of every dashboard in deploy/grafana/dashboards/ against a Prometheus and a Jaeger over a time
// window and reports each panel whose queries all come back empty. Used by the CLI checks/dashboards-populated.ts (after a load run)
// and by the drill runner (incident panels, after each drill).
import fs from 'node:fs';
import path from 'node:path';

export const DASHBOARDS_DIR = path.resolve(import.meta.dirname, '../../deploy/grafana/dashboards');

export interface PanelCheckOptions {
  /** `load`: every panel but the incident ones; `drill`: only the incident panels. */
  after: 'load' | 'drill';
  /** How far back from now to look. */
  rangeSeconds: number;
  /** Template variables pinned to a value (e.g. testid); the others take what a user would see. */
  pinned?: Map<string, string>;
  dir?: string;
  prometheusUrl?: string;
  /** Jaeger's query API, for the trace-search panels (default $JAEGER_URL or :16686). */
  jaegerUrl?: string;
}

export interface EmptyPanel {
  dashboard: string;
  title: string;
  problems: string[];
}

export interface PanelCheckResult {
  dashboards: number;
  /** `dashboard / panel title` of every panel checked, with or without data. */
  checked: string[];
  /** Panels left for the other mode. */
  skipped: number;
  empty: EmptyPanel[];
}

/** What every query of one check shares: where Prometheus is, the window, pinned variables. */
interface Query {
  prometheusUrl: string;
  jaegerUrl: string;
  start: number;
  end: number;
  pinned: Map<string, string>;
}

export const panelName = (dashboard: string, title: string | undefined): string =>
  `${dashboard} / ${title ?? '(untitled)'}`;

interface Target {
  expr?: string;
  refId?: string;
  datasource?: { type?: string; uid?: string } | string;
  hide?: boolean;
  /** Jaeger trace search (queryType "search"). */
  queryType?: string;
  service?: string;
  minDuration?: string;
  tags?: string;
  limit?: number;
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

/** Panels that only have data while something is wrong: checked after a drill, not after load. */
const INCIDENT =
  /error|5xx|fail|alert|firing|down|restart|unavailable|timeout|burn|reject|inhibit/i;
const INCIDENT_EXPR =
  /\bALERTS\b|status_code=~?"5|status_code=~?"(error|timeout)|status="error"|result="(failure|error)"/;

/** `30m`, `1h`, `90s`, `1d` in seconds. */
export function durationSeconds(text: string): number {
  const match = /^(\d+)(s|m|h|d)$/.exec(text);
  if (!match) throw new Error(`not a duration: ${text}`);
  return Number(match[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[match[2] as 's' | 'm' | 'h' | 'd'];
}

async function prometheus<T>(
  ctx: Query,
  apiPath: string,
  params: Record<string, string>,
): Promise<T> {
  const res = await fetch(`${ctx.prometheusUrl}${apiPath}?${new URLSearchParams(params)}`, {
    signal: AbortSignal.timeout(15_000),
  });
  const body = (await res.json()) as { status: string; data: T; error?: string };
  if (body.status !== 'success') throw new Error(body.error ?? `HTTP ${res.status}`);
  return body.data;
}

/**
 * Values of a query variable: label_values(metric, label), label_values(label) or
 * query_result(expr); the variables before it (e.g. $namespace in $service's query) as chosen.
 */
async function variableValues(
  ctx: Query,
  variable: Variable,
  earlier: Map<string, { single: string; regex: string }>,
): Promise<string[]> {
  const query = typeof variable.query === 'string' ? variable.query : (variable.query?.query ?? '');
  const labelValues = /^label_values\((?:(.*),\s*)?(\w+)\)$/.exec(query.trim());
  if (labelValues) {
    const [, selector, label] = labelValues;
    const params: Record<string, string> = { start: String(ctx.start), end: String(ctx.end) };
    if (selector) params['match[]'] = substitute(ctx, selector, earlier);
    return prometheus<string[]>(ctx, `/api/v1/label/${label}/values`, params);
  }
  if (variable.type === 'custom' && typeof variable.query === 'string')
    return variable.query.split(',').map((v) => v.trim());
  const current = variable.current?.value;
  return current === undefined ? [] : Array.isArray(current) ? current : [current];
}

/** Picks what a user would see: a pinned value, else the latest testid-style value, else all. */
function chooseValue(
  ctx: Query,
  variable: Variable,
  values: string[],
): { single: string; regex: string } {
  const pin = ctx.pinned.get(variable.name);
  if (pin) return { single: pin, regex: pin };
  // testid values end in a UTC timestamp (<scenario>-YYYYmmddTHHMMSSZ): the newest is the last run.
  const byTime = [...values].sort((a, b) =>
    (a.match(/\d{8}T\d{6}Z$/)?.[0] ?? a).localeCompare(b.match(/\d{8}T\d{6}Z$/)?.[0] ?? b),
  );
  const newest = byTime.at(-1) ?? '';
  if (variable.name === 'testid') return { single: newest, regex: newest };
  // A variable starts at the option the dashboard saves as selected, when that option exists.
  const current = variable.current?.value;
  if (typeof current === 'string' && values.includes(current))
    return { single: current, regex: current };
  const escaped = values.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return {
    single: values[0] ?? '',
    regex: variable.allValue ?? (escaped.length ? `(${escaped.join('|')})` : '.*'),
  };
}

function substituteBuiltins(ctx: Query, expr: string): string {
  const rangeSeconds = ctx.end - ctx.start;
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

function substitute(
  ctx: Query,
  expr: string,
  vars: Map<string, { single: string; regex: string }>,
): string {
  let out = substituteBuiltins(ctx, expr);
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

/** The datasource plugin a target queries: its own, else the panel's, through variables. */
function datasourceType(
  target: Target,
  panel: Panel,
  datasourceVars: Map<string, string>,
): string | undefined {
  const ds = target.datasource ?? panel.datasource;
  const type = typeof ds === 'object' ? ds?.type : undefined;
  const uid = typeof ds === 'object' ? ds?.uid : ds;
  const varName = uid?.match(/^\$\{?(\w+)\}?$/)?.[1];
  return (
    (varName ? datasourceVars.get(varName) : undefined) ??
    type ??
    (uid?.toLowerCase().includes('loki') ? 'loki' : undefined) ??
    (uid?.toLowerCase().includes('jaeger') ? 'jaeger' : undefined)
  );
}

function isPrometheus(target: Target, panel: Panel, datasourceVars: Map<string, string>): boolean {
  if (!target.expr || target.hide) return false;
  const resolved = datasourceType(target, panel, datasourceVars);
  if (resolved) return resolved === 'prometheus';
  return !/^\s*\{[^}]*\}\s*(\||$)/.test(target.expr); // LogQL stream selectors start with {
}

function isJaegerSearch(
  target: Target,
  panel: Panel,
  datasourceVars: Map<string, string>,
): boolean {
  return (
    !target.hide &&
    target.queryType === 'search' &&
    datasourceType(target, panel, datasourceVars) === 'jaeger'
  );
}

/** Runs a Grafana Jaeger search through Jaeger's own query API; how many traces it found. */
async function jaegerTraces(
  ctx: Query,
  target: Target,
  vars: Map<string, { single: string; regex: string }>,
): Promise<{ found: number; query: string }> {
  const value = (text: string | undefined) => (text ? substitute(ctx, text, vars) : undefined);
  const params: Record<string, string> = {
    service: value(target.service) ?? '',
    start: String(ctx.start * 1_000_000),
    end: String(ctx.end * 1_000_000),
    limit: String(target.limit ?? 20),
  };
  const minDuration = value(target.minDuration);
  if (minDuration) params.minDuration = minDuration;
  // Grafana writes tags as logfmt (error=true http.status_code=500); the API wants JSON.
  const tags = value(target.tags);
  if (tags)
    params.tags = JSON.stringify(
      Object.fromEntries(tags.split(/\s+/).map((pair) => pair.split('=', 2) as [string, string])),
    );
  const query = `/api/traces?${new URLSearchParams(params)}`;
  const res = await fetch(`${ctx.jaegerUrl}${query}`, { signal: AbortSignal.timeout(15_000) });
  if (!res.ok) throw new Error(`Jaeger answered HTTP ${res.status}`);
  const body = (await res.json()) as { data?: unknown[] | null };
  return { found: body.data?.length ?? 0, query };
}

function flatten(panels: Panel[] = []): Panel[] {
  return panels.flatMap((p) => [p, ...flatten(p.panels)]);
}

export async function checkPanels(options: PanelCheckOptions): Promise<PanelCheckResult> {
  const dir = options.dir ?? DASHBOARDS_DIR;
  const end = Math.floor(Date.now() / 1000);
  const ctx: Query = {
    prometheusUrl: options.prometheusUrl ?? process.env.PROMETHEUS_URL ?? 'http://127.0.0.1:9090',
    jaegerUrl: options.jaegerUrl ?? process.env.JAEGER_URL ?? 'http://127.0.0.1:16686',
    start: end - options.rangeSeconds,
    end,
    pinned: options.pinned ?? new Map(),
  };
  if (!fs.existsSync(dir)) throw new Error(`no dashboards at ${dir}`);
  await prometheus(ctx, '/api/v1/query', { query: 'vector(1)' }).catch((e: Error) => {
    throw new Error(`Prometheus at ${ctx.prometheusUrl} does not answer: ${e.message}`);
  });
  const files = fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.json'))
    .sort();
  const step = Math.max(15, Math.floor(options.rangeSeconds / 120));
  const result: PanelCheckResult = { dashboards: files.length, checked: [], skipped: 0, empty: [] };

  for (const file of files) {
    const raw = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Dashboard & {
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
        chooseValue(ctx, variable, await variableValues(ctx, variable, vars).catch(() => [])),
      );
    }

    for (const panel of flatten([...(dashboard.panels ?? []), ...(dashboard.rows ?? [])])) {
      const targets = (panel.targets ?? []).filter((t) => isPrometheus(t, panel, datasourceVars));
      const searches = (panel.targets ?? []).filter((t) =>
        isJaegerSearch(t, panel, datasourceVars),
      );
      if (targets.length === 0 && searches.length === 0) continue;
      // Trace searches count as incident panels: traces are sampled, so a short smoke run leaves
      // a handful, while a drill's minutes of load (and its pinned service) give real ones.
      const incident =
        INCIDENT.test(panel.title ?? '') ||
        searches.length > 0 ||
        (targets.length > 0 && targets.every((t) => INCIDENT_EXPR.test(t.expr!)));
      if (incident !== (options.after === 'drill')) {
        result.skipped++;
        continue;
      }
      result.checked.push(panelName(dashboard.title, panel.title));
      let hasData = false;
      const problems: string[] = [];
      for (const target of targets) {
        const expr = substitute(ctx, target.expr!, vars);
        try {
          const data = await prometheus<{ result: { values: unknown[] }[] }>(
            ctx,
            '/api/v1/query_range',
            { query: expr, start: String(ctx.start), end: String(ctx.end), step: String(step) },
          );
          if (data.result.some((series) => series.values.length > 0)) hasData = true;
          else problems.push(`${target.refId ?? '?'}: no data for ${expr}`);
        } catch (error) {
          problems.push(`${target.refId ?? '?'}: ${(error as Error).message} in ${expr}`);
        }
      }
      for (const search of searches) {
        try {
          const { found, query } = await jaegerTraces(ctx, search, vars);
          if (found > 0) hasData = true;
          else problems.push(`${search.refId ?? '?'}: no traces for Jaeger ${query}`);
        } catch (error) {
          problems.push(`${search.refId ?? '?'}: ${(error as Error).message} (Jaeger search)`);
        }
      }
      if (!hasData)
        result.empty.push({
          dashboard: dashboard.title,
          title: panel.title ?? '(untitled)',
          problems,
        });
    }
  }
  return result;
}
