import { defaultUrl, type ServiceName, TOPOLOGY, urlVariableOf } from '@obs/api-contracts';
import { z } from 'zod';

const DEVELOPMENT_JWT_SECRET = 'development-only-secret-change-me';

const serviceUrl = (name: ServiceName) => z.url({ protocol: /^https?$/ }).default(defaultUrl(name));

/** Variables every service reads. */
const commonVariables = {
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  /** How long SIGTERM waits for in-flight requests before exiting anyway. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /**
   * How long SIGTERM keeps the listener open with /health/ready at 503 before it
   * closes, so load balancers stop sending work first; 0 closes it at once.
   */
  SHUTDOWN_DRAIN_MS: z.coerce.number().int().min(0).default(1_000),
  FAULT_INJECTION: z.enum(['enabled', 'disabled']).default('disabled'),
  ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
};

/** Variables a service that calls others reads. */
const upstreamVariables = {
  /** Per-call timeout for calls to another service; past it the caller answers 504. */
  UPSTREAM_TIMEOUT_MS: z.coerce.number().int().positive().default(3_000),
  /** Agents run several tool calls in a row, so the gateway waits longer for them. */
  AGENT_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
};

/** How the order flow stays consistent across crashes (product- and order-service). */
const orderFlowVariables = {
  /** How long reserved stock stays held for an order that has not confirmed it. */
  RESERVATION_TTL_MS: z.coerce.number().int().min(1_000).default(120_000),
  /** How often product-service returns the stock of expired reservations. */
  RESERVATION_SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).default(10_000),
  /** How often order-service finishes orders a crash left pending or cancelling. */
  ORDER_RECONCILE_INTERVAL_MS: z.coerce.number().int().min(100).default(30_000),
};

export interface ServiceConfigOptions {
  /** Its entry in the topology gives the default PORT and the services it calls. */
  serviceName: ServiceName;
  /** Signs or verifies access tokens: JWT_SECRET is then required in production. */
  jwt?: boolean;
}

/** The schema of a service's environment; `options` says which variables it cannot do without. */
export function serviceConfigSchema(options: ServiceConfigOptions) {
  return z
    .object({
      ...commonVariables,
      PORT: z.coerce.number().int().min(1).max(65_535).default(TOPOLOGY[options.serviceName].port),
      ...upstreamVariables,
      ...orderFlowVariables,
      DATABASE_URL: z
        .string()
        .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
        .optional(),
      /** The embedded databases' root: each service keeps its own in `<DATA_DIR>/<service>`. */
      DATA_DIR: z.string().min(1).default('.data'),
      JWT_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
      JWT_EXPIRES_IN_SECONDS: z.coerce.number().int().positive().default(3_600),
    })
    .superRefine(
      (env, context) => {
        if (options.jwt && env.NODE_ENV === 'production' && !env.JWT_SECRET) {
          context.addIssue({
            code: 'custom',
            path: ['JWT_SECRET'],
            message: 'is required when NODE_ENV=production',
          });
        }
        if (env.SHUTDOWN_DRAIN_MS >= env.SHUTDOWN_TIMEOUT_MS) {
          context.addIssue({
            code: 'custom',
            path: ['SHUTDOWN_DRAIN_MS'],
            message: 'must be shorter than SHUTDOWN_TIMEOUT_MS',
          });
        }
        if (env.FAULT_INJECTION === 'enabled' && !env.ADMIN_TOKEN) {
          context.addIssue({
            code: 'custom',
            path: ['ADMIN_TOKEN'],
            message: 'is required when FAULT_INJECTION=enabled',
          });
        }
      },
      // Also when another variable is invalid: the one message names every problem.
      { when: () => true },
    )
    .transform((env) => ({
      ...env,
      serviceName: options.serviceName,
      JWT_SECRET: env.JWT_SECRET ?? DEVELOPMENT_JWT_SECRET,
    }));
}

/**
 * The URL variable of each service `name` calls (and only those), read into the base URL of each:
 * `{ 'user-service': USER_SERVICE_URL, … }`.
 */
function upstreamUrlsSchema(name: ServiceName) {
  const callees = TOPOLOGY[name].calls;
  return z
    .object(
      Object.fromEntries(callees.map((callee) => [urlVariableOf(callee), serviceUrl(callee)])),
    )
    .transform(
      (env) =>
        Object.fromEntries(
          callees.map((callee) => [callee, env[urlVariableOf(callee)]]),
        ) as Partial<Record<ServiceName, string>>,
    );
}

export type ServiceConfig = z.output<ReturnType<typeof serviceConfigSchema>> & {
  /** The base URL of each service this one calls, from the callee's URL variable. */
  upstreamUrls: Partial<Record<ServiceName, string>>;
};

/** Thrown when the environment is invalid; its message names every offending variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Validates the environment once, at start. */
export function loadConfig(
  options: ServiceConfigOptions,
  env: NodeJS.ProcessEnv = process.env,
): ServiceConfig {
  const variables = serviceConfigSchema(options).safeParse(env);
  const upstreamUrls = upstreamUrlsSchema(options.serviceName).safeParse(env);
  if (variables.success && upstreamUrls.success)
    return { ...variables.data, upstreamUrls: upstreamUrls.data };
  const issues = [...(variables.error?.issues ?? []), ...(upstreamUrls.error?.issues ?? [])];
  const problems = issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
  throw new ConfigError(`invalid configuration for ${options.serviceName}: ${problems.join('; ')}`);
}
