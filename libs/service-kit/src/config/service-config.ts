import { defaultUrl, type ServiceName, TOPOLOGY, urlVariableOf } from '@obs/api-contracts';
import { z } from 'zod';

const DEVELOPMENT_JWT_SECRET = 'development-only-secret-change-me';

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

/** Variables of a service that owns a database in the topology. */
const storageVariables = {
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  /** The embedded databases' root: each service keeps its own in `<DATA_DIR>/<service>`. */
  DATA_DIR: z.string().min(1).default('.data'),
};

/** Variables of a service that signs or verifies access tokens (`jwt: true`). */
const jwtVariables = {
  JWT_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
};

/** Variables of a service that calls others, besides each callee's URL variable. */
const upstreamVariables = {
  /** Per-call timeout for calls to another service; past it the caller answers 504. */
  UPSTREAM_TIMEOUT_MS: z.coerce.number().int().positive().default(3_000),
};

/** What a service declares about itself; `apps/<service>/src/service.ts` holds it. */
export interface ServiceDefinition {
  /**
   * Its entry in the topology (`@obs/api-contracts`) gives the default PORT, the URL
   * variables it reads (those of the services it calls) and whether it reads the
   * storage variables (DATABASE_URL, DATA_DIR).
   */
  readonly serviceName: ServiceName;
  /** Signs or verifies access tokens: reads JWT_SECRET, required in production. */
  readonly jwt?: boolean;
  /** The variables only this service reads, as zod schemas. */
  readonly variables?: z.ZodRawShape;
}

/** One service this service calls. */
export interface Upstream {
  /** Its base URL, from its URL variable (e.g. USER_SERVICE_URL). */
  url: string;
  /** UPSTREAM_TIMEOUT_MS. */
  timeoutMs: number;
}

/** What every service's validated config holds; service-kit's providers read this. */
export type ServiceConfig = z.output<z.ZodObject<typeof commonVariables>> & {
  serviceName: ServiceName;
  PORT: number;
  /** The services this one calls (and only those), by name. */
  upstreams: Partial<Record<ServiceName, Upstream>>;
  /** Present when the service owns a database in the topology. */
  DATABASE_URL?: string;
  /** Present when the service owns a database in the topology. */
  DATA_DIR?: string;
};

/** A service's validated config: the common part, JWT_SECRET with `jwt`, and its own variables. */
export type ConfigOf<Definition extends ServiceDefinition> = ServiceConfig &
  (Definition['jwt'] extends true ? { JWT_SECRET: string } : unknown) &
  (Definition['variables'] extends z.ZodRawShape
    ? z.output<z.ZodObject<Definition['variables']>>
    : unknown);

/** The schema of a service's environment, built from its definition and its place in the topology. */
function serviceConfigSchema(definition: ServiceDefinition) {
  const { serviceName, jwt = false, variables = {} } = definition;
  const { port, calls, database } = TOPOLOGY[serviceName];
  const callees = Object.fromEntries(
    calls.map((callee) => [
      urlVariableOf(callee),
      z.url({ protocol: /^https?$/ }).default(defaultUrl(callee)),
    ]),
  );
  return z
    .object({
      ...commonVariables,
      PORT: z.coerce.number().int().min(1).max(65_535).default(port),
      ...(database ? storageVariables : {}),
      ...(calls.length > 0 ? { ...upstreamVariables, ...callees } : {}),
      ...(jwt ? jwtVariables : {}),
      ...variables,
    })
    .superRefine(
      (env, context) => {
        if (jwt && env.NODE_ENV === 'production' && !env.JWT_SECRET) {
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
    .transform((env) => {
      const read = env as Record<string, unknown>;
      const upstreams = Object.fromEntries(
        calls.map((callee) => [
          callee,
          { url: read[urlVariableOf(callee)], timeoutMs: read.UPSTREAM_TIMEOUT_MS },
        ]),
      );
      // The URL variables and UPSTREAM_TIMEOUT_MS are read into `upstreams`.
      const rest = Object.fromEntries(
        Object.entries(env).filter(([name]) => !(name in callees || name in upstreamVariables)),
      );
      return {
        ...rest,
        serviceName,
        upstreams,
        ...(jwt ? { JWT_SECRET: env.JWT_SECRET ?? DEVELOPMENT_JWT_SECRET } : {}),
      };
    });
}

/** Thrown when the environment is invalid; its message names every offending variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Validates the environment once, at start: only the variables `definition` reads. */
export function loadConfig<Definition extends ServiceDefinition>(
  definition: Definition,
  env: NodeJS.ProcessEnv = process.env,
): ConfigOf<Definition> {
  const result = serviceConfigSchema(definition).safeParse(env);
  if (result.success) return result.data as ConfigOf<Definition>;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
  throw new ConfigError(
    `invalid configuration for ${definition.serviceName}: ${problems.join('; ')}`,
  );
}
