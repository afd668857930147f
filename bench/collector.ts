// The project's own Collector as a benchmark endpoint (configuration `tail-sampling`): the first
// tier (deploy/otel-collector/config.yaml: span metrics, the load balancer by trace id), one
// sampler (sampler.yaml: the tail-sampling policies) and Jaeger behind it, the binaries that
// deploy/local/install-tools.sh builds, on the local stack's ports and addresses (as
// deploy/local/stack.sh sets them), so the stack must not be running. They share the machine with
// the services, as a Collector on the same host would: their CPU is part of what is measured.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, openSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fail } from './broken.ts';
import type { Endpoint } from './endpoints.ts';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, '.tools/bin');

/** Each process: its binary, config and environment (the local stack's, one sampler). */
const PROCESSES = [
  {
    name: 'jaeger',
    args: [`--config=${join(ROOT, 'deploy/jaeger/config.yaml')}`],
    env: {
      JAEGER_LISTEN_HOST: '127.0.0.1',
      JAEGER_OTLP_GRPC_PORT: '14317',
      JAEGER_HEALTH_PORT: '14133',
      JAEGER_METRICS_PORT: '14269',
    },
    ready: 'http://127.0.0.1:14133/status',
  },
  {
    name: 'otelcol',
    args: [`--config=${join(ROOT, 'deploy/otel-collector/sampler.yaml')}`],
    env: {
      OTELCOL_LISTEN_HOST: '127.0.0.1',
      JAEGER_OTLP_ENDPOINT: '127.0.0.1:14317',
      OTELCOL_OTLP_PORT: '14417',
      OTELCOL_HEALTH_PORT: '14433',
      OTELCOL_METRICS_PORT: '14488',
    },
    ready: 'http://127.0.0.1:14433/',
  },
  {
    name: 'otelcol',
    args: [`--config=${join(ROOT, 'deploy/otel-collector/config.yaml')}`],
    env: {
      OTELCOL_LISTEN_HOST: '127.0.0.1',
      OTELCOL_SAMPLER_RESOLVER: '{"static":{"hostnames":["127.0.0.1:14417"]}}',
      OTELCOL_LOGS_EXPORTER: 'file/logs',
    },
    ready: 'http://127.0.0.1:13133/',
  },
] as const;

/** Starts Jaeger, the sampler and the first tier; the services export to the first tier. */
export async function startProjectCollector(): Promise<Endpoint> {
  execFileSync('bash', [join(ROOT, 'deploy/local/install-tools.sh'), 'jaeger', 'otelcol'], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const dir = mkdtempSync(join(os.tmpdir(), 'obs-bench-collector-'));
  const children: ChildProcess[] = [];
  const close = async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((exited) => {
            if (child.exitCode !== null) return exited();
            child.once('exit', () => exited());
            child.kill('SIGTERM');
          }),
      ),
    );
  };
  for (const [index, { name, args, env, ready }] of PROCESSES.entries()) {
    const log = openSync(join(dir, `${index}-${name}.log`), 'w');
    const child = spawn(join(BIN, name), args, {
      env: { ...process.env, ...env, OTELCOL_LOGS_FILE: join(dir, 'logs.jsonl') },
      stdio: ['ignore', log, log],
    });
    children.push(child);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const up = await fetch(ready).then(
        (response) => response.ok,
        () => false,
      );
      if (up) break;
      if (child.exitCode !== null || Date.now() > deadline) {
        await close();
        fail(`${name} (${args[0]}) did not become ready: see ${dir} (is the local stack running?)`);
      }
      await new Promise((wake) => setTimeout(wake, 250));
    }
  }
  return {
    url: 'http://127.0.0.1:4318',
    // Export requests are not counted here; the Collector's own metrics (:8888) have the spans.
    take: () => ({ requests: 0, bytes: 0 }),
    close,
  };
}
