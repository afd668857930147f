// Expectations that an alert reached people, not just Alertmanager's webhook: what the fake
// PagerDuty and Slack of deploy/test/fake-receivers received during the incident. The drill's
// stack runs them (stack.sh with STACK_FAKE_RECEIVERS=true, as fresh-stack.ts starts it), and
// they refuse anything that breaks the providers' formats.
import type { Expectation, Incident } from './catalogue.ts';
import { getJson, sleep } from './http.ts';

interface Delivery {
  receivedAt: string;
  kind: 'pagerduty' | 'slack' | 'email';
  valid: boolean;
  errors: string[];
  body: PagerDutyEvent & SlackMessage;
}

interface PagerDutyEvent {
  event_action: string;
  dedup_key: string;
  payload?: { summary: string; source: string; severity: string; class?: string };
  links?: { href: string; text: string }[];
}

interface SlackMessage {
  attachments?: { title?: string; text?: string }[];
}

/** How long after the resolved webhook notification the PagerDuty resolve may still arrive. */
const RESOLVE_WAIT_MS = 20_000;

async function deliveries(incident: Incident, kind: Delivery['kind']): Promise<Delivery[]> {
  const url = `${incident.config.fakeReceiversUrl}/received?kind=${kind}`;
  const all = await getJson<Delivery[]>(url).catch((error: Error) => {
    throw new Error(
      `fake receivers not reachable at ${url} (start the stack with STACK_FAKE_RECEIVERS=true): ${error.message}`,
    );
  });
  return all.filter((d) => new Date(d.receivedAt) >= incident.faultStartedAt);
}

const pageFor = (alertname: string, service: string) => (d: Delivery) =>
  d.body.payload?.class === alertname && d.body.payload.source === service;
const slackFor =
  (status: 'FIRING' | 'RESOLVED', alertname: string, service: string) => (d: Delivery) =>
    (d.body.attachments ?? []).some((a) =>
      new RegExp(`^\\[${status}(:\\d+)?\\] ${alertname} on ${service} `).test(a.title ?? ''),
    );
const invalid = (list: Delivery[]) =>
  list.filter((d) => !d.valid).map((d) => `invalid ${d.kind} delivery: ${d.errors.join(', ')}`);

/**
 * The page reached a person: PagerDuty got one trigger and Slack one message, both naming the
 * service and linking the alert's runbook, and the resolution a PagerDuty resolve with the
 * trigger's dedup_key.
 */
export function pagedAndChatted(alertname: string, service: string): Expectation {
  return {
    description: `${alertname} on ${service} paged PagerDuty and Slack once, and PagerDuty resolved`,
    async check(incident) {
      const unmet: string[] = [];
      const runbook = `/${alertname}.md`;
      const triggers = (await deliveries(incident, 'pagerduty')).filter(
        (d) => pageFor(alertname, service)(d) && d.body.event_action === 'trigger',
      );
      if (triggers.length !== 1) unmet.push(`${triggers.length} PagerDuty triggers, not 1`);
      const trigger = triggers[0];
      if (
        trigger &&
        !trigger.body.links?.some((l) => l.text === 'Runbook' && l.href.endsWith(runbook))
      )
        unmet.push('the PagerDuty trigger does not link the runbook');
      const slack = (await deliveries(incident, 'slack')).filter(
        slackFor('FIRING', alertname, service),
      );
      if (slack.length !== 1) unmet.push(`${slack.length} firing Slack messages, not 1`);
      if (
        slack[0] &&
        !slack[0].body.attachments?.some((a) => a.text?.includes(`${runbook}|Runbook>`))
      )
        unmet.push('the Slack message does not link the runbook');

      const deadline = Date.now() + RESOLVE_WAIT_MS;
      let resolve: Delivery | undefined;
      while (trigger && !resolve && Date.now() < deadline) {
        resolve = (await deliveries(incident, 'pagerduty')).find(
          (d) => d.body.event_action === 'resolve' && d.body.dedup_key === trigger.body.dedup_key,
        );
        if (!resolve) await sleep(2000);
      }
      if (trigger && !resolve)
        unmet.push(`no PagerDuty resolve with dedup_key ${trigger.body.dedup_key}`);
      unmet.push(
        ...invalid([
          ...(await deliveries(incident, 'pagerduty')),
          ...(await deliveries(incident, 'slack')),
        ]),
      );
      return unmet;
    },
  };
}

/** A warning reached Slack and did not page: no PagerDuty event carries it. */
export function chattedNotPaged(alertname: string, service: string): Expectation {
  return {
    description: `${alertname} on ${service} reached Slack and not PagerDuty`,
    async check(incident) {
      const unmet: string[] = [];
      const slack = (await deliveries(incident, 'slack')).filter(
        slackFor('FIRING', alertname, service),
      );
      if (slack.length === 0) unmet.push('no firing Slack message');
      const pages = (await deliveries(incident, 'pagerduty')).filter(pageFor(alertname, service));
      if (pages.length > 0) unmet.push(`${pages.length} PagerDuty events for a warning`);
      unmet.push(
        ...invalid([
          ...(await deliveries(incident, 'pagerduty')),
          ...(await deliveries(incident, 'slack')),
        ]),
      );
      return unmet;
    },
  };
}
