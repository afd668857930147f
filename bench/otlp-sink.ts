// A live OTLP/HTTP endpoint for the benchmark that does as little as a receiver
// can: it reads each export, counts its requests and bytes, and answers 200 with
// an empty ExportTraceServiceResponse. Decoding spans (as the end-to-end receiver
// does) would put the receiver's CPU cost into the figures being measured.
// Also the two broken collectors of the outage configurations: one that refuses
// connections and one that accepts them and never answers.
import { createServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';

export interface OtlpSink {
  /** Base URL for OTEL_EXPORTER_OTLP_ENDPOINT. */
  endpoint: string;
  /** Export requests and body bytes received since the last call, then resets both. */
  take(): { requests: number; bytes: number };
  close(): Promise<void>;
}

export async function startOtlpSink(): Promise<OtlpSink> {
  let requests = 0;
  let bytes = 0;
  const server = createServer((request, response) => {
    requests += 1;
    request.on('data', (chunk: Buffer) => (bytes += chunk.length));
    request.on('end', () => {
      const json = (request.headers['content-type'] ?? '').includes('json');
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
    take() {
      const taken = { requests, bytes };
      requests = 0;
      bytes = 0;
      return taken;
    },
    close: () =>
      new Promise((closed) => {
        server.closeAllConnections();
        server.close(() => closed());
      }),
  };
}

/**
 * A collector that is up but hung: it accepts connections and reads what is sent,
 * and never answers. The exporters wait for their timeout on every export.
 */
export async function startHungCollector(): Promise<OtlpSink> {
  let connections = 0;
  let bytes = 0;
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('data', (chunk: Buffer) => (bytes += chunk.length));
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    take() {
      const taken = { requests: connections, bytes };
      connections = 0;
      bytes = 0;
      return taken;
    },
    close: () =>
      new Promise((closed) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => closed());
      }),
  };
}

/** A loopback address where nothing listens: every export is refused at connect. */
export async function refusedEndpoint(): Promise<string> {
  // A port the kernel just handed out and that is closed again; in the benchmark's
  // network nothing else binds it while the run lasts.
  const server = createNetServer();
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((closed) => server.close(() => closed()));
  return `http://127.0.0.1:${port}`;
}
