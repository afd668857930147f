import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { HTTP_REQUEST_DURATION_SECONDS, LATENCY_BUCKETS_SECONDS } from './metric-names';

const RULES_DIR = join(__dirname, '../../../../deploy/prometheus/rules');

function ruleExpressions(): string[] {
  return readdirSync(RULES_DIR)
    .filter((file) => file.endsWith('.yml'))
    .flatMap((file) => {
      const { groups } = parse(readFileSync(join(RULES_DIR, file), 'utf8')) as {
        groups: { rules: { expr: string }[] }[];
      };
      return groups.flatMap((group) => group.rules.map((rule) => String(rule.expr)));
    });
}

describe('latency buckets', () => {
  const expressions = ruleExpressions().filter((expr) =>
    expr.includes(HTTP_REQUEST_DURATION_SECONDS),
  );

  it('hold every bucket the alert rules select with le=', () => {
    // le="1" or le=~"1|1\\.0": the first alternative is the edge.
    const selected = expressions.flatMap((expr) =>
      [...expr.matchAll(/le=~?"([0-9.]+)/g)].map((match) => Number(match[1])),
    );
    expect(selected.length).toBeGreaterThan(0); // the latency SLO of rules/slo.yml
    for (const edge of selected) expect(LATENCY_BUCKETS_SECONDS).toContain(edge);
  });

  it('hold every quantile threshold the alert rules compare with', () => {
    const thresholds = expressions.flatMap((expr) =>
      [...expr.matchAll(/histogram_quantile\([\s\S]*?\)\)\)\s*>\s*([0-9.]+)/g)].map((match) =>
        Number(match[1]),
      ),
    );
    expect(thresholds.length).toBeGreaterThan(0); // HighLatencyP95 of rules/services.yml
    for (const threshold of thresholds) expect(LATENCY_BUCKETS_SECONDS).toContain(threshold);
  });
});
