// The services under drill. Preferred: started here through the shared launcher
// (tools/services/launcher.ts) with fault injection on, so service-down can stop and restart
// a process. Fallback (DRILL_SERVICES=running): services someone already started with
// FAULT_INJECTION=enabled and the same ADMIN_TOKEN; service-down is then skipped.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { SERVICE_NAMES } from './config.ts';
import type { DrillConfig, ServiceName } from './config.ts';
import { isUp } from './http.ts';

export interface Services {
  urls: Record<ServiceName, string>;
  /** Whether processes can be stopped and started (only when the runner launched them). */
  canRestart: boolean;
  stop(name: ServiceName): Promise<void>;
  start(name: ServiceName): Promise<void>;
  stopAll(): Promise<void>;
}

interface Launched {
  urls: Record<ServiceName, string>;
  stop(name: ServiceName, signal?: NodeJS.Signals): Promise<number | null>;
  start(name: ServiceName): Promise<void>;
  stopAll(): Promise<void>;
}

interface Launcher {
  startServices(options: {
    env?: Record<string, string>;
    dataDir: string;
    logDir: string;
    postgresUrl?: string;
  }): Promise<Launched>;
}

const POSTGRES = path.resolve(import.meta.dirname, '../../tools/postgres/postgres.sh');

/**
 * Drills run the production topology: the services on a PostgreSQL server, started (and
 * emptied) here. The embedded PGlite grows each storage service by hundreds of MB under
 * load, which would trip HighMemoryUsage on its own. DRILL_STORAGE=embedded uses PGlite.
 */
function emptyPostgres(): string {
  for (const command of ['start', 'reset']) {
    const result = spawnSync('bash', [POSTGRES, command], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`postgres.sh ${command} failed: ${result.stderr}`);
  }
  return spawnSync('bash', [POSTGRES, 'url'], { encoding: 'utf8' })
    .stdout.trim()
    .replace(/\/postgres$/, '');
}

const LAUNCHER = path.resolve(import.meta.dirname, '../../tools/services/launcher.ts');

/** Services answering /health/ready at the configured URLs right now. */
async function readyServices(urls: Record<ServiceName, string>): Promise<ServiceName[]> {
  const ready = await Promise.all(
    SERVICE_NAMES.map(async (s) => ((await isUp(`${urls[s]}/health/ready`)) ? s : undefined)),
  );
  return ready.filter((s): s is ServiceName => s !== undefined);
}

export async function acquireServices(config: DrillConfig, runDir: string): Promise<Services> {
  const alreadyUp = await readyServices(config.serviceUrls);
  const allUp = alreadyUp.length === SERVICE_NAMES.length;

  if (config.servicesMode === 'running' || allUp) {
    if (!allUp) {
      throw new Error(
        `DRILL_SERVICES=running but only ${alreadyUp.join(', ') || 'none'} answer /health/ready`,
      );
    }
    const unsupported = async (): Promise<void> => {
      throw new Error(
        'services were not started by the drill runner, so it cannot stop or start them (unset DRILL_SERVICES and stop them first)',
      );
    };
    return {
      urls: config.serviceUrls,
      canRestart: false,
      stop: unsupported,
      start: unsupported,
      stopAll: async () => {},
    };
  }

  if (alreadyUp.length > 0) {
    throw new Error(
      `${alreadyUp.join(', ')} already listen on their ports: stop them, or set DRILL_SERVICES=running to drill them as they are`,
    );
  }

  const { startServices } = (await import(LAUNCHER)) as Launcher;
  const launched = await startServices({
    // The launcher runs services with NODE_ENV=production, where JWT_SECRET is required.
    env: {
      FAULT_INJECTION: 'enabled',
      ADMIN_TOKEN: config.adminToken,
      JWT_SECRET: config.jwtSecret,
    },
    dataDir: path.join(runDir, 'data'),
    logDir: path.join(runDir, 'logs'),
    postgresUrl: config.storage === 'postgres' ? emptyPostgres() : undefined,
  });
  return {
    urls: launched.urls,
    canRestart: true,
    stop: async (name) => {
      await launched.stop(name, 'SIGTERM');
    },
    start: (name) => launched.start(name),
    stopAll: () => launched.stopAll(),
  };
}
