// Every drill, declared here and nowhere else: which fault each injects, which alert it must
// raise, which other alerts the same incident may legitimately raise, and any further
// expectations. Thresholds and `for` come from the production rules in deploy/prometheus/rules/
// unchanged; budgets below are "rule `for` + evaluation slack".
//
// A new drill is one more entry in DRILLS. A new kind of fault is a member of `Fault` plus its
// handler in faults.ts; a new kind of expectation is an `Expectation` in `alsoExpected`.
import { query } from './alerts.ts';
import type { DrillConfig, ServiceName } from './config.ts';
import { chattedNotPaged, pagedAndChatted } from './people.ts';

export type Severity = 'critical' | 'warning';

/** Labels an alert must carry to count as a match (alertname always included). */
export type AlertMatcher = Record<string, string>;

export type Fault =
  /** Stop the process through the launcher (SIGTERM), start it again to clear. */
  | { kind: 'stop-process'; service: ServiceName }
  /** POST /admin/faults on the service's own port, DELETE /admin/faults/:id to clear. */
  | { kind: 'inject'; service: ServiceName; params: Record<string, unknown> & { kind: string } }
  /**
   * Stop the PostgreSQL server of the launched services (tools/postgres/postgres.sh stop), start
   * it again to clear. `service`: the one whose requests the report follows.
   */
  | { kind: 'stop-database'; service: ServiceName };

/** A request the runner sends itself while the fault is on, to collect faulted trace ids. */
export interface Probe {
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  auth?: boolean;
}

/** The incident as the runner saw it, for expectations checked after it. */
export interface Incident {
  config: DrillConfig;
  faultStartedAt: Date;
  /** When the expected alert reached the webhook sink (undefined: it never did). */
  detectedAt?: Date;
  clearedAt: Date;
  /** When its resolved notification reached the webhook sink (undefined: it never did). */
  resolvedAt?: Date;
}

/**
 * An expectation beyond the alert at the webhook sink (a receiver that must have been notified,
 * a log line that must exist, ...), checked once the fault is cleared and the alert resolved.
 */
export interface Expectation {
  /** What is expected, as the timeline shows it. */
  description: string;
  /** What was not met (empty when it was); each entry fails the drill. */
  check(incident: Incident): Promise<string[]>;
}

export interface Drill {
  name: string;
  description: string;
  fault: Fault;
  /** `service` may be left out for an alert about something all services share (the database). */
  expected: AlertMatcher & { alertname: string; service?: string; severity: Severity };
  /** Further expectations of the same incident, checked after it resolved. */
  alsoExpected?: Expectation[];
  /** Alerts the same fault raises by design (symptoms upstream, SLO burn), with the reason. */
  tolerated: { match: AlertMatcher; why: string }[];
  /** Journey weights for the drill's k6 load (see MIX in load-tests/README.md). */
  mix: string;
  probe: Probe;
  /** Seconds from fault start within which the alert must reach the webhook sink. */
  detectBudgetSeconds: number;
  /** Seconds from clearing the fault within which the resolved notification must arrive. */
  resolveBudgetSeconds: number;
}

const REALISTIC = 'browse=60,order=20,agent=15,signup=5';

// Symptoms a failing or slow product-service causes one hop up. They describe the same incident,
// so they are allowed; anything else that pages during the drill is a finding.
const gatewaySymptoms = (slo: 'availability' | 'latency'): Drill['tolerated'] => [
  {
    match: { alertname: 'ErrorBudgetBurn', slo },
    why: `the ${slo} SLO burns on every service the fault reaches`,
  },
  ...(slo === 'availability'
    ? [
        {
          match: { alertname: 'AgentExecutionErrors' },
          why: 'agents whose tools call product-service fail with it (a warning)',
        },
      ]
    : [
        ...(['api-gateway', 'order-service', 'agent-service'] as const).map((service) => ({
          match: { alertname: 'HighLatencyP95', service },
          why: `${service} calls product-service and waits for it`,
        })),
      ]),
];

/**
 * An alert that must have fired in Prometheus for each of `services` during the incident and
 * resolved after it, whether or not Alertmanager let it notify anyone (it may be inhibited).
 */
