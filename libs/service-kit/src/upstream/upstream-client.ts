import {
  BadGatewayException,
  GatewayTimeoutException,
  HttpException,
  Inject,
  Injectable,
  ServiceUnavailableException,
} from '@nestjs/common';
import {
  InjectMetric,
  UPSTREAM_REQUEST_DURATION_SECONDS,
  UPSTREAM_REQUESTS_TOTAL,
  type UpstreamLabel,
} from '@obs/telemetry';
import type { Counter, Histogram } from 'prom-client';
import { SERVICE_CONFIG } from '../config/config.token';
import type { ServiceConfig } from '../config/service-config';
import type { UpstreamName } from '../faults/fault.dto';
import { FaultRegistry, markFaulted } from '../faults/fault-registry';

export interface UpstreamRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  /** Only these headers are forwarded; trace context is added by the instrumentation. */
  headers?: Record<string, string | undefined>;
}

export interface UpstreamResponse<T> {
  status: number;
  body: T;
}

interface UpstreamMetrics {
  requests: Counter<UpstreamLabel>;
  duration: Histogram<UpstreamLabel>;
}

/**
 * Calls one other service over HTTP with a deadline. A refused connection
 * becomes 503 and a deadline past becomes 504 for our own caller, quickly,
 * so nothing upstream can hang this service.
 */
export class UpstreamClient {
  constructor(
    readonly name: UpstreamName,
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
    private readonly metrics: UpstreamMetrics,
    private readonly faults: FaultRegistry,
  ) {}

  async request<T>(path: string, request: UpstreamRequest = {}): Promise<UpstreamResponse<T>> {
    const startedAt = performance.now();
    const record = (statusCode: string) => {
      const labels = { upstream: this.name, status_code: statusCode };
      this.metrics.requests.inc(labels);
      this.metrics.duration.observe(labels, (performance.now() - startedAt) / 1000);
    };

    if (this.faults.pick('upstream-failure', (fault) => fault.upstream === this.name)) {
      markFaulted('upstream-failure');
      record('error');
      throw this.unavailable();
    }

    let response: Response;
    try {
      response = await fetch(new URL(path, this.baseUrl), {
        method: request.method ?? 'GET',
        headers: compactHeaders({
          ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...request.headers,
        }),
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
      record(timedOut ? 'timeout' : 'error');
      throw timedOut
        ? new GatewayTimeoutException(`${this.name} did not answer within ${this.timeoutMs} ms`)
        : this.unavailable();
    }

    let body: T;
    try {
      const text = await response.text();
      body = (text ? JSON.parse(text) : undefined) as T;
    } catch {
      record(String(response.status));
      throw new BadGatewayException(`${this.name} sent a response that is not JSON`);
    }
    record(String(response.status));
    return { status: response.status, body };
  }

  /**
   * For callers that only accept success: a 4xx from the upstream is passed on
   * as it came (it is the client's mistake), a 5xx becomes 502, or stays 503/504.
   */
  async expectOk<T>(path: string, request: UpstreamRequest = {}): Promise<T> {
    const response = await this.request<T>(path, request);
    if (response.status < 400) return response.body;
    throw upstreamFailure(this.name, response);
  }

  private unavailable(): ServiceUnavailableException {
    return new ServiceUnavailableException(`${this.name} is unavailable`);
  }
}

/** The exception to answer with when an upstream answered with an error status. */
export function upstreamFailure(name: string, response: UpstreamResponse<unknown>): HttpException {
  const { status, body } = response;
  if (status < 500 || status === 503 || status === 504)
    return new HttpException(body ?? `${name} answered ${status}`, status);
  return new BadGatewayException(`${name} failed with status ${status}`);
}

function compactHeaders(headers: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

/** Creates the clients a service needs, each with the shared metrics and timeout. */
@Injectable()
export class UpstreamClients {
  private readonly metrics: UpstreamMetrics;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    private readonly faults: FaultRegistry,
    @InjectMetric(UPSTREAM_REQUESTS_TOTAL) requests: Counter<UpstreamLabel>,
    @InjectMetric(UPSTREAM_REQUEST_DURATION_SECONDS) duration: Histogram<UpstreamLabel>,
  ) {
    this.metrics = { requests, duration };
  }

  /** `timeoutMs` overrides UPSTREAM_TIMEOUT_MS for callees that are slow by nature. */
  for(name: UpstreamName, options: { timeoutMs?: number } = {}): UpstreamClient {
    const urls: Record<UpstreamName, string> = {
      'user-service': this.config.USER_SERVICE_URL,
      'product-service': this.config.PRODUCT_SERVICE_URL,
      'order-service': this.config.ORDER_SERVICE_URL,
      'agent-service': this.config.AGENT_SERVICE_URL,
    };
    const timeoutMs = options.timeoutMs ?? this.config.UPSTREAM_TIMEOUT_MS;
    return new UpstreamClient(name, urls[name], timeoutMs, this.metrics, this.faults);
  }
}
