import { PGlite, type Transaction } from '@electric-sql/pglite';
import { Injectable } from '@nestjs/common';
import {
  DB_BUCKETS_SECONDS,
  DB_CLIENT_CONNECTION_COUNT,
  DB_CLIENT_CONNECTION_MAX,
  DB_CLIENT_CONNECTION_PENDING_REQUESTS,
  DB_CLIENT_CONNECTION_WAIT_TIME_SECONDS,
  DB_CLIENT_OPERATION_DURATION_SECONDS,
  InjectMetric,
  makeGaugeProvider,
  makeHistogramProvider,
} from '@obs/telemetry';
import { Client, Pool, type PoolClient } from 'pg';
import type { Gauge, Histogram } from 'prom-client';

/** `error_type` only on a failed operation: the SQLSTATE, a Node error code or the error's class. */
type OperationLabel = 'db_system_name' | 'db_operation_name' | 'error_type';
/** Every pool series has `db_client_connection_pool_name`: `host:port/database`, never credentials. */
type PoolLabel = 'db_client_connection_pool_name';
type ConnectionLabel = PoolLabel | 'db_client_connection_state';
const POOL_LABELS: PoolLabel[] = ['db_client_connection_pool_name'];

export const databaseMetricProviders = [
  makeHistogramProvider({
    name: DB_CLIENT_OPERATION_DURATION_SECONDS,
    help: 'Duration of database operations in seconds, by SQL command and, for a failed one, error type.',
    labelNames: ['db_system_name', 'db_operation_name', 'error_type'],
    buckets: DB_BUCKETS_SECONDS,
  }),
  makeGaugeProvider({
    name: DB_CLIENT_CONNECTION_COUNT,
    help: 'Connections of the pool to the PostgreSQL server, by state (idle or used).',
    labelNames: [...POOL_LABELS, 'db_client_connection_state'],
  }),
  makeGaugeProvider({
    name: DB_CLIENT_CONNECTION_MAX,
    help: 'The most connections the pool opens.',
    labelNames: POOL_LABELS,
  }),
  makeGaugeProvider({
    name: DB_CLIENT_CONNECTION_PENDING_REQUESTS,
    help: 'Requests waiting for a connection of the pool.',
    labelNames: POOL_LABELS,
  }),
  makeHistogramProvider({
    name: DB_CLIENT_CONNECTION_WAIT_TIME_SECONDS,
    help: 'Time it took to get a connection from the pool, in seconds (including opening one).',
    labelNames: POOL_LABELS,
    buckets: DB_BUCKETS_SECONDS,
  }),
];

/**
 * The OpenTelemetry database client metrics as Prometheus metrics, recorded
 * at the driver for both engines: every statement the `pg` driver or the
 * embedded PGlite runs (Drizzle's queries, transactions, migrations), timed
 * from the call to its result, including the wait for a connection; and, for
 * the `pg` pool, its connections and waits. PGlite is one in-process
 * connection with no pool: it has operation durations only.
 *
 * Recorded here rather than by `@opentelemetry/instrumentation-pg`, which has
 * the same metric for `pg` only, through an OpenTelemetry meter provider the
 * services do not run (their metrics are prom-client's), for queries inside a
 * span only, and not at all with OTEL_SDK_DISABLED.
 */
@Injectable()
export class DatabaseMetrics {
  constructor(
    @InjectMetric(DB_CLIENT_OPERATION_DURATION_SECONDS)
    private readonly operations: Histogram<OperationLabel>,
    @InjectMetric(DB_CLIENT_CONNECTION_COUNT)
    private readonly connections: Gauge<ConnectionLabel>,
    @InjectMetric(DB_CLIENT_CONNECTION_MAX) private readonly maxConnections: Gauge<PoolLabel>,
    @InjectMetric(DB_CLIENT_CONNECTION_PENDING_REQUESTS)
    private readonly pending: Gauge<PoolLabel>,
    @InjectMetric(DB_CLIENT_CONNECTION_WAIT_TIME_SECONDS)
    private readonly waits: Histogram<PoolLabel>,
  ) {}

  /** A `pg` pool whose queries, connections and waits are measured. */
  pool(connectionString: string, max: number): Pool {
    const poolLabels = { db_client_connection_pool_name: poolName(connectionString) };
    const observeWait = (startedAt: number) =>
      this.waits.observe(poolLabels, (performance.now() - startedAt) / 1000);
    const observePool = (pool: Pool) => this.observePool(pool, poolLabels);
    const measured = (self: object, call: unknown, args: unknown[]) =>
      this.measuredCall(self, call as (...args: unknown[]) => unknown, args);

    /**
     * A checked-out client (a transaction, the migrations) is measured here. The
     * pool's own `query` calls its client with a callback: that statement is
     * measured by the pool, with its wait for a connection and a failure to get one.
     */
    class MeasuredClient extends Client {
      // One body for pg's overloads (text or config, values, callback or promise).
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      override query(...args: unknown[]): any {
        if (typeof args.at(-1) === 'function') return super.query(...(args as [string]));
        return measured(this, super.query, args);
      }
    }

    class MeasuredPool extends Pool {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      override query(...args: unknown[]): any {
        return measured(this, super.query, args);
      }

      override connect(): Promise<PoolClient>;
      override connect(
        callback: (
          error: Error | undefined,
          client: PoolClient | undefined,
          done: () => void,
        ) => void,
      ): void;
      override connect(
        callback?: (
          error: Error | undefined,
          client: PoolClient | undefined,
          done: () => void,
        ) => void,
      ): Promise<PoolClient> | void {
        const startedAt = performance.now();
        const waited = () => observeWait(startedAt);
        if (callback) {
          super.connect((error, client, done) => {
            waited();
            callback(error, client, done);
          });
          observePool(this);
          return;
        }
        const connecting = super.connect();
        observePool(this);
        return connecting.finally(waited);
      }
    }

    const pool = new MeasuredPool({ connectionString, max, Client: MeasuredClient });
    this.maxConnections.set(poolLabels, max);
    this.observePool(pool, poolLabels);
    // The pool emits these before it has moved the client: count once it has.
    for (const event of ['connect', 'acquire', 'release', 'remove'] as const)
      pool.on(event, () => process.nextTick(() => this.observePool(pool, poolLabels)));
    return pool;
  }

