// One drill, end to end, as named steps: preconditions, load and fault, wait for the expected
// alert at the webhook sink, clear and wait for the resolved notification, the further
// expectations, then judge what else paged over the whole incident. The runner (run.ts) writes
// the report.
import type { Drill, Incident } from './catalogue.ts';
import { matches } from './catalogue.ts';
import type { DrillConfig } from './config.ts';
import { SERVICE_NAMES } from './config.ts';
import { alertKey, describe, firingAlerts, notifications, query } from './alerts.ts';
import type { Notification } from './alerts.ts';
import { faultKind } from './faults.ts';
import type { FaultContext, StartedFault } from './faults.ts';
import { isUp, sleep, waitFor } from './http.ts';
import { startLoad } from './load.ts';
import type { LoadRun } from './load.ts';
import type { Services } from './services.ts';
import type { IncidentPanels } from './panels.ts';
import { signUp } from '../../tools/harness/sign-up.ts';

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
  traceIds: TraceId[];
  /** The dashboards' incident panels over the drill's window (set by the runner afterwards). */
  incidentPanels?: IncidentPanels;
}

interface TraceId {
  traceId: string;
  status: number | string;
  durationMs: number;
  source: string;
}

/** Long-window SLO tickets outlive the drill that caused them; they may stay firing across drills. */
const CARRY_OVER = { alertname: 'ErrorBudgetBurn', severity: 'warning' };
const WATCHDOG = 'Watchdog';

/**
 * How long past a budget the drill still waits for a notification, so that a late one is
 * measured and reported as late rather than as missing.
 */
const LATE_GRACE_SECONDS = 120;
/** A fault expires by itself this long after the drill's budgets, should the drill die. */
const FAULT_TTL_MARGIN_SECONDS = 600;

interface Context {
  config: DrillConfig;
  services: Services;
  runStamp: string;
}

/** One drill in progress: what it knows, and how it tells the timeline. */
interface Run extends Context {
  drill: Drill;
  record: DrillRecord;
  note(event: string): void;
}

export async function runDrill(drill: Drill, ctx: Context): Promise<DrillRecord> {
  const run = begin(drill, ctx);
  const { config, record, note } = run;
  const { failures } = record;
  let load: LoadRun | undefined;
  let fault: StartedFault | undefined;

  try {
    note('checking preconditions');
    const problems = await preconditions(run);
    if (problems.length === 0) {
      const settled = await settle(run);
      record.carriedOver = settled.carriedOver;
      if (settled.stillFiring.length > 0)
        problems.push(`alerts still firing besides Watchdog: ${settled.stillFiring.join(', ')}`);
    }
    if (problems.length > 0) {
      failures.push(...problems.map((p) => `precondition: ${p}`));
      return finish(record);
    }
    const token = await probeUser(config);

    load = await startWarmLoad(run);
    const faultStartedAt = new Date();
    fault = await faultKind(drill.fault).start(drill.fault, faultContext(run));
    note(fault.description);

    const detected = await awaitAlert(run, faultStartedAt, token);
    if (detected) await holdFault(run);
    record.traceIds.push(...(await jaegerTraceIds(drill, config, faultStartedAt)));

    const clearedAt = new Date();
    note(await fault.clear());
    fault = undefined;
    const resolved = detected ? await awaitResolved(run, clearedAt) : undefined;

    failures.push(
      ...(await checkAlsoExpected(run, {
        config,
        faultStartedAt,
        detectedAt: detected?.receivedAt,
        clearedAt,
        resolvedAt: resolved?.receivedAt,
      })),
    );

    // What else paged, judged over the whole incident window (cascades arrive late).
    classify(drill, record, await notificationsSince(config, faultStartedAt));
    if (record.unexpectedAlerts.length > 0)
      failures.push(`unexpected alerts: ${record.unexpectedAlerts.join(', ')}`);
  } catch (error) {
    failures.push(`error: ${(error as Error).message}`);
    note(`aborted: ${(error as Error).message}`);
  } finally {
    // Never leave a broken service behind, whatever happened above.
    if (fault)
      await fault
        .restore()
        .catch((e: Error) =>
          failures.push(`restore ${drill.fault.service} after ${drill.fault.kind}: ${e.message}`),
        );
    if (load) note(`k6 load stopped (exit ${await load.stop()})`);
  }
  return finish(record);
}

function begin(drill: Drill, ctx: Context): Run {
  const testid = `drill-${drill.name}-${ctx.runStamp}`;
  const record: DrillRecord = {
    drill: drill.name,
    alert: drill.expected.alertname,
    service: drill.expected.service ?? drill.fault.service,
    severity: drill.expected.severity,
    description: drill.description,
    detectedSeconds: null,
    resolvedSeconds: null,
    unexpectedAlerts: [],
    unexpectedNotPaged: [],
    passed: false,
    testid,
    startedAt: new Date().toISOString(),
    finishedAt: '',
    detectBudgetSeconds: drill.detectBudgetSeconds,
    resolveBudgetSeconds: drill.resolveBudgetSeconds,
    failures: [],
    timeline: [],
    alertsSeen: [],
    toleratedAlerts: [],
    carriedOver: [],
    traceIds: [],
  };
  const note = (event: string): void => {
    const at = new Date().toISOString();
    record.timeline.push({ at, event });
    console.log(`  ${at.slice(11, 19)} ${drill.name}: ${event}`);
  };
  return { ...ctx, drill, record, note };
}

