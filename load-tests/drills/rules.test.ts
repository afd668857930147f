// The drill catalogue against the production rule files it drills: every expected and tolerated
// alert exists with the labels the drill waits for, and every critical alert has a drill.
// Run: node --test load-tests/drills/*.test.ts (npm test runs it through `nx run load-tests:test`).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { DRILLS } from './catalogue.ts';

interface Rule {
  alert?: string;
  labels?: Record<string, string>;
}

const RULES_DIR = path.resolve(import.meta.dirname, '../../deploy/prometheus/rules');

/** Every alerting rule of every rule file, with its static labels. */
function alertingRules(): { alert: string; labels: Record<string, string> }[] {
  return fs
    .readdirSync(RULES_DIR)
    .filter((file) => file.endsWith('.yml'))
    .flatMap((file) => {
      const doc = parse(fs.readFileSync(path.join(RULES_DIR, file), 'utf8')) as {
        groups: { rules: Rule[] }[];
      };
      return doc.groups.flatMap((group) => group.rules);
    })
    .filter((rule): rule is Rule & { alert: string } => rule.alert !== undefined)
    .map((rule) => ({ alert: rule.alert, labels: rule.labels ?? {} }));
}

describe('the drill catalogue against deploy/prometheus/rules', () => {
  const rules = alertingRules();

  it('finds the alerting rules', () => {
    assert.ok(rules.length >= 10, `only ${rules.length} alerting rules found`);
  });

  it("waits for alerts that exist, with the rule's severity and static labels", () => {
    for (const drill of DRILLS) {
      const { alertname, ...wanted } = drill.expected;
      const candidates = rules.filter((rule) => rule.alert === alertname);
      assert.ok(candidates.length > 0, `${drill.name}: no alerting rule ${alertname}`);
      // Labels a rule sets statically must agree; the others (service, slo, upstream, …) come
      // from the series and cannot be checked here.
      const agreeing = candidates.filter((rule) =>
        Object.entries(rule.labels).every(
          ([key, value]) =>
            value.includes('{{') || wanted[key] === undefined || wanted[key] === value,
        ),
      );
      assert.ok(
        agreeing.some((rule) => rule.labels.severity === drill.expected.severity),
        `${drill.name}: no ${alertname} rule with severity ${drill.expected.severity} and ${JSON.stringify(wanted)}`,
      );
    }
  });

  it('tolerates only alerts that exist', () => {
    const names = new Set(rules.map((rule) => rule.alert));
    for (const drill of DRILLS)
      for (const { match } of drill.tolerated)
        assert.ok(names.has(match.alertname), `${drill.name} tolerates unknown ${match.alertname}`);
  });

  it('drills every critical alert', () => {
    const critical = new Set(
      rules.filter((rule) => rule.labels.severity === 'critical').map((rule) => rule.alert),
    );
    const drilled = new Set(
      DRILLS.filter((d) => d.expected.severity === 'critical').map((d) => d.expected.alertname),
    );
    assert.deepEqual([...critical].sort(), [...drilled].sort());
  });
});
