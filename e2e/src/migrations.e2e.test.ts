// Replicas start together, and on one PostgreSQL database all services migrate at once: every
// service with a database runs its migrations from two processes at the same moment, on a
// new empty database, several rounds. Each process must succeed and each service's journal
// must hold its migrations exactly once. Needs a real server: E2E_POSTGRES_URL (skipped without).
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import { SERVICE_NAMES, TOPOLOGY } from '../../libs/api-contracts/src/topology.ts';
import { repoRoot } from '../../tools/services/launcher.ts';

const postgresUrl = process.env.E2E_POSTGRES_URL;
const ROUNDS = 4;
const PROCESSES_PER_SERVICE = 2;
const root = repoRoot();
const worker = join(root, 'e2e/src/support/migrate-worker.ts');
const migrationsFolder = (name: string) => join(root, 'apps', name, 'src/database/migrations');
const servicesWithDatabase = SERVICE_NAMES.filter((name) => TOPOLOGY[name].database);
const journalLength = (name: string) =>
  (
    JSON.parse(readFileSync(join(migrationsFolder(name), 'meta/_journal.json'), 'utf8')) as {
      entries: unknown[];
    }
  ).entries.length;

function databaseUrl(database: string): string {
  const url = new URL(postgresUrl ?? '');
  url.pathname = `/${database}`;
  return url.toString();
}

interface Worker {
  child: ChildProcess;
  output: string[];
}

function startWorker(url: string, service: string): Worker {
  const child = spawn(
    process.execPath,
    [
      '--disable-warning=MODULE_TYPELESS_PACKAGE_JSON',
      worker,
      url,
      service,
      migrationsFolder(service),
    ],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  return { child, output };
}

async function untilReady({ child, output }: Worker): Promise<void> {
  while (!output.join('').includes('ready')) {
    if (child.exitCode !== null) throw new Error(`worker exited early: ${output.join('')}`);
    await once(child.stdout!, 'data');
  }
}

test(
  `${servicesWithDatabase.length} services x ${PROCESSES_PER_SERVICE} processes migrate one empty database at once, ${ROUNDS} rounds`,
  { skip: !postgresUrl && 'E2E_POSTGRES_URL is not set', timeout: 300_000 },
  async () => {
    const admin = new pg.Client({ connectionString: databaseUrl('postgres') });
    await admin.connect();
    try {
      for (let round = 1; round <= ROUNDS; round++) {
        const database = `migrate_race_${process.pid}_${round}`;
        await admin.query(`create database ${database}`);
        try {
          const workers = servicesWithDatabase.flatMap((service) =>
            Array.from({ length: PROCESSES_PER_SERVICE }, () => ({
              service,
              ...startWorker(databaseUrl(database), service),
            })),
          );
          const exits = workers.map(({ child }) => once(child, 'exit'));
          await Promise.all(workers.map(untilReady));
          for (const { child } of workers) child.stdin?.end('go\n');
          const codes = (await Promise.all(exits)).map(([code]) => code as number | null);

          workers.forEach(({ service, output }, index) =>
            assert.equal(codes[index], 0, `round ${round}, ${service}: ${output.join('')}`),
          );
          const db = new pg.Client({ connectionString: databaseUrl(database) });
          await db.connect();
          try {
            for (const service of servicesWithDatabase) {
              const table = `drizzle.__migrations_${service.replace(/-/g, '_')}`;
              const { rows } = await db.query<{ applied: number }>(
                `select count(*)::int as applied from ${table}`,
              );
              assert.equal(rows[0].applied, journalLength(service), `round ${round}, ${table}`);
            }
          } finally {
            await db.end();
          }
        } finally {
          await admin.query(`drop database if exists ${database} with (force)`);
        }
      }
    } finally {
      await admin.end();
    }
  },
);