function finish(record: DrillRecord): DrillRecord {
  record.passed = record.failures.length === 0;
  record.finishedAt = new Date().toISOString();
  return record;
}

function faultContext({ config, services, drill }: Run): FaultContext {
  return {
    config,
    services,
    ttlSeconds: drill.detectBudgetSeconds + drill.resolveBudgetSeconds + FAULT_TTL_MARGIN_SECONDS,
  };
}

/** The stack and all five services are ready and scraped, and the fault can run: problems if not. */
async function preconditions(run: Run): Promise<string[]> {
  const { config, services, drill } = run;
  const problems: string[] = [];
  const checks: [string, string][] = [
    ['Prometheus', `${config.prometheusUrl}/-/ready`],
    ['Alertmanager', `${config.alertmanagerUrl}/-/ready`],
    ['webhook sink', `${config.webhookSinkUrl}/health`],
    ...SERVICE_NAMES.map((s): [string, string] => [s, `${services.urls[s]}/health/ready`]),
  ];
  for (const [name, url] of checks)
    if (!(await isUp(url))) problems.push(`${name} is not ready at ${url}`);
  if (problems.length > 0) return problems;

  // Prometheus must actually scrape every service, or no alert can fire.
  const scraped = await waitFor(
    async () => {
      const up = await query(config, 'up{service!=""} == 1');
      const seen = new Set(up.map((r) => r.metric.service));
      return SERVICE_NAMES.every((s) => seen.has(s)) ? true : undefined;
    },
    90_000,
    5000,
  );
  if (!scraped)
    problems.push('Prometheus does not scrape all five services (up{service!=""} == 1)');

  problems.push(...(await faultKind(drill.fault).preconditions(drill.fault, faultContext(run))));
  return problems;
}

/**
 * Waits until only Watchdog (and long-window SLO tickets) fire. Returns what still fires after
 * DRILL_SETTLE_SECONDS (a failed precondition) and the tickets carried over (ignored).
 */
async function settle({
  config,
  note,
}: Run): Promise<{ stillFiring: string[]; carriedOver: string[] }> {
  const others = async (): Promise<string[]> =>
    (await firingAlerts(config))
      .filter((a) => a.labels.alertname !== WATCHDOG && !matches(a.labels, CARRY_OVER))
      .map((a) => alertKey(a.labels));
  let firing = await others();
  if (firing.length > 0) {
    note(
      `waiting up to ${config.settleSeconds}s for earlier alerts to resolve: ${firing.join(', ')}`,
    );
    await waitFor(
      async () => ((firing = await others()).length === 0 ? true : undefined),
      config.settleSeconds * 1000,
      5000,
    );
  }
  const carriedOver = (await firingAlerts(config))
    .filter((a) => matches(a.labels, CARRY_OVER))
    .map((a) => alertKey(a.labels));
  if (carriedOver.length > 0)
    note(`carried over from earlier incidents (ignored): ${carriedOver.join(', ')}`);
  return { stillFiring: firing, carriedOver };
}

/** Starts the drill's k6 load and lets it warm up, so the rate() windows have traffic to compare with. */
async function startWarmLoad({ config, drill, record, runStamp, note }: Run): Promise<LoadRun> {
  const load = startLoad(config, {
    testid: record.testid,
    mix: drill.mix,
    outDir: `${config.reportsDir}/${drill.name}-${runStamp}/k6`,
  });
  note(
    `k6 load started (testid=${record.testid}, ${config.loadRate} journeys/s, mix ${drill.mix})`,
  );
  await sleep(config.warmupSeconds * 1000);
  return load;
}

/** Waits for the expected alert at the webhook sink, probing for faulted trace ids meanwhile. */
async function awaitAlert(
  run: Run,
  faultStartedAt: Date,
  token: string | undefined,
): Promise<Notification | undefined> {
  const { config, drill, record, note } = run;
  const waitSeconds = drill.detectBudgetSeconds + LATE_GRACE_SECONDS;
  const deadline = faultStartedAt.getTime() + waitSeconds * 1000;
  let detected: Notification | undefined;
  for (;;) {
    if (record.traceIds.filter((t) => t.source === 'probe').length < 5) {
      const probed = await probe(drill, config, token);
      if (probed) record.traceIds.push(probed);
    }
    detected = await firstNotification(config, 'firing', faultStartedAt, drill).catch(
      () => undefined,
    );
    if (detected || Date.now() >= deadline) break;
    await sleep(2000);
  }
  if (!detected) {
    record.failures.push(
      `${describe(drill.expected)} did not reach the webhook sink within ${waitSeconds}s`,
    );
    note('expected alert not received');
    return undefined;
  }
  record.detectedSeconds = secondsBetween(faultStartedAt, detected.receivedAt);
  note(
    `${describe(detected.labels)} firing at the sink (receiver ${detected.receiver}) after ${record.detectedSeconds}s`,
  );
  if (record.detectedSeconds > drill.detectBudgetSeconds)
    record.failures.push(
      `detected after ${record.detectedSeconds}s, budget ${drill.detectBudgetSeconds}s`,
    );
  return detected;
}

