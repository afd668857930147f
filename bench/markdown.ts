// The benchmark report as markdown: the same figures as the JSON, for people. Its last line
// is the verdict.
import { format } from './budget.ts';
import { CONFIGURATION_NAMES, INSTRUMENTATION_STEPS, PATH_NAMES } from './configurations.ts';
import type { BenchReport } from './report.ts';
import type { Spread } from './statistics.ts';
import { ratio } from './statistics.ts';

const range = (s: Spread, digits = 1) =>
  `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;
const maybe = (value: number | undefined) => (value === undefined ? '–' : value.toFixed(2));
const short = (service: string) => service.replace('-service', '');

/** The per-instrumentation table: what switching each one on added, per request and service. */
function instrumentationCosts(report: BenchReport): string[] {
  const steps = INSTRUMENTATION_STEPS.filter(
    (step) =>
      report.peakRssMbByConfiguration[step.name] && report.peakRssMbByConfiguration[step.over],
  );
  if (steps.length === 0) return [];
  const services = Object.keys(report.peakRssMbByService);
  const lines = [
    '',
    '## What each instrumentation costs',
    '',
    'CPU µs per request by service and peak RSS MB by service, each configuration minus the one it adds to ' +
      '(medians across rounds; differences of a few µs are noise).',
    '',
    `| instrumentation | over | path | ${services.map((s) => `${short(s)} µs`).join(' | ')} | 5 services µs | req/s vs over | ${services.map((s) => `${short(s)} MB`).join(' | ')} |`,
    `| --- | --- | --- | ${services.map(() => '---').join(' | ')} | --- | --- | ${services.map(() => '---').join(' | ')} |`,
  ];
  for (const step of steps) {
    const { name } = step;
    const rss = services.map((s) => {
      const delta =
        report.peakRssMbByConfiguration[name][s] - report.peakRssMbByConfiguration[step.over][s];
      return `${delta >= 0 ? '+' : ''}${delta.toFixed(0)}`;
    });
    for (const path of PATH_NAMES) {
      const mine = report[path]?.configurations[name];
      const base = report[path]?.configurations[step.over];
      if (!mine || !base) continue;
      const delta = (s: string) =>
        (mine.cpuMsPerRequestByService[s] - base.cpuMsPerRequestByService[s]) * 1000;
      const signed = (us: number) => `${us >= 0 ? '+' : ''}${us.toFixed(0)}`;
      lines.push(
        `| ${step.instrumentation} | ${step.over} | ${path} | ${services.map((s) => signed(delta(s))).join(' | ')} | ` +
          `${signed((mine.cpuMsPerRequest.median - base.cpuMsPerRequest.median) * 1000)} | ` +
          `${maybe(ratio(mine.rps.median, base.rps.median))} | ${rss.join(' | ')} |`,
      );
    }
  }
  return lines;
}

/** The report as markdown: the same figures as the JSON, for people. */
export function toMarkdown(report: BenchReport): string {
  const lines: string[] = [];
  const m = report.machine;
  const s = report.settings;
  lines.push(
    '# Telemetry overhead benchmark',
    '',
    `${report.generatedAt} · ${m.cpus} × ${m.cpuModel} · Node ${m.node} · ${m.os}`,
    `${s.rounds} rounds × configurations ${s.configurations} × paths ${s.paths}; ` +
      `${s.vus} VUs, ${s.warmupSeconds} s warm-up + ${s.durationSeconds} s measured per path; ` +
      `whole run ${report.durationSeconds.toFixed(0)} s`,
    '',
    'Figures are medians across rounds, with (min–max) across rounds. Ratios: of the medians, ' +
      'and in brackets the median of the ratios paired round by round.',
  );
  for (const path of PATH_NAMES) {
    const figures = report[path];
    if (!figures) continue;
    lines.push(
      '',
      `## ${figures.label}`,
      '',
      '| configuration | req/s | p50 ms | p99 ms | CPU ms/req (5 services) | req/s vs baseline | p99 vs baseline | bench process CPU ms/req |',
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
    );
    for (const name of CONFIGURATION_NAMES) {
      const c = figures.configurations[name];
      if (!c) continue;
      const vs = figures.vsBaseline[name];
      lines.push(
        `| ${name} | ${range(c.rps, 0)} | ${range(c.p50Ms)} | ${range(c.p99Ms)} | ${range(c.cpuMsPerRequest, 2)} | ` +
          `${maybe(vs?.throughput.ofMedians)} (${maybe(vs?.throughput.paired)}) | ` +
          `${maybe(vs?.p99.ofMedians)} (${maybe(vs?.p99.paired)}) | ${c.runnerCpuMsPerRequest.toFixed(3)} |`,
      );
    }
    const outages = Object.entries(figures.vsDefault);
    if (outages.length > 0)
      lines.push(
        '',
        'Collector outages over `default`: ' +
          outages
            .map(
              ([name, vs]) =>
                `${name} req/s ${maybe(vs.throughput.ofMedians)} (${maybe(vs.throughput.paired)}), ` +
                `p99 ${maybe(vs.p99.ofMedians)} (${maybe(vs.p99.paired)})`,
            )
            .join(' · '),
      );
    const others = CONFIGURATION_NAMES.filter((c) => c !== 'baseline' && figures.configurations[c]);
    lines.push(
      '',
      'Round by round, req/s over the same round’s baseline (and p99 of `default`):',
      '',
      `| round | ${others.join(' | ')} | p99 default |`,
      `| --- | ${others.map(() => '---').join(' | ')} | --- |`,
      ...figures.roundRatios.map(
        (r) =>
          `| ${r.round} | ${others.map((c) => maybe(r.throughput[c])).join(' | ')} | ${maybe(r.p99.default)} |`,
      ),
    );
    const cpu = Object.entries(figures.configurations).map(
      ([name, c]) =>
        `${name} ` +
        Object.entries(c.cpuMsPerRequestByService)
          .map(([service, ms]) => `${short(service)} ${ms.toFixed(2)}`)
          .join(', '),
    );
    lines.push('', `CPU ms per request by service: ${cpu.join(' · ')}`);
  }
  const configurations = Object.keys(report.peakRssMbByConfiguration);
  lines.push(
    '',
    '## Memory, /metrics, start-up',
    '',
    `| service | ${configurations.map((c) => `peak RSS MB (${c})`).join(' | ')} | /metrics scrape ms |`,
    `| --- | ${configurations.map(() => '---').join(' | ')} | --- |`,
  );
  for (const service of Object.keys(report.peakRssMbByService)) {
    lines.push(
      `| ${service} | ${configurations.map((c) => report.peakRssMbByConfiguration[c][service]?.toFixed(0) ?? '–').join(' | ')} | ${report.scrapeMsByService[service]?.toFixed(1) ?? '–'} |`,
    );
  }
  const bySeconds = (record: Record<string, number>) =>
    Object.entries(record)
      .map(([c, seconds]) => `${c} ${seconds.toFixed(1)} s`)
      .join(' · ');
  lines.push(
    '',
    `All five ready (this library's configurations): slowest ${report.readySeconds.toFixed(1)} s, median ${report.readySecondsMedian.toFixed(1)} s ` +
      `(first start on empty databases, migrations and seed included: ${report.firstStartReadySeconds.toFixed(1)} s). ` +
      `Slowest start by configuration: ${bySeconds(report.readySecondsByConfiguration)}.`,
    '',
    `Slowest stop (SIGTERM to all five gone) by configuration: ${bySeconds(report.stopSecondsByConfiguration)}.`,
    '',
    'What reached the OTLP endpoint: ' +
      Object.entries(report.otlpExport)
        .map(([c, o]) => {
          const mib = `${(o.bytes / 1024 / 1024).toFixed(1)} MiB`;
          if (c === 'collector-down') return `${c} every connection refused`;
          if (c === 'collector-hung')
            return `${c} ${o.requests} connections, ${mib}, never answered`;
          return `${c} ${o.requests} requests, ${mib}`;
        })
        .join(' · '),
    ...instrumentationCosts(report),
    '',
    '## Budget',
    '',
    'Judged on the ratios of the medians; the paired column is the same check on the medians of the ratios paired round by round.',
    '',
    '| check | value | budget | met | paired rounds |',
    '| --- | --- | --- | --- | --- |',
    ...report.budget.checks.map(
      (c) =>
        `| ${c.name} | ${c.value === undefined ? '–' : format(c.value)} | ${c.limit} | ${c.met ? 'yes' : '**no**'} | ${c.paired ?? '–'} |`,
    ),
    '',
    report.budget.missing.length > 0
      ? `bench: budget not judged: this run did not measure ${report.budget.missing.join(', ')}`
      : report.budget.met
        ? 'bench: budget met'
        : `bench: budget not met: ${report.budget.failures.join('; ')}`,
  );
  return lines.join('\n') + '\n';
}
