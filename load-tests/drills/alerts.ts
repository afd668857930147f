// What the drill observes: alerts in Prometheus (state) and notifications that reached the
// webhook sink (what actually paged someone).
import type { DrillConfig } from './config.ts';
import { getJson } from './http.ts';

export interface FiringAlert {
  labels: Record<string, string>;
  state: string;
  activeAt?: string;
}

/** One alert inside one Alertmanager webhook notification, stamped with its arrival time. */
export interface Notification {
  receivedAt: Date;
  receiver: string;
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
}

/** Alerts Prometheus currently holds as firing (pending ones are not alerts yet). */
export async function firingAlerts(config: DrillConfig): Promise<FiringAlert[]> {
  const body = await getJson<{ data: { alerts: FiringAlert[] } }>(
    `${config.prometheusUrl}/api/v1/alerts`,
  );
  return body.data.alerts.filter((alert) => alert.state === 'firing');
}

/** Result of an instant PromQL query as label sets with their value. */
export async function query(
  config: DrillConfig,
  promql: string,
): Promise<{ metric: Record<string, string>; value: number }[]> {
  const url = `${config.prometheusUrl}/api/v1/query?query=${encodeURIComponent(promql)}`;
  const body = await getJson<{
    data: { result: { metric: Record<string, string>; value: [number, string] }[] };
  }>(url);
  return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
}

interface WebhookPayload {
  alerts?: { status: string; labels: Record<string, string>; startsAt?: string; endsAt?: string }[];
}

/**
 * Every alert of every notification the sink recorded, oldest first. deploy/webhook-sink/sink.mjs
 * stores each webhook call as {receivedAt, receiver, notification} where `receiver` is the
 * Alertmanager receiver (pager, chat, info, watchdog) and `notification` the webhook payload.
 */
export async function notifications(config: DrillConfig): Promise<Notification[]> {
  const records = await getJson<
    { receivedAt: string; receiver: string; notification: WebhookPayload }[]
  >(`${config.webhookSinkUrl}/notifications`);
  return records.flatMap((record) =>
    (record.notification.alerts ?? []).map((alert) => ({
      receivedAt: new Date(record.receivedAt),
      receiver: record.receiver,
      status: alert.status === 'resolved' ? ('resolved' as const) : ('firing' as const),
      labels: alert.labels,
      startsAt: alert.startsAt,
      endsAt: alert.endsAt,
    })),
  );
}

export function describe(labels: Record<string, string>): string {
  const { alertname, ...rest } = labels;
  const keys = ['namespace', 'service', 'severity', 'slo', 'upstream', 'agent_type'].filter(
    (k) => rest[k],
  );
  return `${alertname}{${keys.map((k) => `${k}="${rest[k]}"`).join(', ')}}`;
}

/** Identity of an alert across notifications: its name and the labels rules put on it. */
export function alertKey(labels: Record<string, string>): string {
  return describe(labels);
}
