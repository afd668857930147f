import { ConfigError, loadConfig, type ServiceConfigOptions } from './service-config';

const USER_SERVICE: ServiceConfigOptions = {
  serviceName: 'user-service',
  jwt: true,
};
const GATEWAY: ServiceConfigOptions = {
  serviceName: 'api-gateway',
  jwt: true,
};
const PRODUCT_SERVICE: ServiceConfigOptions = {
  serviceName: 'product-service',
};
const ORDER_SERVICE: ServiceConfigOptions = { serviceName: 'order-service' };
const ADMIN_TOKEN = 'a-long-enough-admin-token';

/** The message of the ConfigError loadConfig throws for `env`. */
function problems(options: ServiceConfigOptions, env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(options, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected the configuration to be refused');
}

describe('loadConfig', () => {
  it('gives every service working development defaults from an empty environment', () => {
    const config = loadConfig(USER_SERVICE, {});

    expect(config).toMatchObject({
      serviceName: 'user-service',
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      PORT: 8081,
      DATA_DIR: '.data',
      FAULT_INJECTION: 'disabled',
      UPSTREAM_TIMEOUT_MS: 3_000,
      SHUTDOWN_TIMEOUT_MS: 10_000,
      SHUTDOWN_DRAIN_MS: 1_000,
      RESERVATION_TTL_MS: 120_000,
      RESERVATION_SWEEP_INTERVAL_MS: 10_000,
      ORDER_RECONCILE_INTERVAL_MS: 30_000,
      JWT_EXPIRES_IN_SECONDS: 3_600,
    });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.JWT_SECRET.length).toBeGreaterThanOrEqual(16);
    expect(loadConfig(GATEWAY, {})).toMatchObject({
      PORT: 8080,
      upstreamUrls: {
        'user-service': 'http://localhost:8081',
        'product-service': 'http://localhost:8082',
        'order-service': 'http://localhost:8083',
        'agent-service': 'http://localhost:8084',
      },
    });
    expect(loadConfig(PRODUCT_SERVICE, {})).toMatchObject({
      PORT: 8082,
      DATA_DIR: '.data',
    });
  });

  it('reads PORT and the other numbers from their string values', () => {
    const config = loadConfig(PRODUCT_SERVICE, {
      PORT: '9100',
      UPSTREAM_TIMEOUT_MS: '250',
      SHUTDOWN_TIMEOUT_MS: '500',
      SHUTDOWN_DRAIN_MS: '0',
      RESERVATION_TTL_MS: '5000',
      RESERVATION_SWEEP_INTERVAL_MS: '500',
      ORDER_RECONCILE_INTERVAL_MS: '750',
    });

    expect(config).toMatchObject({
      PORT: 9100,
      UPSTREAM_TIMEOUT_MS: 250,
      SHUTDOWN_TIMEOUT_MS: 500,
      SHUTDOWN_DRAIN_MS: 0,
      RESERVATION_TTL_MS: 5_000,
      RESERVATION_SWEEP_INTERVAL_MS: 500,
      ORDER_RECONCILE_INTERVAL_MS: 750,
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
    ['RESERVATION_SWEEP_INTERVAL_MS', '0'],
    ['ORDER_RECONCILE_INTERVAL_MS', 'soon'],
  ])('refuses %s=%s', (variable, value) => {
    expect(problems(PRODUCT_SERVICE, { [variable]: value })).toContain(variable);
  });

  it.each(['abc', '0', '70000', '80.5'])('refuses PORT=%s', (port) => {
    expect(problems(PRODUCT_SERVICE, { PORT: port })).toMatch(/\bPORT\b/);
  });

  it('keeps the values it is given', () => {
    const config = loadConfig(GATEWAY, {
      NODE_ENV: 'production',
      JWT_SECRET: 'a-production-secret-of-32-chars!',
      LOG_LEVEL: 'warn',
      USER_SERVICE_URL: 'http://users.internal:80',
      DATABASE_URL: 'postgresql://app@db/app',
    });

    expect(config).toMatchObject({
      NODE_ENV: 'production',
      JWT_SECRET: 'a-production-secret-of-32-chars!',
      LOG_LEVEL: 'warn',
      DATABASE_URL: 'postgresql://app@db/app',
    });
    expect(config.upstreamUrls['user-service']).toBe('http://users.internal:80');
  });

  it('reads the URL variables of the services it calls, and only those', () => {
    const env = { USER_SERVICE_URL: 'http://users.internal', AGENT_SERVICE_URL: 'ftp://agents' };

    expect(loadConfig(ORDER_SERVICE, env).upstreamUrls).toEqual({
      'user-service': 'http://users.internal',
      'product-service': 'http://localhost:8082',
    });
    expect(problems(GATEWAY, env)).toBe(
      'invalid configuration for api-gateway: AGENT_SERVICE_URL Invalid URL',
    );
    expect(loadConfig(USER_SERVICE, env).upstreamUrls).toEqual({});
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
    const message = problems(GATEWAY, {
      NODE_ENV: 'production',
      PORT: 'eighty',
      LOG_LEVEL: 'loud',
      DATABASE_URL: 'mysql://db/app',
      PRODUCT_SERVICE_URL: 'ftp://products',
      FAULT_INJECTION: 'enabled',
    });

    expect(message).toMatch(/^invalid configuration for api-gateway: /);
    for (const variable of [
      'PORT',
      'LOG_LEVEL',
      'DATABASE_URL',
      'PRODUCT_SERVICE_URL',
      'JWT_SECRET',
      'ADMIN_TOKEN',
    ]) {
      expect(message).toContain(variable);
    }
    expect(message).toContain('DATABASE_URL must be a postgres:// URL');
  });
});
