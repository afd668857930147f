// Requests that machines make. Shared by the preload (which must not load Nest)
// and the module, so it imports nothing.

/** Probes and scrapes: no span, no RED metrics, no request line; they would bury real traffic. */
export const PROBE_PATH = /^\/(health\/|metrics(\/|\?|$))/;

/** Not traced either: the probes, and the drills' fault admin API. */
export const UNTRACED_PATH = /^\/(health\/|metrics(\/|\?|$)|admin\/faults)/;
