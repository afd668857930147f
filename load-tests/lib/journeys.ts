// User journeys through the gateway, reusable by every scenario. Each journey tags its requests
// with `journey:<name>` (so thresholds and dashboards can split by journey) and checks what a
// user would notice: status codes and the shape of the answer.
import { check, group, sleep } from 'k6';
import { randomBytes } from 'k6/crypto';
import exec from 'k6/execution';
import * as api from './api.ts';
import type { AgentType, OrderLine, Product } from './api.ts';
import { THINK_TIME, envString } from './config.ts';

export interface Session {
  email: string;
  token: string;
}

export const AGENTS: { type: AgentType; input: string }[] = [
  { type: 'crm', input: 'summarize my account' },
  { type: 'catalog', input: 'find laptop under 1500' },
  { type: 'order-assistant', input: 'show my recent orders' },
];

const SEARCH_TERMS = ['laptop', 'phone', 'book', 'chair', 'camera', 'headphones'];
const PASSWORD = 'load-test-Passw0rd!';

// Per-VU state: module scope lives as long as the VU, so a VU signs up once and reuses its token.
let session: Session | undefined;
let catalogue: Product[] = [];

function think(): void {
  if (THINK_TIME > 0) sleep(THINK_TIME * (0.5 + Math.random()));
}

function tagJourney(name: string): void {
  exec.vu.metrics.tags.journey = name;
}

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)];
}

