// The dashboards' incident panels (errors, 5xx, alerts, burn rates: empty on a healthy system)
// can only be checked while an incident is in Prometheus. The runner checks them after each
// drill, before the next one empties the stack, and `all` fails when a panel stayed empty in
// every drill.
import fs from 'node:fs';
import path from 'node:path';
import { checkPanels } from '../checks/dashboard-panels.ts';
import type { DrillConfig } from './config.ts';
import type { DrillRecord } from './drill.ts';

export interface IncidentPanels {
  /** Every incident panel checked, as `dashboard / title`. */
  checked: string[];
  /** Those with no data over the drill's window, with the queries that came back empty. */
  empty: { panel: string; problems: string[] }[];
  /** Set when Prometheus could not be asked. */
  error?: string;
}

export async function checkIncidentPanels(
  config: DrillConfig,
  record: DrillRecord,
): Promise<IncidentPanels> {
  const since = Date.parse(record.startedAt);
  try {
    const result = await checkPanels({
      after: 'drill',
      rangeSeconds: Math.ceil((Date.now() - since) / 1000) + 60,
      // The service the drill hurt, as its report's dashboard links open it.
      pinned: new Map([
        ['testid', record.testid],
        ['service', record.service],
      ]),
      prometheusUrl: config.prometheusUrl,
      jaegerUrl: config.jaegerUrl,
    });
    return {
      checked: result.checked,
      empty: result.empty.map((p) => ({
        panel: `${p.dashboard} / ${p.title}`,
        problems: p.problems,
      })),
    };
  } catch (error) {
    return { checked: [], empty: [], error: (error as Error).message };
  }
}

/**
 * Incident panels that showed no data in any drill of the run, also written to
 * reports/drills/incident-panels.json; undefined when a drill could not check them.
 */
export function panelsEmptyInEveryDrill(
  config: DrillConfig,
  records: DrillRecord[],
): string[] | undefined {
  if (records.length === 0 || records.some((r) => !r.incidentPanels || r.incidentPanels.error))
    return undefined;
  const filledBy = new Map<string, string[]>();
  for (const record of records) {
    const empty = new Set(record.incidentPanels!.empty.map((p) => p.panel));
    for (const panel of record.incidentPanels!.checked) {
      const drills = filledBy.get(panel) ?? [];
      if (!empty.has(panel)) drills.push(record.drill);
      filledBy.set(panel, drills);
    }
  }
  const emptyEverywhere = [...filledBy].filter(([, drills]) => drills.length === 0).map(([p]) => p);
  fs.writeFileSync(
    path.resolve(config.reportsDir, 'incident-panels.json'),
    `${JSON.stringify({ filledBy: Object.fromEntries(filledBy), emptyEverywhere }, null, 2)}\n`,
  );
  return emptyEverywhere;
}
