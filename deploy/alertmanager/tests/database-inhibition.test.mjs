// Live test of the database inhibitions of alertmanager.yml.tmpl against a real Alertmanager on
// loopback: a PostgreSQL outage is one page (DatabaseDown) and everything it explains in its
// namespace is inhibited; DatabaseOperationsFailing alone inhibits warnings, never a page.
// Run by deploy/test/run.sh:  node deploy/alertmanager/tests/database-inhibition.test.mjs
import assert from 'node:assert/strict';
import { postAlerts, session, waitFor } from './harness.mjs';

const { startAlertmanager, stop } = session('am-database-inhibition');

const alert = (labels) => ({
  labels,
  annotations: { summary: 'database inhibition test' },
  startsAt: new Date().toISOString(),
});
// namespace shop: PostgreSQL is down. namespace shop-dev: only order-service's operations fail.
const sent = {
  databaseDown: alert({ alertname: 'DatabaseDown', severity: 'critical', namespace: 'shop' }),
  orderDbFailing: alert({
    alertname: 'DatabaseOperationsFailing',
    severity: 'warning',
    namespace: 'shop',
    service: 'order-service',
  }),
  orderPage: alert({
    alertname: 'ErrorBudgetBurn',
    severity: 'critical',
    namespace: 'shop',
    service: 'order-service',
    slo: 'availability',
  }),
  gatewayPage: alert({
    alertname: 'ErrorBudgetBurn',
    severity: 'critical',
    namespace: 'shop',
    service: 'api-gateway',
    slo: 'availability',
  }),
  gatewayErrors: alert({
    alertname: 'HighErrorRate',
    severity: 'warning',
    namespace: 'shop',
    service: 'api-gateway',
  }),
  connections: alert({
    alertname: 'DatabaseConnectionsNearLimit',
    severity: 'warning',
    namespace: 'shop',
    instance: 'pg:9187',
  }),
  // Not explained by the database: stays.
  memory: alert({
    alertname: 'HighMemoryUsage',
    severity: 'warning',
    namespace: 'shop',
    service: 'agent-service',
  }),
  devOrderDbFailing: alert({
    alertname: 'DatabaseOperationsFailing',
    severity: 'warning',
    namespace: 'shop-dev',
    service: 'order-service',
  }),
  devGatewayErrors: alert({
    alertname: 'HighErrorRate',
    severity: 'warning',
    namespace: 'shop-dev',
    service: 'api-gateway',
  }),
  devOrderPage: alert({
    alertname: 'ErrorBudgetBurn',
    severity: 'critical',
    namespace: 'shop-dev',
    service: 'order-service',
    slo: 'availability',
  }),
};
const expectedInhibitions = {
  orderDbFailing: ['databaseDown'],
  orderPage: ['databaseDown'],
  gatewayPage: ['databaseDown'],
  // Both DatabaseDown and order-service's DatabaseOperationsFailing explain it: either may.
  gatewayErrors: ['databaseDown', 'orderDbFailing'],
  connections: ['databaseDown'],
  devGatewayErrors: ['devOrderDbFailing'],
};

const identity = (l) => [l.alertname, l.namespace, l.service, l.severity].join('/');
const keyOf = (labels) =>
  Object.keys(sent).find((key) => identity(sent[key].labels) === identity(labels));

try {
  const am = await startAlertmanager({
    ALERTMANAGER_GROUP_WAIT: '1s',
    ALERTMANAGER_GROUP_INTERVAL: '5s',
  });
  await postAlerts(am, Object.values(sent));
  const alerts = await waitFor('all alerts with their inhibition settled', async () => {
    const got = await (await fetch(`${am}/api/v2/alerts`)).json();
    const inhibited = got.filter((a) => a.status.inhibitedBy.length > 0).length;
    return got.length === Object.keys(sent).length &&
      inhibited === Object.keys(expectedInhibitions).length
      ? got
      : undefined;
  });
  const byKey = Object.fromEntries(alerts.map((a) => [keyOf(a.labels), a]));
  // Alertmanager names one inhibiting alert (the first it finds) when several would do.
  for (const key of Object.keys(sent)) {
    const sources = (expectedInhibitions[key] ?? []).map((source) => byKey[source].fingerprint);
    const by = byKey[key].status.inhibitedBy;
    if (sources.length === 0) assert.deepEqual(by, [], `${key}: not inhibited`);
    else
      assert.ok(by.length > 0 && by.every((f) => sources.includes(f)), `${key}: inhibitedBy ${by}`);
    console.log(
      `# ${key}: ${sources.length ? `inhibited (by one of ${expectedInhibitions[key].join(', ')})` : 'not inhibited'}`,
    );
  }
  const pages = alerts.filter(
    (a) => a.labels.severity === 'critical' && a.status.inhibitedBy.length === 0,
  );
  assert.deepEqual(
    pages.map((a) => keyOf(a.labels)).sort(),
    ['databaseDown', 'devOrderPage'],
    'pages left',
  );
  console.log('# the outage in shop pages once (DatabaseDown); shop-dev keeps its own page');
} finally {
  stop();
}
