// The service topology: every service's name, port, the variable that holds its URL, the
// database it owns and the services it calls. The one place these facts live; config schemas,
// upstream clients, the launcher, the harnesses, the Kubernetes NetworkPolicies and the
// dashboards' service lists derive from it. Erasable TypeScript with no imports, so Node runs
// it as is (`node tools/…/x.ts` imports it by path) and the apps import it through
// `@obs/api-contracts`.

export interface ServiceSpec {
  /** The default `PORT`, also the port the service listens on in Kubernetes. */
  readonly port: number;
  /** The variable other services read this service's base URL from; absent for the edge. */
  readonly urlVariable?: string;
  /** The database this service owns on a shared PostgreSQL server; absent when it has none. */
  readonly database?: string;
  /** The services this one calls over HTTP (its upstreams). */
  readonly calls: readonly ServiceName[];
}

export const SERVICE_NAMES = [
  'api-gateway',
  'user-service',
  'product-service',
  'order-service',
  'agent-service',
] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export const TOPOLOGY: Readonly<Record<ServiceName, ServiceSpec>> = {
  'api-gateway': {
    port: 8080,
    calls: ['user-service', 'product-service', 'order-service', 'agent-service'],
  },
  'user-service': {
    port: 8081,
    urlVariable: 'USER_SERVICE_URL',
    database: 'users',
    calls: [],
  },
  'product-service': {
    port: 8082,
    urlVariable: 'PRODUCT_SERVICE_URL',
    database: 'products',
    calls: [],
  },
  'order-service': {
    port: 8083,
    urlVariable: 'ORDER_SERVICE_URL',
    database: 'orders',
    calls: ['user-service', 'product-service'],
  },
  'agent-service': {
    port: 8084,
    urlVariable: 'AGENT_SERVICE_URL',
    calls: ['user-service', 'product-service', 'order-service'],
  },
};

/** The public entry point: the only service reachable from outside. */
export const EDGE_SERVICE: ServiceName = 'api-gateway';

/** Every service some other service calls, in topology order. */
export const UPSTREAM_SERVICE_NAMES: readonly ServiceName[] = SERVICE_NAMES.filter((name) =>
  SERVICE_NAMES.some((caller) => TOPOLOGY[caller].calls.includes(name)),
);

/** The services that call `name`. */
export function callersOf(name: ServiceName): ServiceName[] {
  return SERVICE_NAMES.filter((caller) => TOPOLOGY[caller].calls.includes(name));
}

/** `http://localhost:<port>`: a service's URL when its variable is unset. */
export function defaultUrl(name: ServiceName): string {
  return `http://localhost:${TOPOLOGY[name].port}`;
}

/** The variable that holds `name`'s base URL; every service another one calls has one. */
export function urlVariableOf(name: ServiceName): string {
  const variable = TOPOLOGY[name].urlVariable;
  if (!variable) throw new Error(`${name} has no URL variable: no service may call it`);
  return variable;
}
