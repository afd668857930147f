// One drill, end to end, in the six steps of the issue: preconditions, fault + load, wait for the
// expected alert at the webhook sink, check nothing unexpected paged, clear and wait for the
// resolved notification, report.
import type { Drill } from './catalogue.ts';
import { matches } from './catalogue.ts';
import type { DrillConfig } from './config.ts';
import { SERVICES } from './config.ts';
import { alertKey, describe, firingAlerts, notifications, query } from './alerts.ts';
import type { Notification } from './alerts.ts';
import { FaultClient } from './faults.ts';
import { isUp, sleep, waitFor } from './http.ts';
import { startLoad } from './load.ts';
import type { LoadRun } from './load.ts';
import type { Services } from './services.ts';
import type { IncidentPanels } from './panels.ts';

export interface DrillResult {
  drill: string;
  alert: string;
  service: string;
  severity: string;
  detectedSeconds: number | null;
  resolvedSeconds: number | null;
  /** Unexpected alerts that paged: these fail the drill. */
  unexpectedAlerts: string[];
  /** Unexpected alerts that only reached chat (warnings): findings, not failures. */
  unexpectedNotPaged: string[];
  passed: boolean;
}

export interface TimelineEvent {
  at: string;
  event: string;
}

export interface DrillRecord extends DrillResult {
  description: string;
  testid: string;
  startedAt: string;
  finishedAt: string;
  detectBudgetSeconds: number;
  resolveBudgetSeconds: number;
  failures: string[];
  timeline: TimelineEvent[];
  /** Every alert notification that reached the sink during the drill, firing or resolved. */
  alertsSeen: {
    alert: string;
    status: string;
    receivedAt: string;
    verdict: 'expected' | 'tolerated' | 'unexpected' | 'carried over';
  }[];
  toleratedAlerts: string[];
  /** Alerts already firing before the fault (long-window SLO tickets from earlier drills). */
  carriedOver: string[];
  traceIds: { traceId: string; status: number | string; durationMs: number; source: string }[];
  /** The dashboards' incident panels over the drill's window (set by the runner afterwards). */
  incidentPanels?: IncidentPanels;
}

/** Long-window SLO tickets outlive the drill that caused them; they may stay firing across drills. */
const CARRY_OVER = { alertname: 'ErrorBudgetBurn', severity: 'warning' };
const WATCHDOG = 'Watchdog';

interface Context {
  config: DrillConfig;
  services: Services;
  runStamp: string;
}

