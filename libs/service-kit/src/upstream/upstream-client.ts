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
import http from 'node:http';
import https from 'node:https';
import type { Counter, Histogram } from 'prom-client';
import { SERVICE_CONFIG } from '../config/config.token';
import type { ServiceConfig } from '../config/service-config';
import type { ServiceName } from '@obs/api-contracts';
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

/** The deadline of a call passed: the caller answers 504. */
class UpstreamTimeout extends Error {}

/**
 * Calls one other service over HTTP with a deadline. A refused connection
 * becomes 503 and a deadline past becomes 504 for our own caller, quickly,
 * so nothing upstream can hang this service.
 *
 * node:http with a keep-alive agent rather than global fetch: on the hot path
 * of every gateway request, fetch's WHATWG layers (streams, Headers, an
 * AbortSignal.timeout timer that still fires and builds a DOMException after
 * the call is done) cost more CPU than the call itself (bench/README.md).
 *
 * It makes no span and writes no `traceparent` itself: the http
 * instrumentation (`@obs/telemetry/sdk`) traces node:http, so each call is a
 * client span per the HTTP semantic conventions and the callee continues the
 * trace, as for any other node:http or fetch call a service makes.
 */
export class UpstreamClient {
  private readonly origin: URL;
  private readonly transport: typeof http | typeof https;
  /** Reuses connections: a TCP handshake per call would cost more than most calls. */
  private readonly agent: http.Agent;

  constructor(
    readonly name: ServiceName,
    baseUrl: string,
    private readonly timeoutMs: number,
    private readonly metrics: UpstreamMetrics,
    private readonly faults: FaultRegistry,
  ) {
    this.origin = new URL(baseUrl);
    this.transport = this.origin.protocol === 'https:' ? https : http;
    // As Node's global agent: keep-alive, most recently used socket first, and idle
    // sockets closed before a Node server's 5 s keep-alive timeout closes them under us.
    this.agent = new this.transport.Agent({ keepAlive: true, scheduling: 'lifo', timeout: 4_000 });
  }

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

    let response: { status: number; text: string };
    try {
      response = await this.send(path, request);
    } catch (error) {
      const timedOut = error instanceof UpstreamTimeout;
      record(timedOut ? 'timeout' : 'error');
      throw timedOut
        ? new GatewayTimeoutException(`${this.name} did not answer within ${this.timeoutMs} ms`)
        : this.unavailable();
    }

    let body: T;
    try {
      body = (response.text ? JSON.parse(response.text) : undefined) as T;
    } catch {
      record(String(response.status));
      throw new BadGatewayException(`${this.name} sent a response that is not JSON`);
    }
    record(String(response.status));
    return { status: response.status, body };
  }

  /** One HTTP exchange, the whole answer read, within the deadline. */
  private send(path: string, request: UpstreamRequest): Promise<{ status: number; text: string }> {
    const body = request.body === undefined ? undefined : JSON.stringify(request.body);
    const headers = compactHeaders({
      ...(body === undefined
        ? {}
        : {
            'content-type': 'application/json',
            'content-length': String(Buffer.byteLength(body)),
          }),
      ...request.headers,
    });
    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (error: Error | undefined, answer?: { status: number; text: string }) => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        if (error || !answer) reject(error);
        else resolve(answer);
      };
      const call = this.transport.request(
        {
          protocol: this.origin.protocol,
          hostname: this.origin.hostname,
          port: this.origin.port,
          path,
          method: request.method ?? 'GET',
          headers,
          agent: this.agent,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            settle(undefined, {
              status: response.statusCode ?? 0,
              text: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          response.on('error', (error) => settle(error));
        },
      );
      // Also when the answer has begun but stalls: whatever error the destroyed socket
      // reports after this, the caller has already been told it timed out.
      const deadline = setTimeout(() => {
        settle(new UpstreamTimeout());
        call.destroy();
      }, this.timeoutMs);
      call.on('error', (error) => settle(error));
      call.end(body);
    });
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
  for(name: ServiceName, options: { timeoutMs?: number } = {}): UpstreamClient {
    const baseUrl = this.config.upstreamUrls[name];
    if (baseUrl === undefined)
      throw new Error(`${this.config.serviceName} does not call ${name} in the service topology`);
    const timeoutMs = options.timeoutMs ?? this.config.UPSTREAM_TIMEOUT_MS;
    return new UpstreamClient(name, baseUrl, timeoutMs, this.metrics, this.faults);
  }
}
