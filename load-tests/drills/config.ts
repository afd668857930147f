// Where the drill runner finds the stack and the services. Every address is a loopback default
// from CONTRACT.md and deploy/README.md, overridable by environment variable.

export interface DrillConfig {
  prometheusUrl: string;
  alertmanagerUrl: string;
  /** The webhook sink Alertmanager notifies (deploy/webhook-sink). */
  webhookSinkUrl: string;
  grafanaUrl: string;
  jaegerUrl: string;
  gatewayUrl: string;
  /** Bearer token for the services' /admin/faults endpoints. */
  adminToken: string;
  /** Journeys per second the drill load drives through the gateway. */
  loadRate: number;
  reportsDir: string;
  /** How long to wait for alerts left by an earlier drill to resolve before starting. */
  settleSeconds: number;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): DrillConfig {
  return {
    prometheusUrl: env.PROMETHEUS_URL ?? 'http://127.0.0.1:9090',
    alertmanagerUrl: env.ALERTMANAGER_URL ?? 'http://127.0.0.1:9093',
    webhookSinkUrl: env.WEBHOOK_SINK_URL ?? 'http://127.0.0.1:9095',
    grafanaUrl: env.GRAFANA_URL ?? 'http://127.0.0.1:3000',
    jaegerUrl: env.JAEGER_URL ?? 'http://127.0.0.1:16686',
    gatewayUrl: env.BASE_URL ?? 'http://127.0.0.1:8080',
    adminToken: env.ADMIN_TOKEN ?? 'drill-admin-token',
    loadRate: Number(env.DRILL_RATE ?? 8),
    reportsDir: env.DRILL_REPORTS_DIR ?? 'reports/drills',
    settleSeconds: Number(env.DRILL_SETTLE_SECONDS ?? 420),
  };
}

export const SERVICES = [
  'api-gateway',
  'user-service',
  'product-service',
  'order-service',
  'agent-service',
] as const;
export type ServiceName = (typeof SERVICES)[number];

export const SERVICE_PORTS: Record<ServiceName, number> = {
  'api-gateway': 8080,
  'user-service': 8081,
  'product-service': 8082,
  'order-service': 8083,
  'agent-service': 8084,
};