export async function runDrill(drill: Drill, ctx: Context): Promise<DrillRecord> {
  const { config, services } = ctx;
  const startedAt = new Date();
  const testid = `drill-${drill.name}-${ctx.runStamp}`;
  const timeline: TimelineEvent[] = [];
  const failures: string[] = [];
  const note = (event: string): void => {
    const at = new Date().toISOString();
    timeline.push({ at, event });
    console.log(`  ${at.slice(11, 19)} ${drill.name}: ${event}`);
  };
  const record: DrillRecord = {
    drill: drill.name,
    alert: drill.expected.alertname,
    service: drill.expected.service,
    severity: drill.expected.severity,
    description: drill.description,
    detectedSeconds: null,
    resolvedSeconds: null,
    unexpectedAlerts: [],
    unexpectedNotPaged: [],
    passed: false,
    testid,
    startedAt: startedAt.toISOString(),
    finishedAt: '',
    detectBudgetSeconds: drill.detectBudgetSeconds,
    resolveBudgetSeconds: drill.resolveBudgetSeconds,
    failures,
    timeline,
    alertsSeen: [],
    toleratedAlerts: [],
    carriedOver: [],
    traceIds: [],
  };

  const target = drill.fault.service;
  const faults = new FaultClient(services.urls[target], config.adminToken);
  let load: LoadRun | undefined;
  let faultId: string | undefined;
  let stopped = false;
  let faultStart = 0;

  try {
    // 1. Preconditions.
    note('checking preconditions');
    const problems = await preconditions(drill, ctx, faults);
    if (problems.length > 0) {
      failures.push(...problems.map((p) => `precondition: ${p}`));
      return record;
    }
    record.carriedOver = await settle(config, note, failures);
    if (failures.length > 0) return record;
    const token = await probeUser(config);

    // 2. Load, then the fault. A short warm-up gives the rate() windows traffic to compare with.
    load = startLoad(config, {
      testid,
      mix: drill.mix,
      outDir: `${config.reportsDir}/${drill.name}-${ctx.runStamp}/k6`,
    });
    note(`k6 load started (testid=${testid}, ${config.loadRate} journeys/s, mix ${drill.mix})`);
    await sleep(Number(process.env.DRILL_WARMUP_SECONDS ?? 30) * 1000);

    faultStart = Date.now();
    if (drill.fault.kind === 'stop-process') {
      await services.stop(target);
      stopped = true;
      note(`stopped ${target}`);
    } else {
      const ttl = drill.detectBudgetSeconds + drill.resolveBudgetSeconds + 600;
      const fault = await faults.inject(drill.fault.params, ttl);
      faultId = fault.id;
      note(
        `injected ${fault.kind} on ${target} (id ${fault.id}, expires ${fault.expiresAt}): ${JSON.stringify(drill.fault.params)}`,
      );
    }

    // 3. Wait for the expected alert at the webhook sink, probing for faulted trace ids meanwhile.
    const detectDeadline = faultStart + (drill.detectBudgetSeconds + 120) * 1000;
    const detected = await waitWhileProbing(drill, ctx, token, record, detectDeadline, async () =>
      (await notifications(config)).find(
        (n) =>
          n.status === 'firing' &&
          n.receivedAt.getTime() >= faultStart &&
          matches(n.labels, drill.expected),
      ),
    );
    if (detected) {
      record.detectedSeconds = seconds(detected.receivedAt.getTime() - faultStart);
      note(
        `${describe(detected.labels)} firing at the sink (receiver ${detected.receiver}) after ${record.detectedSeconds}s`,
      );
      if (record.detectedSeconds > drill.detectBudgetSeconds) {
        failures.push(
          `detected after ${record.detectedSeconds}s, budget ${drill.detectBudgetSeconds}s`,
        );
      }
    } else {
      failures.push(
        `${describe(drill.expected)} did not reach the webhook sink within ${drill.detectBudgetSeconds + 120}s`,
      );
      note('expected alert not received');
    }
    // Keep the fault on a while after detection: alerts with a `for` that the same fault would
    // raise (the pile inhibition must prevent) need that time to show up.
    const observe = Number(process.env.DRILL_OBSERVE_SECONDS ?? 90);
    if (detected && observe > 0) {
      note(`holding the fault ${observe}s more to see what else pages`);
      await sleep(observe * 1000);
    }
    await jaegerTraceIds(drill, config, faultStart, record);

    // 5. Clear the fault and wait for the resolved notification.
    const clearedAt = Date.now();
    if (stopped) {
      await services.start(target);
      stopped = false;
      note(`started ${target} again`);
    } else if (faultId) {
      await faults.clear(faultId);
      faultId = undefined;
      note(`cleared fault on ${target}`);
    }
    if (detected) {
      const resolved = await waitFor(
        async () =>
          (await notifications(config)).find(
            (n) =>
              n.status === 'resolved' &&
              n.receivedAt.getTime() >= clearedAt &&
              matches(n.labels, drill.expected),
          ),
        (drill.resolveBudgetSeconds + 120) * 1000,
      );
      if (resolved) {
        record.resolvedSeconds = seconds(resolved.receivedAt.getTime() - clearedAt);
        note(`resolved notification after ${record.resolvedSeconds}s`);
        if (record.resolvedSeconds > drill.resolveBudgetSeconds) {
          failures.push(
            `resolved after ${record.resolvedSeconds}s, budget ${drill.resolveBudgetSeconds}s`,
          );
        }
      } else {
        failures.push(
          `no resolved notification within ${drill.resolveBudgetSeconds + 120}s of clearing`,
        );
        note('resolved notification not received');
      }
    }

    // 4. Nothing unexpected paged, judged over the whole incident window (cascades arrive late).
    classify(
      drill,
      record,
      (await notifications(config)).filter((n) => n.receivedAt.getTime() >= faultStart),
    );
    if (record.unexpectedAlerts.length > 0)
      failures.push(`unexpected alerts: ${record.unexpectedAlerts.join(', ')}`);
  } catch (error) {
    failures.push(`error: ${(error as Error).message}`);
    note(`aborted: ${(error as Error).message}`);
  } finally {
    // Never leave a broken service behind, whatever happened above.
    if (stopped)
      await services
        .start(target)
        .catch((e: Error) => failures.push(`restart ${target}: ${e.message}`));
    if (faultId)
      await faults
        .clear()
        .catch((e: Error) => failures.push(`clear faults on ${target}: ${e.message}`));
    if (load) note(`k6 load stopped (exit ${await load.stop()})`);
  }

  record.passed = failures.length === 0;
  record.finishedAt = new Date().toISOString();
  return record;
}

