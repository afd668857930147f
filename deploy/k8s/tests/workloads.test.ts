// Assertions on what each overlay renders (`kustomize build`; .tools/bin/kustomize when
// install-tools.sh built it, else `kubectl kustomize`), checked against the service topology
// (libs/api-contracts/src/topology.ts): every service runs as a replicated, disruption-budgeted,
// autoscaled, spread workload; its pods carry their environment, namespace and identity as
// OpenTelemetry resource attributes; and the NetworkPolicies, evaluated for every pair of
// endpoints, allow exactly the topology's calls, the scrape and the infrastructure a service
// needs. Run by `npm run test:stack`; alone: node --test deploy/k8s/tests/
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import {
  EDGE_SERVICE,
  SERVICE_NAMES,
  type ServiceName,
  TOPOLOGY,
} from '../../../libs/api-contracts/src/topology.ts';
import { type Endpoint, type NetworkPolicy, type Port, allows, selects } from './network-policy.ts';

const repo = new URL('../../../', import.meta.url).pathname;
const OVERLAYS = { dev: 'shop-dev', production: 'shop' } as const;
type Overlay = keyof typeof OVERLAYS;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rendered objects, checked field by field
type K8sObject = { apiVersion: string; kind: string; metadata: any; spec?: any; data?: any };

function build(path: string): K8sObject[] {
  const kustomize = `${repo}.tools/bin/kustomize`;
  const [command, args] = existsSync(kustomize)
    ? [kustomize, ['build', path]]
    : ['kubectl', ['kustomize', path]];
  const text = execFileSync(command, args, { cwd: repo, encoding: 'utf8' });
  return parseAllDocuments(text).map((doc) => doc.toJS() as K8sObject);
}

const rendered = Object.fromEntries(
  Object.keys(OVERLAYS).map((overlay) => [overlay, build(`deploy/k8s/overlays/${overlay}`)]),
) as Record<Overlay, K8sObject[]>;
const observability = build('deploy/k8s/observability');

const ofKind = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);
const named = (objects: K8sObject[], kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name);

/** The container's environment as the kubelet builds it: envFrom, then env with $(VAR) expanded. */
function containerEnv(objects: K8sObject[], deployment: K8sObject, podName: string) {
  const container = deployment.spec.template.spec.containers[0];
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef)
      Object.assign(env, named(objects, 'ConfigMap', source.configMapRef.name)?.data);
  }
  const fields: Record<string, string> = {
    'metadata.namespace': deployment.metadata.namespace,
    'metadata.name': podName,
    'spec.nodeName': 'node-1',
  };
  for (const variable of container.env ?? []) {
    if (variable.valueFrom?.fieldRef)
      env[variable.name] = fields[variable.valueFrom.fieldRef.fieldPath];
    else if (variable.value !== undefined) {
      env[variable.name] = variable.value.replace(
        /\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g,
        (ref: string, name?: string) => (name === undefined ? '$' : (env[name] ?? ref)),
      );
    }
  }
  return env;
}

