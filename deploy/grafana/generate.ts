// Writes every dashboard in src/ to dashboards/<uid>.json, which Grafana provisions.
//   npm run dashboards:generate                      regenerate the committed JSON
//   node deploy/grafana/generate.ts --check          fail if the committed JSON is stale (test:stack)
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import alerts from './src/alerts.ts';
import business from './src/business.ts';
import k6 from './src/k6.ts';
import nodejsRuntime from './src/nodejs-runtime.ts';
import pipeline from './src/pipeline.ts';
import serviceDetail from './src/service-detail.ts';
import servicesOverview from './src/services-overview.ts';
import slos from './src/slos.ts';
import traces from './src/traces.ts';

const outDir = join(dirname(fileURLToPath(import.meta.url)), 'dashboards');
const check = process.argv.includes('--check');
let stale = 0;

for (const builder of [
  servicesOverview,
  serviceDetail,
  business,
  slos,
  nodejsRuntime,
  traces,
  pipeline,
  k6,
  alerts,
]) {
  const built = builder.build();
  const file = join(outDir, `${built.uid}.json`);
  const json = JSON.stringify(built, null, 2) + '\n';
  if (!check) {
    writeFileSync(file, json);
    console.log(`wrote ${file}`);
  } else if (readFileSync(file, { encoding: 'utf8', flag: 'a+' }) !== json) {
    console.error(`${file} differs from its source; run npm run dashboards:generate`);
    stale++;
  }
}
process.exit(stale ? 1 : 0);