/**
 * Keeps the fault on a while after detection: alerts with a `for` that the same fault would
 * raise (the pile inhibition must prevent) need that time to show up.
 */
async function holdFault({ config, note }: Run): Promise<void> {
  if (config.observeSeconds <= 0) return;
  note(`holding the fault ${config.observeSeconds}s more to see what else pages`);
  await sleep(config.observeSeconds * 1000);
}

/** Waits for the expected alert's resolved notification after the fault was cleared. */
async function awaitResolved(
  { config, drill, record, note }: Run,
  clearedAt: Date,
): Promise<Notification | undefined> {
  const waitSeconds = drill.resolveBudgetSeconds + LATE_GRACE_SECONDS;
  const resolved = await waitFor(
    () => firstNotification(config, 'resolved', clearedAt, drill),
    waitSeconds * 1000,
  );
  if (!resolved) {
    record.failures.push(`no resolved notification within ${waitSeconds}s of clearing`);
    note('resolved notification not received');
    return undefined;
  }
  record.resolvedSeconds = secondsBetween(clearedAt, resolved.receivedAt);
  note(`resolved notification after ${record.resolvedSeconds}s`);
  if (record.resolvedSeconds > drill.resolveBudgetSeconds)
    record.failures.push(
      `resolved after ${record.resolvedSeconds}s, budget ${drill.resolveBudgetSeconds}s`,
    );
  return resolved;
}

/** The drill's further expectations of the incident: what was not met. */
async function checkAlsoExpected({ drill, note }: Run, incident: Incident): Promise<string[]> {
  const failures: string[] = [];
  for (const expectation of drill.alsoExpected ?? []) {
    const unmet = await expectation
      .check(incident)
      .catch((error: Error) => [`could not check: ${error.message}`]);
    note(`${expectation.description}: ${unmet.length === 0 ? 'met' : unmet.join('; ')}`);
    failures.push(...unmet.map((u) => `${expectation.description}: ${u}`));
  }
  return failures;
}

async function firstNotification(
  config: DrillConfig,
  status: Notification['status'],
  since: Date,
  drill: Drill,
): Promise<Notification | undefined> {
  return (await notificationsSince(config, since)).find(
    (n) => n.status === status && matches(n.labels, drill.expected),
  );
}

async function notificationsSince(config: DrillConfig, since: Date): Promise<Notification[]> {
  return (await notifications(config)).filter((n) => n.receivedAt >= since);
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

/** A user of its own for the probes that need a bearer token; undefined when signing up failed. */
async function probeUser(config: DrillConfig): Promise<string | undefined> {
  return signUp(config.gatewayUrl, 'drill', { timeoutMs: 5000 }).then(
    (user) => user.token,
    () => undefined,
  );
}

/** One probe request through the gateway: its trace id when it shows the fault. */
async function probe(
  drill: Drill,
  config: DrillConfig,
  token: string | undefined,
): Promise<TraceId | undefined> {
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
    return traceId && faulted
      ? { traceId, status: res.status, durationMs, source: 'probe' }
      : undefined;
  } catch {
    // A probe that cannot connect carries no trace id; the k6 load shows the errors anyway.
    return undefined;
  }
}

/** Traces Jaeger holds with fault.injected=<kind> for the faulted service (best effort). */
async function jaegerTraceIds(drill: Drill, config: DrillConfig, since: Date): Promise<TraceId[]> {
  if (drill.fault.kind !== 'inject') return [];
  const tags = encodeURIComponent(
    JSON.stringify({ 'fault.injected': String(drill.fault.params.kind) }),
  );
  const url = `${config.jaegerUrl}/api/traces?service=${drill.fault.service}&tags=${tags}&start=${since.getTime() * 1000}&end=${Date.now() * 1000}&limit=5`;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    if (!res.ok) return [];
    const body = (await res.json()) as { data?: { traceID: string }[] };
    return (body.data ?? []).map((trace) => ({
      traceId: trace.traceID,
      status: 'fault.injected',
      durationMs: 0,
      source: 'jaeger',
    }));
  } catch {
    return []; // Jaeger is optional for the verdict.
  }
}

const secondsBetween = (from: Date, to: Date): number =>
  Math.round((to.getTime() - from.getTime()) / 100) / 10;