function firedAndResolved(
  alertname: string,
  services: ServiceName[],
  resolveSeconds: number,
): Expectation {
  const firing = `ALERTS{alertname="${alertname}", alertstate="firing"}`;
  return {
    description: `${alertname} fired and resolved in Prometheus for ${services.join(', ')}`,
    async check({ config, faultStartedAt }) {
      const since = Math.ceil((Date.now() - faultStartedAt.getTime()) / 1000);
      const fired = new Set(
        (await query(config, `max by (service) (max_over_time(${firing}[${since}s]))`)).map(
          (r) => r.metric.service,
        ),
      );
      const unmet = services.filter((s) => !fired.has(s)).map((s) => `never fired for ${s}`);
      const deadline = Date.now() + resolveSeconds * 1000;
      let still = (await query(config, firing)).map((r) => r.metric.service);
      while (still.length > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 5000));
        still = (await query(config, firing)).map((r) => r.metric.service);
      }
      return [...unmet, ...still.map((s) => `still firing for ${s} ${resolveSeconds}s later`)];
    },
  };
}

export const DRILLS: Drill[] = [
  {
    name: 'service-down',
    description: 'product-service is stopped (SIGTERM through the launcher) and started again.',
    fault: { kind: 'stop-process', service: 'product-service' },
    expected: { alertname: 'ServiceDown', service: 'product-service', severity: 'critical' },
    alsoExpected: [pagedAndChatted('ServiceDown', 'product-service')],
    // Inhibition (deploy/alertmanager) must turn the pile of consequences into this one page.
    // The SLO burn is the users' view of the same outage and may page too; a gateway
    // HighErrorRate or UpstreamUnavailable is the pile the issue forbids.
    tolerated: [
      {
        match: { alertname: 'ErrorBudgetBurn' },
        why: 'the availability SLO really burns while the service is down',
      },
      {
        match: { alertname: 'AgentExecutionErrors' },
        why: 'agents whose tools call product-service fail with it (a warning)',
      },
    ],
    mix: REALISTIC,
    probe: { method: 'GET', path: '/api/products?limit=5' },
    detectBudgetSeconds: 120,
    resolveBudgetSeconds: 180,
  },
  {
    name: 'high-error-rate',
    description: 'product-service answers 30% of its requests with 500.',
    fault: {
      kind: 'inject',
      service: 'product-service',
      params: { kind: 'error-rate', rate: 0.3, statusCode: 500 },
    },
    // A warning: the page for this outage is product-service's ErrorBudgetBurn
    // (one incident, one page); HighErrorRate says where the 5xx start.
    expected: { alertname: 'HighErrorRate', service: 'product-service', severity: 'warning' },
    alsoExpected: [chattedNotPaged('HighErrorRate', 'product-service')],
    tolerated: gatewaySymptoms('availability'),
    mix: REALISTIC,
    probe: { method: 'GET', path: '/api/products?limit=5' },
    detectBudgetSeconds: 120,
    resolveBudgetSeconds: 240,
  },
  {
    name: 'high-latency',
    description: 'every product-service request waits 700 ms more.',
    fault: {
      kind: 'inject',
      service: 'product-service',
      params: { kind: 'latency', delayMs: 700, rate: 1 },
    },
    expected: { alertname: 'HighLatencyP95', service: 'product-service', severity: 'warning' },
    tolerated: gatewaySymptoms('latency'),
    mix: REALISTIC,
    probe: { method: 'GET', path: '/api/products?limit=5' },
    // 5-minute p95 window plus `for: 2m`.
    detectBudgetSeconds: 240,
    resolveBudgetSeconds: 480,
  },
  {
    name: 'upstream-unavailable',
    description: "the gateway's calls to product-service fail as connection errors (50%).",
    fault: {
      kind: 'inject',
      service: 'api-gateway',
      params: { kind: 'upstream-failure', upstream: 'product-service', rate: 0.5 },
    },
    expected: {
      alertname: 'UpstreamUnavailable',
      service: 'api-gateway',
      upstream: 'product-service',
      severity: 'warning',
    },
    tolerated: [
      {
        match: { alertname: 'ErrorBudgetBurn', service: 'api-gateway' },
        why: 'the gateway availability SLO burns',
      },
    ],
    mix: REALISTIC,
    probe: { method: 'GET', path: '/api/products?limit=5' },
    // `for: 1m` on a 2-minute rate window.
    detectBudgetSeconds: 180,
    resolveBudgetSeconds: 240,
  },
  {
    name: 'slow-agent',
    description: 'every agent step of the catalog agent waits 2 s.',
    fault: {
      kind: 'inject',
      service: 'agent-service',
      params: { kind: 'slow-agent', delayMs: 2000, agentType: 'catalog' },
    },
    expected: {
      alertname: 'SlowAgentExecution',
      service: 'agent-service',
      agent_type: 'catalog',
      severity: 'warning',
    },
    tolerated: [
      {
        match: { alertname: 'HighLatencyP95', service: 'agent-service' },
        why: 'agent executions are its requests',
      },
      {
        match: { alertname: 'HighLatencyP95', service: 'api-gateway' },
        why: 'the gateway waits for the agent',
      },
      { match: { alertname: 'ErrorBudgetBurn', slo: 'latency' }, why: 'the latency SLO burns' },
    ],
    mix: 'browse=40,order=10,agent=50',
    probe: {
      method: 'POST',
      path: '/api/agents/execute',
      body: { agentType: 'catalog', input: 'find laptop under 1500' },
      auth: true,
    },
    detectBudgetSeconds: 240,
    resolveBudgetSeconds: 480,
  },
  {
    name: 'event-loop-lag',
    description: "order-service's event loop is blocked 300 ms every 500 ms.",
    fault: {
      kind: 'inject',
      service: 'order-service',
      params: { kind: 'event-loop-block', blockMs: 300, intervalMs: 500 },
    },
    expected: { alertname: 'EventLoopLagHigh', service: 'order-service', severity: 'warning' },
    tolerated: [
      { match: { alertname: 'HighLatencyP95' }, why: 'requests queue behind the blocked loop' },
      { match: { alertname: 'ErrorBudgetBurn', slo: 'latency' }, why: 'the latency SLO burns' },
    ],
    mix: 'browse=40,order=50,signup=10',
    probe: { method: 'GET', path: '/api/orders', auth: true },
    detectBudgetSeconds: 180,
    resolveBudgetSeconds: 240,
  },
  {
    name: 'memory-leak',
    description: 'user-service retains 20 MB more every second, up to 700 MB.',
    fault: {
      kind: 'inject',
      service: 'user-service',
      params: { kind: 'memory-growth', mbPerSecond: 20, capMb: 700 },
    },
    expected: { alertname: 'HighMemoryUsage', service: 'user-service', severity: 'warning' },
    tolerated: [],
    mix: 'browse=40,order=20,signup=40',
    probe: { method: 'GET', path: '/api/users/me', auth: true },
    // ~25 s to pass 512 MiB, then `for: 2m`.
    detectBudgetSeconds: 240,
    resolveBudgetSeconds: 180,
  },
  {
    name: 'error-budget-burn',
    description:
      'product-service fails 3% of its requests: under HighErrorRate (5%), over 14.4x the budget (1.44%).',
    fault: {
      kind: 'inject',
      service: 'product-service',
      params: { kind: 'error-rate', rate: 0.03, statusCode: 500 },
    },
    // The page (one per service and SLO): its fast pair (14.4x over 1h and 5m, held 2m) fires
    // first and resolves within minutes of the burn stopping, as the 5m window empties. On a
    // fresh drill stack the slow pair (6x over 6h and 30m) cannot hold its 15 minutes.
    expected: {
      alertname: 'ErrorBudgetBurn',
      service: 'product-service',
      slo: 'availability',
      severity: 'critical',
    },
    tolerated: [
      {
        match: { alertname: 'ErrorBudgetBurn', slo: 'availability' },
        why: 'callers (gateway, order-service, agent-service) pass the 5xx on: their users see the same failures, so their availability SLOs burn too',
      },
      {
        match: { alertname: 'AgentExecutionErrors' },
        why: 'agents whose tools call product-service fail with it (a warning)',
      },
    ],
    mix: REALISTIC,
    probe: { method: 'GET', path: '/api/products?limit=5' },
    // ~30 s for the windows to cross 14.4x after a 30 s warm-up, then the 2-minute hold.
    detectBudgetSeconds: 240,
    // The 5m short window empties 5 minutes after the fault clears; plus evaluation and a
    // group_interval of the drill profile.
    resolveBudgetSeconds: 420,
  },
  {
    name: 'latency-budget-burn',
    description:
      'a quarter of product-service requests wait 1.2 s: over the 1 s objective, 25x the latency budget (1%).',
    fault: {
      kind: 'inject',
      service: 'product-service',
      params: { kind: 'latency', delayMs: 1200, rate: 0.25 },
    },
    // The latency page (99% within 1 s), its fast pair as in error-budget-burn. 1.2 s stays under
    // the callers' 3 s upstream timeout: the requests are slow, never failed, so no availability
    // alert may fire. The slow requests also fill the Traces dashboard's "Slow traces" panel,
    // which no other drill of the CI suite does.
    expected: {
      alertname: 'ErrorBudgetBurn',
      service: 'product-service',
      slo: 'latency',
      severity: 'critical',
    },
    tolerated: [
      ...gatewaySymptoms('latency'),
      {
        match: { alertname: 'HighLatencyP95', service: 'product-service' },
        why: 'its p95 is the 1.2 s of the slow quarter',
      },
      {
        match: { alertname: 'SlowAgentExecution' },
        why: 'agent tools call product-service; a run whose calls draw the delay can pass 4 s',
      },
    ],
    mix: REALISTIC,
    probe: { method: 'GET', path: '/api/products?limit=5' },
    detectBudgetSeconds: 240,
    resolveBudgetSeconds: 420,
  },
  {
    name: 'database-down',
    description:
      'the PostgreSQL server the services use is stopped (tools/postgres/postgres.sh stop) and started again.',
    fault: { kind: 'stop-database', service: 'product-service' },
    // The one page of a database outage. Here no postgres-exporter runs, so it comes from the
    // services' own db_client metrics (every service with database traffic failing); Alertmanager
    // inhibits what it explains, DatabaseOperationsFailing included.
    expected: { alertname: 'DatabaseDown', severity: 'critical' },
    alsoExpected: [
      firedAndResolved(
        'DatabaseOperationsFailing',
        ['user-service', 'product-service', 'order-service'],
        240,
      ),
    ],
    tolerated: [
      {
        match: { alertname: 'DatabaseOperationsFailing' },
        why: 'each storing service warns as its operations fail; a warning may reach chat in the seconds before DatabaseDown fires and inhibits it',
      },
      {
        match: { alertname: 'AgentExecutionErrors' },
        why: 'agents whose tools call product-service fail with it (a warning)',
      },
      {
        match: { alertname: 'HighErrorRate' },
        why: 'the storing services answer 5xx; the warning can reach chat in the seconds before DatabaseOperationsFailing fires and inhibits it',
      },
      {
        match: { alertname: 'ErrorBudgetBurn', slo: 'availability' },
        why: "inhibited while DatabaseDown fires; once PostgreSQL is back DatabaseDown resolves within seconds, while the burn's 5-minute window still holds the outage: the users' view of the same outage may page then",
      },
    ],
    mix: REALISTIC,
    probe: { method: 'GET', path: '/api/products?limit=5' },
    // The services' 1-minute failure ratio crosses 90% within a minute, then `for: 30s`.
    detectBudgetSeconds: 150,
    resolveBudgetSeconds: 180,
  },
];

export function findDrill(name: string): Drill | undefined {
  return DRILLS.find((drill) => drill.name === name);
}

export function matches(labels: Record<string, string>, matcher: AlertMatcher): boolean {
  return Object.entries(matcher).every(([key, value]) => labels[key] === value);
}
