// Unit tests of the drill runner's judgement: the catalogue, how notifications are classified
// (what fails a drill, what is only a finding) and the incident-panel coverage of a suite.
// Run: node --test load-tests/drills/*.test.ts (npm test runs it through `nx run load-tests:test`).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { Notification } from './alerts.ts';
import { DRILLS, matches } from './catalogue.ts';
import type { DrillConfig } from './config.ts';
import { readConfig } from './config.ts';
import { classify } from './drill.ts';
import type { DrillRecord } from './drill.ts';
import { panelsEmptyInEveryDrill } from './panels.ts';
import { SERVICE_NAMES, TOPOLOGY } from '../../libs/api-contracts/src/topology.ts';

function record(drill: string, overrides: Partial<DrillRecord> = {}): DrillRecord {
  return {
    drill,
    alert: '',
    service: '',
    severity: '',
    description: '',
    detectedSeconds: null,
    resolvedSeconds: null,
    unexpectedAlerts: [],
    unexpectedNotPaged: [],
    passed: false,
    testid: `drill-${drill}-20260101T000000Z`,
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '',
    detectBudgetSeconds: 0,
    resolveBudgetSeconds: 0,
    failures: [],
    timeline: [],
    alertsSeen: [],
    toleratedAlerts: [],
    carriedOver: [],
    traceIds: [],
    ...overrides,
  };
}

const notification = (
  receiver: string,
  labels: Record<string, string>,
  status: 'firing' | 'resolved' = 'firing',
): Notification => ({ receivedAt: new Date(), receiver, status, labels });

describe('the drill catalogue', () => {
  it('has the eight drills of the issue, the latency page and the database outage, each once', () => {
    assert.deepEqual(DRILLS.map((d) => d.name).sort(), [
      'database-down',
      'error-budget-burn',
      'event-loop-lag',
      'high-error-rate',
      'high-latency',
      'latency-budget-burn',
      'memory-leak',
      'service-down',
      'slow-agent',
      'upstream-unavailable',
    ]);
  });

  it('gives every page a detection budget of at most 4 minutes', () => {
    // ServiceDown's `for` is 1m; the fast burn must hold for 2m (Pyrra's `for`) on top of the
    // half minute its windows need to cross 14.4x.
    const critical = DRILLS.filter((d) => d.expected.severity === 'critical');
    assert.deepEqual(
      critical.map((d) => `${d.expected.alertname} ${d.expected.slo ?? ''}`).sort(),
      ['DatabaseDown ', 'ErrorBudgetBurn availability', 'ErrorBudgetBurn latency', 'ServiceDown '],
    );
    for (const drill of critical) assert.ok(drill.detectBudgetSeconds <= 240, drill.name);
  });

  it('never tolerates the alert a drill expects under another name', () => {
    for (const drill of DRILLS) {
      for (const { match } of drill.tolerated) {
        assert.ok(match.alertname, `${drill.name}: a tolerated alert names its alertname`);
        assert.ok(!matches(match, drill.expected), `${drill.name} tolerates its own alert`);
      }
    }
  });

  it('expects the one availability page of product-service in error-budget-burn', () => {
    const drill = DRILLS.find((d) => d.name === 'error-budget-burn')!;
    const page = {
      alertname: 'ErrorBudgetBurn',
      service: 'product-service',
      slo: 'availability',
      severity: 'critical',
    };
    assert.ok(matches(page, drill.expected));
    assert.ok(!matches({ ...page, severity: 'warning' }, drill.expected));
    assert.ok(!matches({ ...page, slo: 'latency' }, drill.expected));
  });
});

describe('classify', () => {
  const drill = DRILLS.find((d) => d.name === 'high-error-rate')!;

  it('fails a drill on an unexpected page, reports unexpected chat as a finding', () => {
    const r = record(drill.name);
    classify(drill, r, [
      notification('chat', {
        alertname: 'HighErrorRate',
        service: 'product-service',
        severity: 'warning',
      }),
      notification('pager', {
        alertname: 'ServiceDown',
        service: 'order-service',
        severity: 'critical',
      }),
      notification('chat', {
        alertname: 'HighLatencyP95',
        service: 'user-service',
        severity: 'warning',
      }),
      notification('pager', {
        alertname: 'ErrorBudgetBurn',
        service: 'api-gateway',
        severity: 'critical',
        slo: 'availability',
      }),
      notification('watchdog', { alertname: 'Watchdog', severity: 'none' }),
    ]);
    assert.deepEqual(r.unexpectedAlerts, [
      'ServiceDown{service="order-service", severity="critical"}',
    ]);
    assert.deepEqual(r.unexpectedNotPaged, [
      'HighLatencyP95{service="user-service", severity="warning"}',
    ]);
    assert.deepEqual(r.toleratedAlerts, [
      'ErrorBudgetBurn{service="api-gateway", severity="critical", slo="availability"}',
    ]);
    assert.deepEqual(
      r.alertsSeen.map((a) => a.verdict),
      ['expected', 'unexpected', 'unexpected', 'tolerated'],
    );
  });

  it('does not count a resolved notification or an alert carried over as unexpected', () => {
    const carried = 'HighLatencyP95{service="user-service", severity="warning"}';
    const r = record(drill.name, { carriedOver: [carried] });
    classify(drill, r, [
      notification(
        'pager',
        { alertname: 'ServiceDown', service: 'order-service', severity: 'critical' },
        'resolved',
      ),
      notification('chat', {
        alertname: 'HighLatencyP95',
        service: 'user-service',
        severity: 'warning',
      }),
    ]);
    assert.deepEqual(r.unexpectedAlerts, []);
    assert.deepEqual(r.unexpectedNotPaged, []);
    assert.equal(r.alertsSeen[1].verdict, 'carried over');
  });
});

