// A local OTLP/HTTP trace receiver for the end-to-end tests: it accepts both
// encodings the services may use (http/protobuf and http/json) and keeps every
// span in memory, so tests can assert on what really left the processes. Log
// records (OTEL_LOGS_EXPORTER=otlp) are kept too, from http/json senders.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import protobuf from 'protobufjs';

/** The subset of opentelemetry/proto/collector/trace/v1 the tests read; field numbers as upstream. */
const TRACE_PROTO = `
syntax = "proto3";
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
message Resource { repeated KeyValue attributes = 1; }
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; }
message InstrumentationScope { string name = 1; string version = 2; }
message Span {
  bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; bytes parent_span_id = 4;
  string name = 5; int32 kind = 6; fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8;
  repeated KeyValue attributes = 9; repeated Event events = 11; Status status = 15;
}
message Event { fixed64 time_unix_nano = 1; string name = 2; repeated KeyValue attributes = 3; }
message Status { string message = 2; int32 code = 3; }
message KeyValue { string key = 1; AnyValue value = 2; }
message AnyValue {
  oneof value { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4; ArrayValue array_value = 5; }
}
message ArrayValue { repeated AnyValue values = 1; }
`;
const ExportTraceServiceRequest = protobuf
  .parse(TRACE_PROTO, { keepCase: true })
  .root.lookupType('ExportTraceServiceRequest');

export interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client. */
  kind: number;
  attributes: Record<string, unknown>;
  /** Span events (e.g. `exception`) with their attributes. */
  events: { name: string; attributes: Record<string, unknown> }[];
  /** OTLP StatusCode: 0 unset, 1 ok, 2 error. */
  statusCode: number;
  resource: Record<string, unknown>;
  scope: string;
  /** The encoding it arrived in. */
  encoding: 'protobuf' | 'json';
}

export interface ReceivedLog {
  service: string;
  traceId: string;
  body: unknown;
  severityText: string;
  /** Nested maps (OTLP kvlist values) as plain objects. */
  attributes: Record<string, unknown>;
}

export interface OtlpReceiver {
  endpoint: string;
  spans: ReceivedSpan[];
  /** Log records that arrived as http/json. */
  logs: ReceivedLog[];
  close(): Promise<void>;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const logs: ReceivedLog[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const json = (request.headers['content-type'] ?? '').includes('json');
      if (request.url === '/v1/traces') {
        spans.push(...(json ? fromJson(JSON.parse(body.toString('utf8'))) : fromProtobuf(body)));
      }
      if (request.url === '/v1/logs' && json) {
        logs.push(...logsFromJson(JSON.parse(body.toString('utf8'))));
      }
      response.writeHead(200, {
        'content-type': json ? 'application/json' : 'application/x-protobuf',
      });
      response.end(json ? '{}' : '');
    });
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    spans,
    logs,
    close: () => new Promise((closed) => server.close(() => closed())),
  };
}

type Attributes = Record<string, unknown>;

function fromProtobuf(body: Buffer): ReceivedSpan[] {
  const decoded = ExportTraceServiceRequest.toObject(ExportTraceServiceRequest.decode(body), {
    bytes: String,
    longs: Number,
    arrays: true,
  }) as ProtoRequest;
  const hex = (base64: string) => Buffer.from(base64, 'base64').toString('hex');
  return decoded.resource_spans.flatMap((resourceSpans) => {
    const resource = protoAttributes(resourceSpans.resource?.attributes ?? []);
    return resourceSpans.scope_spans.flatMap((scopeSpans) =>
      scopeSpans.spans.map((span) => ({
        service: String(resource['service.name']),
        traceId: hex(span.trace_id),
        spanId: hex(span.span_id),
        parentSpanId: hex(span.parent_span_id ?? ''),
        name: span.name,
        kind: span.kind,
        attributes: protoAttributes(span.attributes),
        events: (span.events ?? []).map((event) => ({
          name: event.name,
          attributes: protoAttributes(event.attributes ?? []),
        })),
        statusCode: span.status?.code ?? 0,
        resource,
        scope: scopeSpans.scope?.name ?? '',
        encoding: 'protobuf' as const,
      })),
    );
  });
}

