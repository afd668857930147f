// One running system for the end-to-end tests: a local OTLP receiver and the
// five built services as separate processes on their own ports.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type RunningServices,
  type ServiceName,
  shiftedPorts,
  startServices,
} from '../../../tools/services/launcher.ts';
import { type OtlpReceiver, startOtlpReceiver } from './otlp-receiver.ts';

/** 18080…: ports of their own, so a running `npm start` is left alone. */
export const TEST_PORTS = shiftedPorts(10_000);

export interface TestStack {
  services: RunningServices;
  receiver: OtlpReceiver;
  gateway: string;
  /** Each service's embedded database is in `<dataDir>/<service>` (without E2E_POSTGRES_URL). */
  dataDir: string;
  logLines(name: ServiceName): Record<string, unknown>[];
  logText(name: ServiceName): string;
  stop(): Promise<void>;
}

export async function startTestStack(env: Record<string, string> = {}): Promise<TestStack> {
  const receiver = await startOtlpReceiver();
  const workDir = mkdtempSync(join(tmpdir(), 'obs-e2e-'));
  const dataDir = join(workDir, 'data');
  // A service that never gets ready must not leave the receiver holding the test process open.
  const services = await startServices({
    dataDir,
    logDir: join(workDir, 'logs'),
    ports: TEST_PORTS,
    env: {
      JWT_SECRET: 'end-to-end-test-secret-0123456789',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_TRACES_SAMPLER: 'parentbased_always_on',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      UPSTREAM_TIMEOUT_MS: '5000',
      LOG_LEVEL: 'info',
      ...env,
    },
    // Five services starting at once, each compiling PGlite, on a shared two-core machine.
    readyTimeoutMs: 120_000,
    // With E2E_POSTGRES_URL the services use a real PostgreSQL server; without, PGlite.
    postgresUrl: process.env.E2E_POSTGRES_URL,
    // One service exports OTLP as JSON, the rest as protobuf: both encodings are proven.
    serviceEnv: { 'product-service': { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' } },
  }).catch(async (error: unknown) => {
    await receiver.close();
    throw error;
  });
  const logText = (name: ServiceName) => readFileSync(services.logFile(name), 'utf8');
  return {
    services,
    receiver,
    gateway: services.urls['api-gateway'],
    dataDir,
    logText,
    logLines: (name) =>
      logText(name)
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    stop: async () => {
      await services.stopAll();
      await receiver.close();
    },
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked field by field in the tests
export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** A JSON call through the gateway (or any base URL). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
export async function call<T = any>(
  baseUrl: string,
  method: string,
  path: string,
  options: { body?: unknown; token?: string; headers?: Record<string, string> } = {},
): Promise<ApiResponse<T>> {
  const response = await fetch(baseUrl + path, {
    method,
    headers: {
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON (e.g. /metrics): keep the text.
  }
  return { status: response.status, body: body as T, headers: response.headers };
}

/** Registers a fresh user and returns their id, credentials and access token. */
export async function signUp(gateway: string, label: string) {
  const email = `${label}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.com`;
  const password = `pw-${label}-${Math.random().toString(36).slice(2)}`;
  const registered = await call(gateway, 'POST', '/api/auth/register', {
    body: { email, password, name: label },
  });
  if (registered.status !== 201) throw new Error(`register failed: ${registered.status}`);
  const login = await call(gateway, 'POST', '/api/auth/login', { body: { email, password } });
  if (login.status !== 200) throw new Error(`login failed: ${login.status}`);
  return {
    id: registered.body.id as string,
    email,
    password,
    token: login.body.accessToken as string,
  };
}

/** Polls until `check` returns a value, for telemetry that arrives asynchronously. */
export async function eventually<T>(
  check: () => T | undefined | false,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((wake) => setTimeout(wake, 100));
  }
}
