/** Histogram buckets for request latency, in seconds; 0.5 s is the latency SLO's threshold. */
export const LATENCY_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const HTTP_REQUESTS_TOTAL = 'http_requests_total';
export const HTTP_REQUEST_DURATION_SECONDS = 'http_request_duration_seconds';
export const HTTP_REQUESTS_IN_FLIGHT = 'http_requests_in_flight';
export const UPSTREAM_REQUESTS_TOTAL = 'upstream_requests_total';
export const UPSTREAM_REQUEST_DURATION_SECONDS = 'upstream_request_duration_seconds';
export const NODEJS_EVENTLOOP_UTILIZATION_RATIO = 'nodejs_eventloop_utilization_ratio';

/**
 * Histogram buckets for database operations and connection waits, in seconds:
 * a query is a few milliseconds, so the edges are finer than the request
 * buckets below 10 ms, and 0.1, 0.25 and 0.5 s mark one query taking a fifth,
 * half and all of the request latency SLO.
 */
export const DB_BUCKETS_SECONDS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
];

// The OpenTelemetry database client metrics (`db.client.operation.duration`,
// `db.client.connection.*`) under the names the OpenTelemetry-to-Prometheus
// translation gives them, their attributes as labels with `.` as `_`.
export const DB_CLIENT_OPERATION_DURATION_SECONDS = 'db_client_operation_duration_seconds';
export const DB_CLIENT_CONNECTION_COUNT = 'db_client_connection_count';
export const DB_CLIENT_CONNECTION_MAX = 'db_client_connection_max';
export const DB_CLIENT_CONNECTION_PENDING_REQUESTS = 'db_client_connection_pending_requests';
export const DB_CLIENT_CONNECTION_WAIT_TIME_SECONDS = 'db_client_connection_wait_time_seconds';