  /** An embedded PGlite whose statements, inside transactions too, are measured. */
  pglite(dataDir: string, settings: string[]): PGlite {
    const measure = <T>(text: string, run: () => Promise<T>) => this.measure(text, run);
    const measured = (tx: Transaction): Transaction =>
      Object.create(tx, {
        query: {
          value: (...args: Parameters<Transaction['query']>) =>
            measure(args[0], () => tx.query(...args)),
        },
        exec: {
          value: (...args: Parameters<Transaction['exec']>) =>
            measure(args[0], () => tx.exec(...args)),
        },
      }) as Transaction;

    class MeasuredPGlite extends PGlite {
      override query<T>(...args: Parameters<PGlite['query']>) {
        return measure(args[0], () => super.query<T>(...args));
      }

      override exec(...args: Parameters<PGlite['exec']>) {
        return measure(args[0], () => super.exec(...args));
      }

      override transaction<T>(callback: (tx: Transaction) => Promise<T>): Promise<T> {
        return super.transaction((tx) => callback(measured(tx)));
      }
    }

    return new MeasuredPGlite(dataDir, { postgresqlconf: settings });
  }

  /**
   * Calls a `pg` query method and observes its outcome: through the callback
   * when the last argument is one, else through the promise it returns. A
   * Submittable (cursors, streams) reports through its own events: not measured.
   */
  private measuredCall(
    self: object,
    call: (...args: unknown[]) => unknown,
    args: unknown[],
  ): unknown {
    const startedAt = performance.now();
    const text = queryText(args[0]);
    const last = args.length - 1;
    const callback = args[last];
    if (typeof callback === 'function') {
      args[last] = (error: unknown, result: unknown) => {
        this.observeOperation(text, startedAt, error ?? undefined);
        (callback as (error: unknown, result: unknown) => void)(error, result);
      };
      return call.apply(self, args);
    }
    const result = call.apply(self, args);
    if (!(result instanceof Promise)) return result;
    return result.then(
      (value: unknown) => {
        this.observeOperation(text, startedAt);
        return value;
      },
      (error: unknown) => {
        this.observeOperation(text, startedAt, error);
        throw error;
      },
    );
  }

  private async measure<T>(text: string, run: () => Promise<T>): Promise<T> {
    const startedAt = performance.now();
    try {
      const result = await run();
      this.observeOperation(text, startedAt);
      return result;
    } catch (error) {
      this.observeOperation(text, startedAt, error);
      throw error;
    }
  }

  private observeOperation(text: string | undefined, startedAt: number, error?: unknown): void {
    const labels: Partial<Record<OperationLabel, string>> = {
      db_system_name: 'postgresql',
      db_operation_name: operationName(text),
    };
    if (error !== undefined) labels.error_type = errorType(error);
    this.operations.observe(labels, (performance.now() - startedAt) / 1000);
  }

  private observePool(pool: Pool, labels: Record<PoolLabel, string>): void {
    const { idleCount, totalCount, waitingCount } = pool;
    this.connections.set({ ...labels, db_client_connection_state: 'idle' }, idleCount);
    this.connections.set({ ...labels, db_client_connection_state: 'used' }, totalCount - idleCount);
    this.pending.set(labels, waitingCount);
  }
}

/** `host:port/database`, as the conventions suggest for a pool's name; the URL's credentials stay out. */
function poolName(connectionString: string): string {
  const url = new URL(connectionString);
  return `${url.hostname}:${url.port || '5432'}/${url.pathname.slice(1) || 'postgres'}`;
}

function queryText(query: unknown): string | undefined {
  if (typeof query === 'string') return query;
  const text = (query as { text?: unknown } | null)?.text;
  return typeof text === 'string' ? text : undefined;
}

/**
 * The statement's SQL command (`SELECT`, `INSERT`, `BEGIN`, …), as
 * instrumentation-pg names `db.operation.name`. The SQL text is the
 * application's own (values travel as parameters), so the set is bounded.
 */
export function operationName(text: string | undefined): string {
  const command = /^\s*([A-Za-z]+)/.exec(text ?? '')?.[1];
  return command ? command.toUpperCase() : '_OTHER';
}

/**
 * `error.type` per the database conventions: the SQLSTATE the server answered
 * (`23505`, `22P02`), else the Node error code of a failed connection
 * (`ECONNREFUSED`), else the error's class.
 */
export function errorType(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[0-9A-Z_]{1,40}$/.test(code)) return code;
  return error instanceof Error ? error.name : '_OTHER';
}
