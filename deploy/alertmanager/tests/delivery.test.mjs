// Live test of the native receivers: a real Alertmanager with PagerDuty, Slack and email on,
// pointed at the fake receivers (deploy/test/fake-receivers), which refuse anything that breaks
// the providers' formats. Alerts are posted to Alertmanager's API as Prometheus posts them:
//   - ServiceDown (critical) -> one PagerDuty trigger and one Slack message, naming the service
//     and linking its runbook; resolved -> a PagerDuty resolve with the same dedup_key;
//   - a warning -> Slack only; an info alert -> one email (subject, plain-text body, SMTP AUTH).
// Run by deploy/test/run.sh:  node deploy/alertmanager/tests/delivery.test.mjs
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { freePort, postAlerts, repo, session, waitFor } from './harness.mjs';

const { start, startAlertmanager, stop } = session('am-delivery');
const runbook = (name) => `https://github.com/example-org/nestjs-observability-reference/blob/main/docs/runbooks/${name}.md`;
const alert = (labels, summary, endsAt) => ({
  labels,
  annotations: { summary, description: `${summary}: delivery test`, runbook_url: runbook(labels.alertname) },
  startsAt: new Date(Date.now() - 60_000).toISOString(),
  ...(endsAt && { endsAt }),
});
const userDown = { alertname: 'ServiceDown', severity: 'critical', service: 'user-service', upstream: 'user-service' };
const productSlow = { alertname: 'HighLatencyP95', severity: 'warning', service: 'product-service' };
const agentNote = { alertname: 'SomethingToKnow', severity: 'info', service: 'agent-service' };

try {
  const [httpPort, smtpPort] = [await freePort(), await freePort()];
  const fake = `http://127.0.0.1:${httpPort}`;
  start(process.execPath, [join(repo, 'deploy', 'test', 'fake-receivers', 'fake-receivers.mjs')], {
    FAKE_RECEIVERS_HTTP_PORT: String(httpPort),
    FAKE_RECEIVERS_SMTP_PORT: String(smtpPort),
    FAKE_SMTP_USERNAME: 'alertmanager',
    FAKE_SMTP_PASSWORD: 'smtp-test-password',
  });
  await waitFor('fake receivers', async () => (await fetch(`${fake}/health`)).ok);
  const am = await startAlertmanager(
    {
      ALERTMANAGER_GROUP_WAIT: '1s',
      ALERTMANAGER_GROUP_INTERVAL: '3s',
      PAGERDUTY_URL: `${fake}/v2/enqueue`,
      SLACK_CHANNEL: '#shop-alerts',
      SMTP_SMARTHOST: `127.0.0.1:${smtpPort}`,
      SMTP_FROM: 'alertmanager@shop.example',
      ALERT_EMAIL_TO: 'oncall@shop.example',
      SMTP_AUTH_USERNAME: 'alertmanager',
      SMTP_REQUIRE_TLS: 'false', // the fake has no STARTTLS
    },
    {
      PAGERDUTY_ROUTING_KEY: 'R0UT1NGKEY0000000000000000000000\n',
      SLACK_WEBHOOK_URL: `${fake}/services/T000/B000/XXXXXXXX\n`,
      SMTP_AUTH_PASSWORD: 'smtp-test-password\n',
    },
  );
  const received = async (kind) => (await fetch(`${fake}/received?kind=${kind}`)).json();
  const mentions = (record, text) => JSON.stringify(record.body).includes(text);

  await postAlerts(am, [
    alert(userDown, 'user-service is down'),
    alert(productSlow, 'product-service p95 latency is high'),
    alert(agentNote, 'agent-service has something to say'),
  ]);
  const [trigger] = await waitFor('a PagerDuty trigger', async () => {
    const events = await received('pagerduty');
    return events.length ? events : undefined;
  });
  await waitFor('Slack messages for the page and the warning', async () => (await received('slack')).length >= 2);
  const [mail] = await waitFor('an email', async () => {
    const mails = await received('email');
    return mails.length ? mails : undefined;
  });

  // PagerDuty: the page, and only the page.
  const triggers = await received('pagerduty');
  assert.equal(triggers.length, 1, `one PagerDuty event, got ${JSON.stringify(triggers)}`);
  assert.ok(trigger.valid, `PagerDuty event valid: ${trigger.errors}`);
  assert.equal(trigger.body.event_action, 'trigger');
  assert.equal(trigger.body.routing_key, 'R0UT1NGKEY0000000000000000000000');
  assert.equal(trigger.body.payload.source, 'user-service');
  assert.equal(trigger.body.payload.severity, 'critical');
  assert.match(trigger.body.payload.summary, /^\[FIRING:1\] ServiceDown on user-service \(critical\)$/);
  assert.equal(trigger.body.payload.custom_details.labels.service, 'user-service');
  assert.deepEqual(
    trigger.body.links.map((link) => link.text),
    ['Runbook', 'Grafana dashboard', 'Error traces in Jaeger', 'Silence'],
  );
  assert.equal(trigger.body.links[0].href, runbook('ServiceDown'));
  console.log(`# PagerDuty: one trigger for user-service, dedup_key ${trigger.body.dedup_key}`);

  // Slack: one message for the page, one for the warning, each naming its service and runbook.
  const slack = await received('slack');
  for (const [service, name] of [['user-service', 'ServiceDown'], ['product-service', 'HighLatencyP95']]) {
    const messages = slack.filter((m) => mentions(m, `on ${service}`));
    assert.equal(messages.length, 1, `one Slack message for ${service}`);
    assert.ok(messages[0].valid, `Slack message valid: ${messages[0].errors}`);
    assert.equal(messages[0].body.channel, '#shop-alerts');
    assert.ok(messages[0].body.attachments[0].text.includes(`<${runbook(name)}|Runbook>`), 'links the runbook');
  }
  assert.ok(!triggers.some((t) => mentions(t, 'product-service')), 'the warning does not page');
  console.log('# Slack: one message each for the page and the warning; the warning did not page');

  // Email: the info alert, over SMTP with AUTH, a well-formed message.
  assert.ok(mail.valid, `email well-formed: ${mail.errors}`);
  assert.deepEqual(mail.body.to, ['oncall@shop.example']);
  assert.equal(mail.body.headers.subject, '[FIRING:1] SomethingToKnow on agent-service (info)');
  assert.ok(mail.body.text.includes(`Runbook:    ${runbook('SomethingToKnow')}`), mail.body.text);
  console.log(`# email: "${mail.body.headers.subject}" to ${mail.body.to}`);

  // Resolved: PagerDuty resolves the incident it opened.
  await postAlerts(am, [alert(userDown, 'user-service is down', new Date().toISOString())]);
  const resolve = await waitFor('a PagerDuty resolve', async () =>
    (await received('pagerduty')).find((event) => event.body.event_action === 'resolve'),
  );
  assert.ok(resolve.valid, `resolve valid: ${resolve.errors}`);
  assert.equal(resolve.body.dedup_key, trigger.body.dedup_key, 'resolve carries the trigger dedup_key');
  await waitFor('the resolved Slack message', async () =>
    (await received('slack')).some((m) => mentions(m, '[RESOLVED] ServiceDown on user-service')),
  );
  const invalid = (await (await fetch(`${fake}/received`)).json()).filter((r) => !r.valid);
  assert.deepEqual(invalid, [], 'every delivery valid');
  console.log('# resolved: PagerDuty resolve with the same dedup_key, Slack [RESOLVED] message');
} finally {
  stop();
}
