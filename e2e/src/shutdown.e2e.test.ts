// Graceful shutdown under load: SIGTERM reaches order-service while orders are in
// flight, held there by the latency fault. Every one of them completes, readiness
// answers 503 while the listener still serves, and the process exits 0.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { signUp } from '../../tools/harness/sign-up.ts';
import { call, startTestStack, type TestStack } from './support/stack.ts';

const ADMIN_TOKEN = 'shutdown-test-admin-token-0123';
const IN_FLIGHT = 8;

let stack: TestStack;

before(async () => {
  stack = await startTestStack({
    FAULT_INJECTION: 'enabled',
    ADMIN_TOKEN,
    // Long enough for the test to see readiness at 503 while the listener is still open.
    SHUTDOWN_DRAIN_MS: '1500',
  });
});

after(async () => {
  await stack?.stop();
});

test('SIGTERM with orders in flight: each completes, readiness 503 first, exit 0', async () => {
  const orderService = stack.services.urls['order-service'];
  const user = await signUp(stack.gateway, 'graceful');
  const fault = await call(orderService, 'POST', '/admin/faults', {
    token: ADMIN_TOKEN,
    body: { kind: 'latency', delayMs: 2_500, route: '/orders', ttlSeconds: 60 },
  });
  assert.equal(fault.status, 201, JSON.stringify(fault.body));

  const orders = Array.from({ length: IN_FLIGHT }, (_, i) =>
    call(stack.gateway, 'POST', '/api/orders', {
      token: user.token,
      body: { items: [{ productId: 10 + i, quantity: 1 }] },
    }),
  );
  // All of them inside order-service (held by the fault) before the signal.
  await until(async () => (await inFlight(orderService)) >= IN_FLIGHT);

  const exited = stack.services.stop('order-service', 'SIGTERM');
  const readiness = await readinessUntilClosed(orderService);
  const answers = await Promise.all(orders);
  const exitCode = await exited;

  assert.deepEqual(
    answers.map((answer) => answer.status),
    Array(IN_FLIGHT).fill(201),
    JSON.stringify(answers.map((answer) => answer.body)),
  );
  assert.ok(readiness.includes(503), `readiness answered 503 before closing: ${readiness}`);
  assert.equal(readiness.at(-1), 'closed');
  assert.equal(exitCode, 0);

  // The orders were saved and confirmed before the database closed.
  await stack.services.start('order-service');
  for (const answer of answers) {
    const order = await call(stack.gateway, 'GET', `/api/orders/${answer.body.id}`, {
      token: user.token,
    });
    assert.equal(order.status, 200);
    assert.equal(order.body.status, 'confirmed');
  }
});

/** The service's own gauge (its /metrics scrapes are not counted). */
async function inFlight(baseUrl: string): Promise<number> {
  const metrics = (await call(baseUrl, 'GET', '/metrics')).body as string;
  const line = metrics.split('\n').find((row) => row.startsWith('http_requests_in_flight'));
  return Number(line?.split(' ').at(-1) ?? 0);
}

/** /health/ready's status every 50 ms, until the listener refuses the connection ('closed'). */
async function readinessUntilClosed(baseUrl: string): Promise<(number | 'closed')[]> {
  const seen: (number | 'closed')[] = [];
  for (;;) {
    try {
      const response = await fetch(`${baseUrl}/health/ready`, {
        signal: AbortSignal.timeout(2_000),
        headers: { connection: 'close' },
      });
      await response.arrayBuffer();
      seen.push(response.status);
    } catch {
      seen.push('closed');
      return seen;
    }
    await new Promise((wake) => setTimeout(wake, 50));
  }
}

async function until(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((wake) => setTimeout(wake, 50));
  }
}
