// One function per public gateway endpoint (docs/interfaces.md), each tagged with a `name` that holds
// the route template, never the raw URL, so ids do not become metric series.
import http from 'k6/http';
import type { RefinedResponse, ResponseType } from 'k6/http';
import { BASE_URL } from './config.ts';

export type Response = RefinedResponse<ResponseType | undefined>;

export interface Product {
  id: number;
  name: string;
  price: number;
  stock: number;
  category: string;
}

export interface OrderLine {
  productId: number;
  quantity: number;
}

export type AgentType = 'crm' | 'catalog' | 'order-assistant';

const JSON_HEADERS = { 'Content-Type': 'application/json' };

function bearer(token: string): Record<string, string> {
  return { ...JSON_HEADERS, Authorization: `Bearer ${token}` };
}

export function listProducts(
  query: { limit?: number; offset?: number; q?: string } = {},
): Response {
  const params = Object.entries(query)
    .filter(([, value]) => value !== undefined && value !== '')
    .map(([key, value]) => `${key}=${encodeURIComponent(String(value))}`)
    .join('&');
  return http.get(`${BASE_URL}/api/products${params ? `?${params}` : ''}`, {
    tags: { name: 'GET /api/products' },
  });
}

export function getProduct(id: number): Response {
  return http.get(`${BASE_URL}/api/products/${id}`, { tags: { name: 'GET /api/products/:id' } });
}

export function register(email: string, password: string, name: string): Response {
  return http.post(`${BASE_URL}/api/auth/register`, JSON.stringify({ email, password, name }), {
    headers: JSON_HEADERS,
    tags: { name: 'POST /api/auth/register' },
  });
}

export function login(email: string, password: string): Response {
  return http.post(`${BASE_URL}/api/auth/login`, JSON.stringify({ email, password }), {
    headers: JSON_HEADERS,
    tags: { name: 'POST /api/auth/login' },
  });
}

export function me(token: string): Response {
  return http.get(`${BASE_URL}/api/users/me`, {
    headers: bearer(token),
    tags: { name: 'GET /api/users/me' },
  });
}

export function placeOrder(token: string, items: OrderLine[], idempotencyKey: string): Response {
  return http.post(`${BASE_URL}/api/orders`, JSON.stringify({ items }), {
    headers: { ...bearer(token), 'Idempotency-Key': idempotencyKey },
    tags: { name: 'POST /api/orders' },
    // 409 is the documented answer to short stock: a business outcome, not a failed request.
    responseCallback: http.expectedStatuses({ min: 200, max: 399 }, 409),
  });
}

export function listOrders(token: string): Response {
  return http.get(`${BASE_URL}/api/orders`, {
    headers: bearer(token),
    tags: { name: 'GET /api/orders' },
  });
}

export function getOrder(token: string, id: string): Response {
  return http.get(`${BASE_URL}/api/orders/${id}`, {
    headers: bearer(token),
    tags: { name: 'GET /api/orders/:id' },
  });
}

export function cancelOrder(token: string, id: string): Response {
  return http.post(`${BASE_URL}/api/orders/${id}/cancel`, null, {
    headers: bearer(token),
    tags: { name: 'POST /api/orders/:id/cancel' },
  });
}

export function listAgents(): Response {
  return http.get(`${BASE_URL}/api/agents`, { tags: { name: 'GET /api/agents' } });
}

export function executeAgent(token: string, agentType: AgentType, input: string): Response {
  return http.post(`${BASE_URL}/api/agents/execute`, JSON.stringify({ agentType, input }), {
    headers: bearer(token),
    tags: { name: 'POST /api/agents/execute', agent_type: agentType },
  });
}

/** Parses a JSON body, or returns undefined for an empty or non-JSON one (checks then fail). */
export function jsonBody<T>(res: Response): T | undefined {
  try {
    return res.json() as T;
  } catch {
    return undefined;
  }
}
