import { z } from 'zod';
import { ConfigError, loadConfig, type ServiceDefinition } from './service-config';

// Definitions shaped as the apps' service.ts files are; each app's own variables are
// tested with its real definition beside it (apps/<service>/src/service.spec.ts).
const USER_SERVICE = {
  serviceName: 'user-service',
  jwt: true,
  variables: { JWT_EXPIRES_IN_SECONDS: z.coerce.number().int().positive().default(3_600) },
} as const satisfies ServiceDefinition;
const GATEWAY = { serviceName: 'api-gateway', jwt: true } as const satisfies ServiceDefinition;
const PRODUCT_SERVICE = {
  serviceName: 'product-service',
  variables: { RESERVATION_TTL_MS: z.coerce.number().int().min(1_000).default(120_000) },
} as const satisfies ServiceDefinition;
const ORDER_SERVICE = { serviceName: 'order-service' } as const satisfies ServiceDefinition;
const AGENT_SERVICE = { serviceName: 'agent-service' } as const satisfies ServiceDefinition;
const ADMIN_TOKEN = 'a-long-enough-admin-token';

/** The message of the ConfigError loadConfig throws for `env`. */
function problems(definition: ServiceDefinition, env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(definition, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected the configuration to be refused');
}

describe('loadConfig', () => {
  it('gives every service working development defaults from an empty environment', () => {
    const config = loadConfig(USER_SERVICE, {});

    expect(config).toEqual({
      serviceName: 'user-service',
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      PORT: 8081,
      SHUTDOWN_TIMEOUT_MS: 10_000,
      SHUTDOWN_DRAIN_MS: 1_000,
      FAULT_INJECTION: 'disabled',
      DATA_DIR: '.data',
      upstreams: {},
      JWT_SECRET: expect.any(String),
      JWT_EXPIRES_IN_SECONDS: 3_600,
    });
    expect(config.JWT_SECRET.length).toBeGreaterThanOrEqual(16);
    const timeoutMs = 3_000;
    expect(loadConfig(GATEWAY, {})).toMatchObject({
      PORT: 8080,
      upstreams: {
        'user-service': { url: 'http://localhost:8081', timeoutMs },
        'product-service': { url: 'http://localhost:8082', timeoutMs },
        'order-service': { url: 'http://localhost:8083', timeoutMs },
        'agent-service': { url: 'http://localhost:8084', timeoutMs },
      },
    });
    expect(loadConfig(PRODUCT_SERVICE, {})).toMatchObject({
      PORT: 8082,
      DATA_DIR: '.data',
      RESERVATION_TTL_MS: 120_000,
    });
  });

  it('reads only the variables of the service: its own, storage if it owns a database, JWT if it handles tokens', () => {
    const everything = {
      DATA_DIR: '/var/lib/shop',
      JWT_SECRET: 'a-production-secret-of-32-chars!',
      RESERVATION_TTL_MS: '5000',
      UPSTREAM_TIMEOUT_MS: '250',
      USER_SERVICE_URL: 'http://users.internal',
    };

    expect(Object.keys(loadConfig(AGENT_SERVICE, everything)).sort()).toEqual(
      [
        'serviceName',
        'NODE_ENV',
        'LOG_LEVEL',
        'PORT',
        'SHUTDOWN_TIMEOUT_MS',
        'SHUTDOWN_DRAIN_MS',
        'FAULT_INJECTION',
        'upstreams',
      ].sort(),
    );
    const products = loadConfig(PRODUCT_SERVICE, everything);
    expect(products).toMatchObject({ DATA_DIR: '/var/lib/shop', RESERVATION_TTL_MS: 5_000 });
    expect(products).not.toHaveProperty('JWT_SECRET');
    expect(products).not.toHaveProperty('UPSTREAM_TIMEOUT_MS');
    const gateway = loadConfig(GATEWAY, everything);
    expect(gateway).toMatchObject({ JWT_SECRET: 'a-production-secret-of-32-chars!' });
    expect(gateway).not.toHaveProperty('DATA_DIR');
    expect(gateway).not.toHaveProperty('RESERVATION_TTL_MS');
  });

  it('ignores what another service reads, even when it would be invalid there', () => {
    const foreign = {
      RESERVATION_TTL_MS: 'soon',
      DATABASE_URL: 'mysql://db/app',
      PRODUCT_SERVICE_URL: 'ftp://products',
      JWT_SECRET: 'short',
    };
    expect(() =>
      loadConfig(AGENT_SERVICE, { ...foreign, PRODUCT_SERVICE_URL: undefined }),
    ).not.toThrow();
    expect(() => loadConfig(ORDER_SERVICE, { JWT_SECRET: 'short' })).not.toThrow();
    expect(() => loadConfig(USER_SERVICE, { PRODUCT_SERVICE_URL: 'ftp://products' })).not.toThrow();
  });

  it('reads PORT and the other numbers from their string values', () => {
    const config = loadConfig(PRODUCT_SERVICE, {
      PORT: '9100',
      SHUTDOWN_TIMEOUT_MS: '500',
      SHUTDOWN_DRAIN_MS: '0',
      RESERVATION_TTL_MS: '5000',
    });

    expect(config).toMatchObject({
      PORT: 9100,
      SHUTDOWN_TIMEOUT_MS: 500,
      SHUTDOWN_DRAIN_MS: 0,
      RESERVATION_TTL_MS: 5_000,
    });
    expect(loadConfig(ORDER_SERVICE, { UPSTREAM_TIMEOUT_MS: '250' }).upstreams).toEqual({
      'user-service': { url: 'http://localhost:8081', timeoutMs: 250 },
      'product-service': { url: 'http://localhost:8082', timeoutMs: 250 },
    });
  });

  it('refuses a drain that would outlast the shutdown timeout', () => {
    expect(
      problems(PRODUCT_SERVICE, { SHUTDOWN_TIMEOUT_MS: '2000', SHUTDOWN_DRAIN_MS: '2000' }),
    ).toBe(
      'invalid configuration for product-service: SHUTDOWN_DRAIN_MS must be shorter than SHUTDOWN_TIMEOUT_MS',
    );
  });

  it.each([
    ['RESERVATION_TTL_MS', '500'],
    ['UPSTREAM_TIMEOUT_MS', '0'],
    ['SHUTDOWN_TIMEOUT_MS', 'soon'],
  ])('refuses %s=%s', (variable, value) => {
    const definition = variable === 'UPSTREAM_TIMEOUT_MS' ? ORDER_SERVICE : PRODUCT_SERVICE;
    expect(problems(definition, { [variable]: value })).toContain(variable);
  });

  it.each(['abc', '0', '70000', '80.5'])('refuses PORT=%s', (port) => {
    expect(problems(PRODUCT_SERVICE, { PORT: port })).toMatch(/\bPORT\b/);
  });

  it('keeps the values it is given', () => {
    const config = loadConfig(USER_SERVICE, {
      NODE_ENV: 'production',
      JWT_SECRET: 'a-production-secret-of-32-chars!',
      LOG_LEVEL: 'warn',
      DATABASE_URL: 'postgresql://app@db/app',
      JWT_EXPIRES_IN_SECONDS: '60',
    });

    expect(config).toMatchObject({
      NODE_ENV: 'production',
      JWT_SECRET: 'a-production-secret-of-32-chars!',
      LOG_LEVEL: 'warn',
      DATABASE_URL: 'postgresql://app@db/app',
      JWT_EXPIRES_IN_SECONDS: 60,
    });
    const gateway = loadConfig(GATEWAY, { USER_SERVICE_URL: 'http://users.internal:80' });
    expect(gateway.upstreams['user-service']?.url).toBe('http://users.internal:80');
  });

  it('reads the URL variables of the services it calls, and only those', () => {
    const env = { USER_SERVICE_URL: 'http://users.internal', AGENT_SERVICE_URL: 'ftp://agents' };

    const orders = loadConfig(ORDER_SERVICE, env);
    expect(orders.upstreams).toEqual({
      'user-service': { url: 'http://users.internal', timeoutMs: 3_000 },
      'product-service': { url: 'http://localhost:8082', timeoutMs: 3_000 },
    });
    expect(orders).not.toHaveProperty('USER_SERVICE_URL');
    expect(problems(GATEWAY, env)).toBe(
      'invalid configuration for api-gateway: AGENT_SERVICE_URL Invalid URL',
    );
    expect(loadConfig(USER_SERVICE, env).upstreams).toEqual({});
  });

  it('requires JWT_SECRET in production for the services that handle tokens, and only for them', () => {
    expect(problems(USER_SERVICE, { NODE_ENV: 'production' })).toBe(
      'invalid configuration for user-service: JWT_SECRET is required when NODE_ENV=production',
    );
    expect(problems(GATEWAY, { NODE_ENV: 'production' })).toContain('JWT_SECRET');
    expect(() => loadConfig(PRODUCT_SERVICE, { NODE_ENV: 'production' })).not.toThrow();
  });

  it('refuses a JWT_SECRET too short to be safe', () => {
    expect(problems(USER_SERVICE, { JWT_SECRET: 'short' })).toContain(
      'JWT_SECRET must be at least 16 characters',
    );
  });

  it('requires ADMIN_TOKEN when fault injection is enabled', () => {
    expect(problems(PRODUCT_SERVICE, { FAULT_INJECTION: 'enabled' })).toContain(
      'ADMIN_TOKEN is required when FAULT_INJECTION=enabled',
    );
    expect(
      loadConfig(PRODUCT_SERVICE, { FAULT_INJECTION: 'enabled', ADMIN_TOKEN }).ADMIN_TOKEN,
    ).toBe(ADMIN_TOKEN);
  });

  it('names every offending variable in one message', () => {
    const message = problems(USER_SERVICE, {
      NODE_ENV: 'production',
      PORT: 'eighty',
      LOG_LEVEL: 'loud',
      DATABASE_URL: 'mysql://db/app',
      JWT_EXPIRES_IN_SECONDS: '-1',
      FAULT_INJECTION: 'enabled',
    });

    expect(message).toMatch(/^invalid configuration for user-service: /);
    for (const variable of [
      'PORT',
      'LOG_LEVEL',
      'DATABASE_URL',
      'JWT_EXPIRES_IN_SECONDS',
      'JWT_SECRET',
      'ADMIN_TOKEN',
    ]) {
      expect(message).toContain(variable);
    }
    expect(message).toContain('DATABASE_URL must be a postgres:// URL');
    expect(problems(GATEWAY, { PORT: 'eighty', PRODUCT_SERVICE_URL: 'ftp://products' })).toMatch(
      /PORT .*; PRODUCT_SERVICE_URL /,
    );
  });
});