describe('incident panels over a suite', () => {
  const config = (): DrillConfig => ({
    ...readConfig({}),
    reportsDir: fs.mkdtempSync(path.join(os.tmpdir(), 'drill-panels-')),
  });
  const panels = (checked: string[], empty: string[]): DrillRecord['incidentPanels'] => ({
    checked,
    empty: empty.map((panel) => ({ panel, problems: [] })),
  });

  it('lists only the panels no drill filled, and writes which drill filled each', () => {
    const cfg = config();
    const all = ['Overview / 5xx', 'Overview / Alerts firing', 'SLO / Burn rate'];
    const empty = panelsEmptyInEveryDrill(cfg, [
      record('service-down', {
        incidentPanels: panels(all, ['SLO / Burn rate', 'Overview / 5xx']),
      }),
      record('high-error-rate', { incidentPanels: panels(all, ['SLO / Burn rate']) }),
    ]);
    assert.deepEqual(empty, ['SLO / Burn rate']);
    const written = JSON.parse(
      fs.readFileSync(path.join(cfg.reportsDir, 'incident-panels.json'), 'utf8'),
    ) as { filledBy: Record<string, string[]> };
    assert.deepEqual(written.filledBy['Overview / Alerts firing'], [
      'service-down',
      'high-error-rate',
    ]);
    assert.deepEqual(written.filledBy['Overview / 5xx'], ['high-error-rate']);
  });

  it('cannot judge a suite in which a drill could not ask Prometheus', () => {
    const broken = { checked: [], empty: [], error: 'connection refused' };
    assert.equal(
      panelsEmptyInEveryDrill(config(), [record('service-down', { incidentPanels: broken })]),
      undefined,
    );
    assert.equal(panelsEmptyInEveryDrill(config(), [record('service-down')]), undefined);
  });
});

describe('readConfig', () => {
  it("finds running services on the topology's ports, or at their URL variables", () => {
    const defaults = readConfig({});
    for (const name of SERVICE_NAMES)
      assert.equal(defaults.serviceUrls[name], `http://127.0.0.1:${TOPOLOGY[name].port}`);
    const set = readConfig({ BASE_URL: 'http://gw:1', ORDER_SERVICE_URL: 'http://orders:2' });
    assert.equal(set.gatewayUrl, 'http://gw:1');
    assert.equal(set.serviceUrls['api-gateway'], 'http://gw:1');
    assert.equal(set.serviceUrls['order-service'], 'http://orders:2');
    assert.equal(set.serviceUrls['user-service'], defaults.serviceUrls['user-service']);
  });

  it('refuses a malformed setting, naming its variable', () => {
    assert.throws(() => readConfig({ DRILL_RATE: 'fast' }), /DRILL_RATE/);
    assert.throws(() => readConfig({ DRILL_RATE: '0' }), /DRILL_RATE/);
    assert.throws(() => readConfig({ DRILL_WARMUP_SECONDS: '-1' }), /DRILL_WARMUP_SECONDS/);
    assert.throws(() => readConfig({ DRILL_SERVICES: 'launch' }), /DRILL_SERVICES/);
    assert.throws(() => readConfig({ DRILL_STORAGE: 'sqlite' }), /DRILL_STORAGE/);
  });

  it('restarts the stack empty before each drill of a suite unless DRILL_FRESH_STACK says', () => {
    assert.equal(readConfig({}).freshStack, undefined);
    assert.equal(readConfig({ DRILL_FRESH_STACK: '0' }).freshStack, false);
    assert.equal(readConfig({ DRILL_FRESH_STACK: '1' }).freshStack, true);
  });
});
