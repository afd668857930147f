// How each kind of fault the catalogue declares is checked, started and cleared. A new kind of
// fault is a new member of `Fault` in catalogue.ts plus its entry in FAULT_KINDS here; the
// compiler asks for both.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import type { Fault } from './catalogue.ts';
import type { DrillConfig } from './config.ts';
import { fetchWithRetry, getJson } from './http.ts';
import type { Services } from './services.ts';

/** What a fault kind gets to work with. */
export interface FaultContext {
  config: DrillConfig;
  services: Services;
  /** Seconds the fault may stay on at most (it expires by itself after that where it can). */
  ttlSeconds: number;
}

/** A fault that is on. */
export interface StartedFault {
  /** The timeline entry: what was done. */
  description: string;
  /** Clears the fault the normal way; resolves with the timeline entry. */
  clear(): Promise<string>;
  /** Leaves the system healthy after an aborted drill, whatever state the fault is in. */
  restore(): Promise<void>;
}

export interface FaultKind<F extends Fault> {
  /** Problems that make this fault impossible to run now (empty when it can run). */
  preconditions(fault: F, ctx: FaultContext): Promise<string[]>;
  start(fault: F, ctx: FaultContext): Promise<StartedFault>;
}

type FaultKinds = { [K in Fault['kind']]: FaultKind<Extract<Fault, { kind: K }>> };

export const FAULT_KINDS: FaultKinds = {
  'stop-process': {
    async preconditions(_fault, { services }) {
      return services.canRestart
        ? []
        : [
            'service-down needs services started by the drill runner (the launcher); unset DRILL_SERVICES',
          ];
    },
    async start({ service }, { services }) {
      await services.stop(service);
      let running = false;
      const start = async (): Promise<void> => {
        if (running) return;
        await services.start(service);
        running = true;
      };
      return {
        description: `stopped ${service}`,
        clear: async () => {
          await start();
          return `started ${service} again`;
        },
        restore: start,
      };
    },
  },
  inject: {
    async preconditions({ service }, { config, services }) {
      try {
        await new FaultClient(services.urls[service], config.adminToken).list();
        return [];
      } catch (error) {
        return [`fault injection unreachable on ${service}: ${(error as Error).message}`];
      }
    },
    async start({ service, params }, { config, services, ttlSeconds }) {
      const client = new FaultClient(services.urls[service], config.adminToken);
      const injected = await client.inject(params, ttlSeconds);
      return {
        description: `injected ${injected.kind} on ${service} (id ${injected.id}, expires ${injected.expiresAt}): ${JSON.stringify(params)}`,
        clear: async () => {
          await client.clear(injected.id);
          return `cleared fault on ${service}`;
        },
        restore: () => client.clear(),
      };
    },
  },
  'stop-database': {
    async preconditions(_fault, { config, services }) {
      return config.storage === 'postgres' && services.canRestart
        ? []
        : [
            'database-down stops the PostgreSQL server the runner starts for the services it launches: unset DRILL_SERVICES and DRILL_STORAGE',
          ];
    },
    async start() {
      postgres('stop');
      return {
        description: 'stopped PostgreSQL (tools/postgres/postgres.sh stop)',
        clear: async () => {
          postgres('start');
          return 'started PostgreSQL again';
        },
        restore: async () => postgres('start'),
      };
    },
  },
};

const POSTGRES = path.resolve(import.meta.dirname, '../../tools/postgres/postgres.sh');

function postgres(command: 'start' | 'stop'): void {
  const result = spawnSync('bash', [POSTGRES, command], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`postgres.sh ${command} failed: ${result.stderr}`);
}

/** The handler of a fault's kind, typed for that fault. */
export function faultKind<F extends Fault>(fault: F): FaultKind<F> {
  return FAULT_KINDS[fault.kind] as unknown as FaultKind<F>;
}

export interface InjectedFault {
  id: string;
  kind: string;
  expiresAt: string;
  [param: string]: unknown;
}

/**
 * Client for the fault-injection admin endpoint every service exposes on its own port when it
 * runs with FAULT_INJECTION=enabled (never through the gateway).
 */
export class FaultClient {
  readonly #baseUrl: string;
  readonly #headers: Record<string, string>;

  constructor(serviceUrl: string, adminToken: string) {
    this.#baseUrl = `${serviceUrl.replace(/\/+$/, '')}/admin/faults`;
    this.#headers = { Authorization: `Bearer ${adminToken}`, 'Content-Type': 'application/json' };
  }

  list(): Promise<InjectedFault[]> {
    return getJson<InjectedFault[]>(this.#baseUrl, { headers: this.#headers });
  }

  /** Injects a fault; it expires by itself after ttlSeconds even if the drill dies. */
  inject(params: Record<string, unknown>, ttlSeconds: number): Promise<InjectedFault> {
    return getJson<InjectedFault>(this.#baseUrl, {
      method: 'POST',
      headers: this.#headers,
      body: JSON.stringify({ ...params, ttlSeconds }),
    });
  }

  /** Clears one fault, or every fault on the service without an id. */
  async clear(id?: string): Promise<void> {
    const url = id ? `${this.#baseUrl}/${encodeURIComponent(id)}` : this.#baseUrl;
    const res = await fetchWithRetry(url, { method: 'DELETE', headers: this.#headers }, 5000);
    await res.body?.cancel();
    // 404: the fault already expired, which is what clearing wants anyway.
    if (!res.ok && res.status !== 404)
      throw new Error(`DELETE ${this.#baseUrl}: HTTP ${res.status}`);
  }
}