async function preconditions(
  drill: Drill,
  { config, services }: Context,
  faults: FaultClient,
): Promise<string[]> {
  const problems: string[] = [];
  const checks: [string, string][] = [
    ['Prometheus', `${config.prometheusUrl}/-/ready`],
    ['Alertmanager', `${config.alertmanagerUrl}/-/ready`],
    ['webhook sink', `${config.webhookSinkUrl}/health`],
    ...SERVICES.map((s): [string, string] => [s, `${services.urls[s]}/health/ready`]),
  ];
  for (const [name, url] of checks)
    if (!(await isUp(url))) problems.push(`${name} is not ready at ${url}`);
  if (problems.length > 0) return problems;

  // Prometheus must actually scrape every service, or no alert can fire.
  const scraped = await waitFor(
    async () => {
      const up = await query(config, 'up{service!=""} == 1');
      const seen = new Set(up.map((r) => r.metric.service));
      return SERVICES.every((s) => seen.has(s)) ? true : undefined;
    },
    90_000,
    5000,
  );
  if (!scraped)
    problems.push('Prometheus does not scrape all five services (up{service!=""} == 1)');

  if (drill.fault.kind === 'stop-process' && !services.canRestart) {
    problems.push(
      'service-down needs services started by the drill runner (the launcher); unset DRILL_SERVICES',
    );
  }
  if (drill.fault.kind === 'inject') {
    await faults
      .list()
      .catch((e: Error) =>
        problems.push(`fault injection unreachable on ${drill.fault.service}: ${e.message}`),
      );
  }
  return problems;
}

/** Waits until only Watchdog (and long-window SLO tickets) fire; returns those carried over. */
async function settle(
  config: DrillConfig,
  note: (e: string) => void,
  failures: string[],
): Promise<string[]> {
  const others = async (): Promise<string[]> =>
    (await firingAlerts(config))
      .filter((a) => a.labels.alertname !== WATCHDOG && !matches(a.labels, CARRY_OVER))
      .map((a) => alertKey(a.labels));
  let firing = await others();
  if (firing.length > 0) {
    note(
      `waiting up to ${config.settleSeconds}s for earlier alerts to resolve: ${firing.join(', ')}`,
    );
    const quiet = await waitFor(
      async () => ((firing = await others()).length === 0 ? true : undefined),
      config.settleSeconds * 1000,
      5000,
    );
    if (!quiet)
      failures.push(`precondition: alerts still firing besides Watchdog: ${firing.join(', ')}`);
  }
  const carried = (await firingAlerts(config))
    .filter((a) => matches(a.labels, CARRY_OVER))
    .map((a) => alertKey(a.labels));
  if (carried.length > 0)
    note(`carried over from earlier incidents (ignored): ${carried.join(', ')}`);
  return carried;
}

