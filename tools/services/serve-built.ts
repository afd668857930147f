// Runs the five built services in production mode in the foreground, the way
// the drills and CI need them: `node tools/services/serve-built.ts`. Ctrl-C or
// SIGTERM stops them all. Data under .data/serve-built, logs under reports/services.
// POSTGRES_URL (postgres://user@host:port, e.g. tools/postgres/postgres.sh url): each service
// with storage uses its own database on that server; unset, the embedded PGlite.
import { join } from 'node:path';
import { repoRoot, startServices } from './launcher.ts';

const root = repoRoot();
const services = await startServices({
  dataDir: join(root, '.data/serve-built'),
  logDir: join(root, 'reports/services'),
  postgresUrl: process.env.POSTGRES_URL || undefined,
  env: { JWT_SECRET: process.env.JWT_SECRET ?? 'local-production-mode-secret-0123' },
});
for (const [name, url] of Object.entries(services.urls)) console.log(`${name.padEnd(16)} ${url}`);
console.log('all five services ready; logs in reports/services/');

const stop = async () => {
  await services.stopAll();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
