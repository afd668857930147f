// Run-time settings every scenario shares, read once from k6's environment (`-e NAME=value`
// or the process environment). Scenario-specific knobs live in the scenario files.

/** The gateway the journeys talk to. Load only ever targets what you point this at. */
export const BASE_URL = (__ENV.BASE_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');

/** Pause between steps of one journey, in seconds (a user reading the page). 0 disables it. */
export const THINK_TIME = envNumber('THINK_TIME', 0.5);

export function envString(name: string, fallback: string): string {
  const value = __ENV[name];
  return value === undefined || value === '' ? fallback : value;
}

export function envNumber(name: string, fallback: number): number {
  const raw = __ENV[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Error(`${name}=${raw} is not a number`);
  return value;
}

/** The `testid` run tag: load.sh sets it with `--tag testid=<scenario>-<timestamp>`. */
export function runTags(scenario: string): Record<string, string> {
  return { testid: envString('TESTID', `${scenario}-adhoc`) };
}
