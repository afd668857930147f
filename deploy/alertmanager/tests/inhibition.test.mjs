// Live test of alertmanager.yml.tmpl against a real Alertmanager on loopback: posts alerts,
// reads which ones Alertmanager inhibits (status.inhibitedBy), and checks that the webhook
// sink receives the notifications the routes promise. Run by deploy/test/run.sh:
//   node deploy/alertmanager/tests/inhibition.test.mjs
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { freePort, postAlerts, repo, session, waitFor } from './harness.mjs';

const { start, startAlertmanager, stop, work } = session('am-inhibition');

const alert = (labels) => ({
  labels,
  annotations: { summary: 'inhibition test' },
  startsAt: new Date().toISOString(),
});
const sent = {
  userDown: alert({
    alertname: 'ServiceDown',
    severity: 'critical',
    service: 'user-service',
    upstream: 'user-service',
  }),
  orderCannotReachUser: alert({
    alertname: 'UpstreamUnavailable',
    severity: 'warning',
    service: 'order-service',
    upstream: 'user-service',
  }),
  gatewayCannotReachProduct: alert({
    alertname: 'UpstreamUnavailable',
    severity: 'warning',
    service: 'api-gateway',
    upstream: 'product-service',
  }),
  userSlow: alert({ alertname: 'HighLatencyP95', severity: 'warning', service: 'user-service' }),
  orderSlow: alert({ alertname: 'HighLatencyP95', severity: 'warning', service: 'order-service' }),
  orderPage: alert({
    alertname: 'ErrorBudgetBurn',
    severity: 'critical',
    service: 'order-service',
    slo: 'availability',
  }),
  orderTicket: alert({
    alertname: 'ErrorBudgetBurn',
    severity: 'warning',
    service: 'order-service',
    slo: 'availability',
  }),
  orderLatencyTicket: alert({
    alertname: 'ErrorBudgetBurn',
    severity: 'warning',
    service: 'order-service',
    slo: 'latency',
  }),
  watchdog: alert({ alertname: 'Watchdog', severity: 'none' }),
  // One stuck replica of order-service (a warning) must not hide the page the other replica's
  // errors cause: ServiceInstancesDown inhibits nothing.
  orderInstancesDown: alert({
    alertname: 'ServiceInstancesDown',
    severity: 'warning',
    service: 'order-service',
  }),
  // Another environment's outage of the same service does not silence this one's alerts.
  devProductDown: alert({
    alertname: 'ServiceDown',
    severity: 'critical',
    namespace: 'shop-dev',
    service: 'product-service',
    upstream: 'product-service',
  }),
  prodProductPage: alert({
    alertname: 'ErrorBudgetBurn',
    severity: 'critical',
    namespace: 'shop',
    service: 'product-service',
    slo: 'availability',
  }),
  prodGatewayCannotReachProduct: alert({
    alertname: 'UpstreamUnavailable',
    severity: 'warning',
    namespace: 'shop',
    service: 'api-gateway',
    upstream: 'product-service',
  }),
};
// Which alert (by key above) inhibits which; every other alert must not be inhibited.
const expectedInhibitions = {
  userSlow: 'userDown',
  orderCannotReachUser: 'userDown',
  orderTicket: 'orderPage',
};

const identity = (labels) =>
  [
    labels.alertname,
    labels.namespace,
    labels.service,
    labels.severity,
    labels.slo,
    labels.upstream,
  ].join('/');
const keyOf = (labels) =>
  Object.keys(sent).find((key) => identity(sent[key].labels) === identity(labels));

try {
  const sinkPort = await freePort();
  const sink = `http://127.0.0.1:${sinkPort}`;
  start(process.execPath, [join(repo, 'deploy', 'webhook-sink', 'sink.mjs')], {
    WEBHOOK_SINK_PORT: String(sinkPort),
    WEBHOOK_SINK_FILE: join(work, 'notifications.jsonl'),
  });
  // The generic webhooks only, as the local stack has them by default.
  const am = await startAlertmanager(
    { ALERTMANAGER_GROUP_WAIT: '1s', ALERTMANAGER_GROUP_INTERVAL: '5s' },
    {
      PAGER_WEBHOOK_URL: `${sink}/pager`,
      CHAT_WEBHOOK_URL: `${sink}/chat`,
      INFO_WEBHOOK_URL: `${sink}/info`,
      WATCHDOG_WEBHOOK_URL: `${sink}/watchdog`,
    },
  );
  await waitFor('webhook sink', async () => (await fetch(`${sink}/health`)).ok);
  await postAlerts(am, Object.values(sent));

  // inhibitedBy holds the fingerprints of the inhibiting alerts.
  const alerts = await waitFor('all alerts with their inhibition settled', async () => {
    const got = await (await fetch(`${am}/api/v2/alerts`)).json();
    const inhibited = got.filter((a) => a.status.inhibitedBy.length > 0).length;
    return got.length === Object.keys(sent).length &&
      inhibited === Object.keys(expectedInhibitions).length
      ? got
      : undefined;
  });
  const byKey = Object.fromEntries(alerts.map((a) => [keyOf(a.labels), a]));
  for (const key of Object.keys(sent)) {
    const source = expectedInhibitions[key];
    const expected = source ? [byKey[source].fingerprint] : [];
    assert.deepEqual(byKey[key].status.inhibitedBy, expected, `${key}: inhibitedBy`);
    console.log(`# ${key}: ${source ? `inhibited by ${source}` : 'not inhibited'}`);
  }

  // Routes: ServiceDown pages and chats, a warning only chats; inhibited alerts notify no one.
  const notified = (records, receiver, key) =>
    records.some(
      (r) => r.receiver === receiver && r.notification.alerts.some((a) => keyOf(a.labels) === key),
    );
  const records = await waitFor('notifications at the sink', async () => {
    const got = await (await fetch(`${sink}/notifications`)).json();
    const arrived = [
      ['pager', 'userDown'],
      ['chat', 'userDown'],
      ['chat', 'orderSlow'],
      ['pager', 'orderPage'],
      ['pager', 'prodProductPage'],
      ['watchdog', 'watchdog'],
    ];
    return arrived.every(([receiver, key]) => notified(got, receiver, key)) ? got : undefined;
  });
  assert.ok(!notified(records, 'pager', 'orderSlow'), 'a warning does not page');
  assert.ok(
    !records.some((r) => r.receiver !== 'watchdog' && notified([r], r.receiver, 'watchdog')),
    'Watchdog reaches only the watchdog receiver',
  );
  assert.ok(
    !notified(records, 'chat', 'userSlow') && !notified(records, 'chat', 'orderTicket'),
    'inhibited alerts notify no one',
  );
  console.log('# notifications: pager, chat and watchdog received what the routes promise');
} finally {
  stop();
}