for (const [overlay, namespace] of Object.entries(OVERLAYS) as [Overlay, string][]) {
  const objects = rendered[overlay];

  describe(`overlay ${overlay}`, () => {
    test(`every object is in namespace ${namespace}`, () => {
      for (const object of objects)
        assert.equal(
          object.metadata.namespace,
          namespace,
          `${object.kind}/${object.metadata.name}`,
        );
    });

    for (const name of SERVICE_NAMES) {
      test(`${name}: replicated (HPA min >= 2 owns the count), PDB, spread, port of the topology`, () => {
        const deployment = named(objects, 'Deployment', name);
        assert.ok(deployment, `no Deployment ${name}`);
        const pod = deployment.spec.template;
        assert.equal(
          deployment.spec.replicas,
          undefined,
          'spec.replicas would fight the HPA on every apply',
        );

        const hpa = ofKind(objects, 'HorizontalPodAutoscaler').find(
          (h) => h.spec.scaleTargetRef.kind === 'Deployment' && h.spec.scaleTargetRef.name === name,
        );
        assert.ok(hpa, `no HorizontalPodAutoscaler targets Deployment ${name}`);
        assert.equal(hpa.apiVersion, 'autoscaling/v2');
        assert.ok(hpa.spec.minReplicas >= 2, `minReplicas ${hpa.spec.minReplicas}`);
        assert.ok(hpa.spec.maxReplicas >= hpa.spec.minReplicas);

        const pdbs = ofKind(objects, 'PodDisruptionBudget').filter((p) =>
          selects(p.spec.selector, pod.metadata.labels),
        );
        assert.equal(pdbs.length, 1, `PodDisruptionBudgets selecting ${name}'s pods`);
        const { maxUnavailable, minAvailable } = pdbs[0].spec;
        assert.ok(
          maxUnavailable === 1 ||
            (typeof minAvailable === 'number' && minAvailable < hpa.spec.minReplicas),
          'the budget lets one pod go',
        );

        const spread = pod.spec.topologySpreadConstraints ?? [];
        assert.deepEqual(spread.map((c: { topologyKey: string }) => c.topologyKey).sort(), [
          'kubernetes.io/hostname',
          'topology.kubernetes.io/zone',
        ]);
        for (const constraint of spread)
          assert.ok(
            selects(constraint.labelSelector, pod.metadata.labels),
            'spread counts its own pods',
          );

        const ports = pod.spec.containers[0].ports.map(
          (p: { containerPort: number }) => p.containerPort,
        );
        assert.deepEqual(ports, [TOPOLOGY[name].port]);
        assert.equal(named(objects, 'Service', name)?.spec.ports[0].port, TOPOLOGY[name].port);
      });

      test(`${name}: environment, namespace and pod identity as resource attributes; version from the image`, () => {
        const deployment = named(objects, 'Deployment', name)!;
        const env = containerEnv(objects, deployment, `${name}-5d9c7b-x2k4q`);
        const attributes = Object.fromEntries(
          env.OTEL_RESOURCE_ATTRIBUTES.split(',').map(
            (pair) => pair.split('=') as [string, string],
          ),
        );
        assert.deepEqual(
          {
            env: attributes['deployment.environment.name'],
            namespace: attributes['k8s.namespace.name'],
            pod: attributes['k8s.pod.name'],
            instance: attributes['service.instance.id'],
          },
          {
            env: overlay,
            namespace,
            pod: `${name}-5d9c7b-x2k4q`,
            instance: `${namespace}.${name}-5d9c7b-x2k4q.${name}`,
          },
        );
        assert.ok(
          !env.OTEL_RESOURCE_ATTRIBUTES.includes('$('),
          `unresolved reference: ${env.OTEL_RESOURCE_ATTRIBUTES}`,
        );
        assert.ok(
          !('service.version' in attributes) && !('SERVICE_VERSION' in env),
          "service.version is the image's",
        );
        for (const upstream of TOPOLOGY[name].calls) {
          assert.equal(
            env[TOPOLOGY[upstream].urlVariable!],
            `http://${upstream}:${TOPOLOGY[upstream].port}`,
          );
        }
      });
    }

    test('every ConfigMap a Deployment reads is generated (name hashed from content): edits roll out', () => {
      for (const deployment of ofKind(objects, 'Deployment')) {
        const sources = deployment.spec.template.spec.containers.flatMap(
          (c: { envFrom?: { configMapRef?: { name: string } }[] }) => c.envFrom ?? [],
        );
        for (const { configMapRef } of sources.filter(
          (s: { configMapRef?: object }) => s.configMapRef,
        )) {
          const name: string = configMapRef.name;
          assert.match(
            name,
            /-[a-z0-9]{10}$/,
            `${deployment.metadata.name} reads ConfigMap ${name}`,
          );
          assert.ok(named(objects, 'ConfigMap', name), `ConfigMap ${name} is rendered`);
        }
      }
    });

    test("NetworkPolicies allow exactly the topology's calls, the scrape and the infrastructure", () => {
      const policies = ofKind(objects, 'NetworkPolicy') as unknown as NetworkPolicy[];
      const tcp = (port: number): Port => ({ port, protocol: 'TCP' });
      const podsOf = (deployments: K8sObject[]): Endpoint[] =>
        deployments.map((d) => ({
          id: `${d.metadata.namespace}/${d.metadata.name}`,
          namespace: d.metadata.namespace,
          labels: d.spec.template.metadata.labels,
          ports: d.spec.template.spec.containers.flatMap(
            (c: {
              ports?: { containerPort: number; name?: string; protocol?: Port['protocol'] }[];
            }) =>
              (c.ports ?? []).map((p) => ({
                port: p.containerPort,
                name: p.name,
                protocol: p.protocol ?? 'TCP',
              })),
          ),
        }));
      const deployments = ofKind(objects, 'Deployment');
      const isService = (d: K8sObject) =>
        (SERVICE_NAMES as readonly string[]).includes(d.metadata.name);
      const services = podsOf(deployments.filter(isService));
      const serviceOf = (e: Endpoint) =>
        services.includes(e) ? (e.labels!['app.kubernetes.io/name'] as ServiceName) : undefined;
      const prometheus: Endpoint = {
        id: 'observability/prometheus',
        namespace: 'observability',
        labels: {
          'app.kubernetes.io/name': 'prometheus',
          'operator.prometheus.io/name': 'kube-prometheus-stack-prometheus',
        },
        ports: [{ ...tcp(9090), name: 'http-web' }],
      };
      const dns: Endpoint = {
        id: 'kube-system/coredns',
        namespace: 'kube-system',
        labels: { 'k8s-app': 'kube-dns' },
        ports: [{ port: 53, protocol: 'UDP' }, tcp(53)],
      };
      const others: Endpoint[] = [
        prometheus,
        dns,
        ...podsOf(ofKind(observability, 'Deployment')), // the Collector, Jaeger
        ...podsOf(deployments.filter((d) => !isService(d))), // e.g. an exporter beside the services
        // Prometheus's labels in a namespace that is not observability.
        { ...prometheus, id: 'monitoring/prometheus', namespace: 'monitoring' },
        {
          id: 'ingress-nginx/controller',
          namespace: 'ingress-nginx',
          labels: { 'app.kubernetes.io/name': 'ingress-nginx' },
          ports: [tcp(80), tcp(443)],
        },
        {
          id: `${namespace}/debug`,
          namespace,
          labels: { 'app.kubernetes.io/name': 'debug' },
          ports: [tcp(8080)],
        },
        // A caller's labels in another namespace (the other overlay's pods).
        ...services.map((s) => ({ ...s, id: `elsewhere/${s.id}`, namespace: 'elsewhere' })),
        {
          id: 'databases/postgresql',
          namespace: 'databases',
          labels: { 'app.kubernetes.io/name': 'postgresql' },
          ports: [tcp(5432)],
        },
        { id: 'managed-postgresql', ip: '10.20.0.5', ports: [tcp(5432)] },
        { id: 'internet', ip: '203.0.113.10', ports: [tcp(80), tcp(443)] },
      ];
      const endpoints = [...services, ...others];

      // What the topology allows, written from the topology without the generator's help.
      const expected = (source: Endpoint, destination: Endpoint, port: Port): boolean => {
        const from = serviceOf(source);
        const to = serviceOf(destination);
        if (to !== undefined && port.port === TOPOLOGY[to].port && port.protocol === 'TCP') {
          if (from !== undefined) return TOPOLOGY[from].calls.includes(to);
          return to === EDGE_SERVICE || source === prometheus;
        }
        if (from !== undefined && to === undefined) {
          const label = destination.labels?.['app.kubernetes.io/name'];
          return (
            (destination === dns && port.port === 53) ||
            (destination.namespace === 'observability' &&
              label === 'otel-collector' &&
              port.port === 4318) ||
            (TOPOLOGY[from].database !== undefined && port.port === 5432 && port.protocol === 'TCP')
          );
        }
        return false;
      };

      const wrong: string[] = [];
      let pairs = 0;
      for (const source of endpoints) {
        for (const destination of endpoints) {
          if (source === destination) continue;
          // Connections between endpoints that are not the project's are no business of its policies.
          if (serviceOf(source) === undefined && serviceOf(destination) === undefined) continue;
          for (const port of destination.ports) {
            pairs++;
            const actual = allows(policies, source, destination, port);
            if (actual !== expected(source, destination, port)) {
              wrong.push(
                `${actual ? 'allowed' : 'denied'}: ${source.id} -> ${destination.id}:${port.port}/${port.protocol}`,
              );
            }
          }
        }
      }
      assert.deepEqual(
        wrong,
        [],
        `${wrong.length} of ${pairs} connections differ from the topology`,
      );
      assert.ok(pairs > 200, `only ${pairs} connections evaluated`);
    });
  });
}