export function classify(drill: Drill, record: DrillRecord, seen: Notification[]): void {
  const unexpected = new Set<string>();
  const alsoNotified = new Set<string>();
  const tolerated = new Set<string>();
  for (const n of seen) {
    const key = alertKey(n.labels);
    let verdict: DrillRecord['alertsSeen'][number]['verdict'];
    if (matches(n.labels, drill.expected)) verdict = 'expected';
    else if (n.labels.alertname === WATCHDOG || record.carriedOver.includes(key))
      verdict = 'carried over';
    else if (drill.tolerated.some((t) => matches(n.labels, t.match))) verdict = 'tolerated';
    else verdict = 'unexpected';
    if (n.labels.alertname === WATCHDOG) continue; // heartbeat, not part of the story
    // The drill fails on what paged (the pager receiver); other alerts it did not expect
    // reached chat only, and are reported as findings without failing it.
    if (verdict === 'unexpected' && n.status === 'firing' && n.receiver === 'pager')
      unexpected.add(key);
    if (verdict === 'unexpected' && n.status === 'firing' && n.receiver !== 'pager')
      alsoNotified.add(key);
    if (verdict === 'tolerated' && n.status === 'firing') tolerated.add(key);
    record.alertsSeen.push({
      alert: key,
      status: n.status,
      receivedAt: n.receivedAt.toISOString(),
      verdict,
    });
  }
  record.unexpectedAlerts = [...unexpected];
  record.unexpectedNotPaged = [...alsoNotified];
  record.toleratedAlerts = [...tolerated];
}

async function probeUser(config: DrillConfig): Promise<string | undefined> {
  const email = `drill-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.com`;
  const password = 'drill-Passw0rd!';
  const post = (path: string, body: unknown): Promise<Response> =>
    fetch(`${config.gatewayUrl}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(5000),
    });
  await post('/api/auth/register', { email, password, name: 'Drill probe' });
  const res = await post('/api/auth/login', { email, password });
  return res.ok ? ((await res.json()) as { accessToken: string }).accessToken : undefined;
}

/** Polls `found` until the deadline while sending probe requests and keeping faulted trace ids. */
async function waitWhileProbing(
  drill: Drill,
  { config }: Context,
  token: string | undefined,
  record: DrillRecord,
  deadline: number,
  found: () => Promise<Notification | undefined>,
): Promise<Notification | undefined> {
  for (;;) {
    if (record.traceIds.filter((t) => t.source === 'probe').length < 5)
      await probe(drill, config, token, record);
    const hit = await found().catch(() => undefined);
    if (hit || Date.now() >= deadline) return hit;
    await sleep(2000);
  }
}

async function probe(
  drill: Drill,
  config: DrillConfig,
  token: string | undefined,
  record: DrillRecord,
): Promise<void> {
  const started = performance.now();
  try {
    const res = await fetch(`${config.gatewayUrl}${drill.probe.path}`, {
      method: drill.probe.method,
      headers: {
        'Content-Type': 'application/json',
        ...(drill.probe.auth && token ? { Authorization: `Bearer ${token}` } : {}),
      },
      body: drill.probe.body === undefined ? undefined : JSON.stringify(drill.probe.body),
      signal: AbortSignal.timeout(15_000),
    });
    await res.body?.cancel();
    const durationMs = Math.round(performance.now() - started);
    const traceId = res.headers.get('x-trace-id');
    // A probe shows the fault when it failed or was slow; memory growth shows in neither.
    const faulted =
      res.status >= 500 ||
      durationMs > 500 ||
      (drill.fault.kind === 'inject' && drill.fault.params.kind === 'memory-growth');
    if (traceId && faulted)
      record.traceIds.push({ traceId, status: res.status, durationMs, source: 'probe' });
  } catch {
    // A probe that cannot connect carries no trace id; the k6 load shows the errors anyway.
  }
}

/** Traces Jaeger holds with fault.injected=<kind> for the faulted service (best effort). */
async function jaegerTraceIds(
  drill: Drill,
  config: DrillConfig,
  since: number,
  record: DrillRecord,
): Promise<void> {
  if (drill.fault.kind !== 'inject') return;
  const tags = encodeURIComponent(
    JSON.stringify({ 'fault.injected': String(drill.fault.params.kind) }),
  );
  const url = `${config.jaegerUrl}/api/traces?service=${drill.fault.service}&tags=${tags}&start=${since * 1000}&end=${Date.now() * 1000}&limit=5`;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    if (!res.ok) return;
    const body = (await res.json()) as { data?: { traceID: string }[] };
    for (const trace of body.data ?? [])
      record.traceIds.push({
        traceId: trace.traceID,
        status: 'fault.injected',
        durationMs: 0,
        source: 'jaeger',
      });
  } catch {
    // Jaeger is optional for the verdict.
  }
}

const seconds = (ms: number): number => Math.round(ms / 100) / 10;