/** A random UUID v4, used as Idempotency-Key and to make e-mails unique. */
function uniqueId(): string {
  const bytes = new Uint8Array(randomBytes(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Lists a page of the catalogue, searches it and opens one or two products. */
export function browseCatalogue(): void {
  tagJourney('browse');
  group('browse catalogue', () => {
    const page = api.listProducts({ limit: 20, offset: 0 });
    const body = api.jsonBody<{ items: Product[]; total: number }>(page);
    check(page, {
      'products: status 200': (r) => r.status === 200,
      'products: has items': () => Array.isArray(body?.items) && body.items.length > 0,
    });
    if (body?.items?.length) catalogue = body.items;
    think();

    const search = api.listProducts({ q: pick(SEARCH_TERMS), limit: 10 });
    check(search, { 'search: status 200': (r) => r.status === 200 });
    think();

    const opened = Math.random() < 0.5 ? 1 : 2;
    for (let i = 0; i < opened && catalogue.length > 0; i++) {
      const product = pick(catalogue);
      const res = api.getProduct(product.id);
      check(res, {
        'product: status 200': (r) => r.status === 200,
        'product: same id': () => api.jsonBody<Product>(res)?.id === product.id,
      });
      think();
    }
  });
}

/** Signs a new user up, logs in and reads the profile. Returns the session, or undefined. */
export function registerAndLogin(): Session | undefined {
  tagJourney('signup');
  return group('register and login', () => {
    const email = `load-${envString('TESTID', 'adhoc')}-${exec.vu.idInTest}-${uniqueId().slice(0, 8)}@example.com`;
    const registered = api.register(email, PASSWORD, `Load VU ${exec.vu.idInTest}`);
    if (!check(registered, { 'register: status 201': (r) => r.status === 201 })) return undefined;
    think();

    const loggedIn = api.login(email, PASSWORD);
    const token = api.jsonBody<{ accessToken: string }>(loggedIn)?.accessToken;
    if (!check(loggedIn, { 'login: status 200 with token': (r) => r.status === 200 && !!token }))
      return undefined;

    const profile = api.me(token!);
    check(profile, {
      'me: status 200': (r) => r.status === 200,
      'me: no password hash': (r) => !/password/i.test(String(r.body)),
    });
    return { email, token: token! };
  });
}

/** The VU's session, signing up on first use or after the token was rejected. */
export function currentSession(): Session | undefined {
  session ??= registerAndLogin();
  return session;
}

function forgetSessionOn401(status: number): void {
  if (status === 401) session = undefined;
}

function loadCatalogue(): void {
  if (catalogue.length > 0) return;
  const body = api.jsonBody<{ items: Product[] }>(api.listProducts({ limit: 50 }));
  catalogue = body?.items ?? [];
}

/**
 * Places an order with an Idempotency-Key, retries it with the same key (must return the same
 * order), reads it back, lists the user's orders and cancels it, releasing the stock again.
 */
export function placeAndCancelOrder(): void {
  const user = currentSession();
  tagJourney('order');
  if (!user) return;
  group('place and cancel order', () => {
    loadCatalogue();
    const inStock = catalogue.filter((p) => p.stock > 0);
    if (inStock.length === 0) return;
    const items: OrderLine[] = [{ productId: pick(inStock).id, quantity: 1 }];
    const key = uniqueId();

    const placed = api.placeOrder(user.token, items, key);
    forgetSessionOn401(placed.status);
    if (placed.status === 409) return; // short stock: a valid outcome under load
    const order = api.jsonBody<{ id: string; status: string }>(placed);
    if (
      !check(placed, {
        'order: status 201': (r) => r.status === 201,
        'order: confirmed': () => order?.status === 'confirmed',
      })
    )
      return;

    // A client retry after a lost response: same key, same order, no second reservation.
    const retried = api.placeOrder(user.token, items, key);
    check(retried, {
      'order retry: same order': (r) =>
        r.status < 300 && api.jsonBody<{ id: string }>(r)?.id === order!.id,
    });
    think();

    check(api.getOrder(user.token, order!.id), {
      'order: readable by owner': (r) => r.status === 200,
    });
    check(api.listOrders(user.token), { 'orders: status 200': (r) => r.status === 200 });
    think();

    const cancelled = api.cancelOrder(user.token, order!.id);
    check(cancelled, {
      'cancel: status 200': (r) => r.status === 200,
      'cancel: cancelled': (r) => api.jsonBody<{ status: string }>(r)?.status === 'cancelled',
    });
  });
}

/** Runs one agent (a random one unless given) for the VU's user. */
export function runAgent(agent = pick(AGENTS)): void {
  const user = currentSession();
  tagJourney('agent');
  if (!user) return;
  group(`run agent ${agent.type}`, () => {
    const res = api.executeAgent(user.token, agent.type, agent.input);
    forgetSessionOn401(res.status);
    const body = api.jsonBody<{ status: string; steps: unknown[]; traceId: string }>(res);
    check(res, {
      'agent: status 200': (r) => r.status === 200,
      'agent: has steps and trace id': () => Array.isArray(body?.steps) && !!body?.traceId,
    });
  });
}

/** Lists the agent types, then runs every one of them. */
export function runEachAgent(): void {
  tagJourney('agent');
  const listed = api.listAgents();
  check(listed, {
    'agents: lists the three types': (r) =>
      r.status === 200 &&
      AGENTS.every((a) =>
        (api.jsonBody<{ type: string }[]>(r) ?? []).some((t) => t.type === a.type),
      ),
  });
  for (const agent of AGENTS) runAgent(agent);
}

const JOURNEYS: Record<string, () => void> = {
  browse: browseCatalogue,
  order: placeAndCancelOrder,
  agent: () => runAgent(),
  signup: () => {
    session = registerAndLogin();
  },
};

/** Journey weights of the realistic mix; override with MIX="browse=60,order=20,agent=15,signup=5". */
export function mixWeights(
  spec = envString('MIX', 'browse=60,order=20,agent=15,signup=5'),
): [string, number][] {
  const weights = spec.split(',').map((part): [string, number] => {
    const [name, weight] = part.split('=').map((s) => s.trim());
    if (!(name in JOURNEYS) || !(Number(weight) >= 0)) {
      throw new Error(`MIX: "${part}" is not <${Object.keys(JOURNEYS).join('|')}>=<weight>`);
    }
    return [name, Number(weight)];
  });
  if (weights.every(([, w]) => w === 0)) throw new Error('MIX: every weight is 0');
  return weights;
}

const weights = mixWeights();
const totalWeight = weights.reduce((sum, [, w]) => sum + w, 0);

/** One iteration of the realistic mix: a journey chosen by weight (60% browse by default). */
export function realisticMix(): void {
  let roll = Math.random() * totalWeight;
  for (const [name, weight] of weights) {
    roll -= weight;
    if (roll < 0) return JOURNEYS[name]();
  }
}