test('dev and production differ in environment name and namespace', () => {
  const environment = (overlay: Overlay) =>
    ofKind(rendered[overlay], 'ConfigMap').find((c) => c.data?.DEPLOYMENT_ENVIRONMENT_NAME)?.data
      .DEPLOYMENT_ENVIRONMENT_NAME;
  assert.notEqual(environment('dev'), environment('production'));
  assert.notEqual(rendered.dev[0].metadata.namespace, rendered.production[0].metadata.namespace);
});

test('the image bakes its version into SERVICE_VERSION, which the services report as service.version', () => {
  const dockerfile = readFileSync(`${repo}deploy/docker/Dockerfile`, 'utf8');
  const runtime = dockerfile.slice(dockerfile.indexOf('AS runtime'));
  assert.match(runtime, /^ARG SERVICE_VERSION(=\S+)?$/m);
  assert.match(runtime, /^ENV SERVICE_VERSION=\$\{SERVICE_VERSION\}$/m);
  for (const name of SERVICE_NAMES) {
    assert.match(
      readFileSync(`${repo}apps/${name}/src/instrumentation.ts`, 'utf8'),
      /serviceVersion: process\.env\.SERVICE_VERSION/,
    );
  }
});

test('base/networkpolicies.yaml is what generate-networkpolicies.ts writes from the topology', () => {
  execFileSync(process.execPath, ['deploy/k8s/generate-networkpolicies.ts', '--check'], {
    cwd: repo,
    stdio: 'pipe',
  });
});
