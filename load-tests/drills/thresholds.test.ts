// The k6 pass/fail latency threshold against the alert rule it mirrors: the p95 of
// load-tests/lib/thresholds.ts is the threshold of HighLatencyP95 in deploy/prometheus/rules.
// Run: node --test load-tests/drills/*.test.ts (npm test runs it through `nx run load-tests:test`).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { it } from 'node:test';
import { parse } from 'yaml';
import { SLO } from '../lib/thresholds.ts';

const SERVICES_RULES = path.resolve(
  import.meta.dirname,
  '../../deploy/prometheus/rules/services.yml',
);

it("k6's p95 threshold is HighLatencyP95's", () => {
  const doc = parse(fs.readFileSync(SERVICES_RULES, 'utf8')) as {
    groups: { rules: { alert?: string; expr: string }[] }[];
  };
  const rule = doc.groups.flatMap((group) => group.rules).find((r) => r.alert === 'HighLatencyP95');
  assert.ok(rule, 'HighLatencyP95 not found in rules/services.yml');
  const threshold = /histogram_quantile\(0\.95,[\s\S]*?\)\)\)\s*>\s*([0-9.]+)/.exec(rule.expr);
  assert.ok(threshold, `no p95 threshold in ${rule.expr}`);
  assert.equal(SLO.p95Ms, Number(threshold[1]) * 1000);
});
