/**
 * Histogram buckets for request latency, in seconds. Every threshold the alert rules read from
 * the histogram is an edge (the latency SLO in deploy/prometheus/rules/slo.yml, HighLatencyP95 in
 * rules/services.yml): metric-names.spec.ts fails when a rule reads one that is not.
 */
export const LATENCY_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const HTTP_REQUESTS_TOTAL = 'http_requests_total';
export const HTTP_REQUEST_DURATION_SECONDS = 'http_request_duration_seconds';
export const HTTP_REQUESTS_IN_FLIGHT = 'http_requests_in_flight';
export const UPSTREAM_REQUESTS_TOTAL = 'upstream_requests_total';
export const UPSTREAM_REQUEST_DURATION_SECONDS = 'upstream_request_duration_seconds';
export const NODEJS_EVENTLOOP_UTILIZATION_RATIO = 'nodejs_eventloop_utilization_ratio';
