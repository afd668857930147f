// Client for the fault-injection admin endpoint every service exposes on its own port when it
// runs with FAULT_INJECTION=enabled (never through the gateway).
import { fetchWithRetry, getJson } from './http.ts';

export interface ActiveFault {
  id: string;
  kind: string;
  expiresAt: string;
  [param: string]: unknown;
}

export class FaultClient {
  readonly #baseUrl: string;
  readonly #headers: Record<string, string>;

  constructor(serviceUrl: string, adminToken: string) {
    this.#baseUrl = `${serviceUrl.replace(/\/+$/, '')}/admin/faults`;
    this.#headers = { Authorization: `Bearer ${adminToken}`, 'Content-Type': 'application/json' };
  }

  list(): Promise<ActiveFault[]> {
    return getJson<ActiveFault[]>(this.#baseUrl, { headers: this.#headers });
  }

  /** Injects a fault; it expires by itself after ttlSeconds even if the drill dies. */
  inject(params: Record<string, unknown>, ttlSeconds: number): Promise<ActiveFault> {
    return getJson<ActiveFault>(this.#baseUrl, {
      method: 'POST',
      headers: this.#headers,
      body: JSON.stringify({ ...params, ttlSeconds }),
    });
  }

  async clear(id?: string): Promise<void> {
    const url = id ? `${this.#baseUrl}/${encodeURIComponent(id)}` : this.#baseUrl;
    const res = await fetchWithRetry(url, { method: 'DELETE', headers: this.#headers }, 5000);
    await res.body?.cancel();
    // 404: the fault already expired, which is what clearing wants anyway.
    if (!res.ok && res.status !== 404)
      throw new Error(`DELETE ${this.#baseUrl}: HTTP ${res.status}`);
  }
}