function fromJson(request: JsonRequest): ReceivedSpan[] {
  return request.resourceSpans.flatMap((resourceSpans) => {
    const resource = jsonAttributes(resourceSpans.resource?.attributes ?? []);
    return resourceSpans.scopeSpans.flatMap((scopeSpans) =>
      scopeSpans.spans.map((span) => ({
        service: String(resource['service.name']),
        traceId: span.traceId,
        spanId: span.spanId,
        parentSpanId: span.parentSpanId ?? '',
        name: span.name,
        kind: span.kind,
        attributes: jsonAttributes(span.attributes ?? []),
        events: (span.events ?? []).map((event) => ({
          name: event.name,
          attributes: jsonAttributes(event.attributes ?? []),
        })),
        statusCode: span.status?.code ?? 0,
        resource,
        scope: scopeSpans.scope?.name ?? '',
        encoding: 'json' as const,
      })),
    );
  });
}

interface ProtoValue {
  string_value?: string;
  bool_value?: boolean;
  int_value?: number;
  double_value?: number;
  array_value?: { values: ProtoValue[] };
}
interface ProtoRequest {
  resource_spans: {
    resource?: { attributes: { key: string; value: ProtoValue }[] };
    scope_spans: {
      scope?: { name: string };
      spans: {
        trace_id: string;
        span_id: string;
        parent_span_id?: string;
        name: string;
        kind: number;
        attributes: { key: string; value: ProtoValue }[];
        events?: { name: string; attributes?: { key: string; value: ProtoValue }[] }[];
        status?: { code?: number };
      }[];
    }[];
  }[];
}

function protoValue(value: ProtoValue | undefined): unknown {
  if (!value) return undefined;
  if (value.array_value) return value.array_value.values.map(protoValue);
  return value.string_value ?? value.int_value ?? value.double_value ?? value.bool_value;
}

function protoAttributes(list: { key: string; value: ProtoValue }[]): Attributes {
  return Object.fromEntries(list.map(({ key, value }) => [key, protoValue(value)]));
}

interface JsonValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number | string;
  doubleValue?: number;
  arrayValue?: { values: JsonValue[] };
  kvlistValue?: { values: { key: string; value: JsonValue }[] };
}
interface JsonLogsRequest {
  resourceLogs: {
    resource?: { attributes: { key: string; value: JsonValue }[] };
    scopeLogs: {
      logRecords: {
        traceId?: string;
        severityText?: string;
        body?: JsonValue;
        attributes?: { key: string; value: JsonValue }[];
      }[];
    }[];
  }[];
}
interface JsonRequest {
  resourceSpans: {
    resource?: { attributes: { key: string; value: JsonValue }[] };
    scopeSpans: {
      scope?: { name: string };
      spans: {
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        kind: number;
        attributes?: { key: string; value: JsonValue }[];
        events?: { name: string; attributes?: { key: string; value: JsonValue }[] }[];
        status?: { code?: number };
      }[];
    }[];
  }[];
}

function logsFromJson(request: JsonLogsRequest): ReceivedLog[] {
  return request.resourceLogs.flatMap((resourceLogs) => {
    const resource = jsonAttributes(resourceLogs.resource?.attributes ?? []);
    return resourceLogs.scopeLogs.flatMap((scopeLogs) =>
      scopeLogs.logRecords.map((record) => ({
        service: String(resource['service.name']),
        traceId: record.traceId ?? '',
        body: record.body && jsonValue(record.body),
        severityText: record.severityText ?? '',
        attributes: jsonAttributes(record.attributes ?? []),
      })),
    );
  });
}

function jsonValue(value: JsonValue): unknown {
  if (value.kvlistValue) return jsonAttributes(value.kvlistValue.values);
  if (value.arrayValue) return value.arrayValue.values.map(jsonValue);
  if (value.intValue !== undefined) return Number(value.intValue);
  return value.stringValue ?? value.doubleValue ?? value.boolValue;
}

function jsonAttributes(list: { key: string; value: JsonValue }[]): Attributes {
  return Object.fromEntries(list.map(({ key, value }) => [key, jsonValue(value)]));
}
