// The NetworkPolicy evaluator against the cases the Kubernetes documentation spells out
// (concepts/services-networking/network-policies): node --test deploy/k8s/tests/
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Endpoint, type NetworkPolicy, allows } from './network-policy.ts';

const tcp = (port: number, name?: string) => ({ port, protocol: 'TCP' as const, name });
const pod = (
  id: string,
  namespace: string,
  labels: Record<string, string>,
  ports = [tcp(80)],
): Endpoint => ({
  id,
  namespace,
  labels,
  ports,
  namespaceLabels: namespace === 'alice' ? { user: 'alice' } : {},
});
const policy = (namespace: string, spec: NetworkPolicy['spec']): NetworkPolicy => ({
  metadata: { name: 'p', namespace },
  spec,
});

const db = pod('db', 'default', { role: 'db' }, [tcp(5432, 'postgres'), tcp(9187, 'metrics')]);
const client = pod('client', 'default', { role: 'client' });
const aliceClient = pod('alice-client', 'alice', { role: 'client' });
const aliceOther = pod('alice-other', 'alice', { role: 'other' });
const outside: Endpoint = { id: 'outside', ip: '172.17.1.5', ports: [tcp(443)] };

test('with no policy every connection passes', () => {
  assert.ok(allows([], client, db, tcp(5432)));
});

test('a pod selected for ingress with no rules accepts nothing; its egress stays open', () => {
  const denyIngress = policy('default', { podSelector: {}, policyTypes: ['Ingress'] });
  assert.ok(!allows([denyIngress], client, db, tcp(5432)));
  assert.ok(allows([denyIngress], db, outside, tcp(443)));
});

test('policyTypes defaults to Ingress, plus Egress only when egress rules are present', () => {
  const ingressOnly = policy('default', {
    podSelector: { matchLabels: { role: 'db' } },
    ingress: [],
  });
  assert.ok(!allows([ingressOnly], client, db, tcp(5432)));
  assert.ok(allows([ingressOnly], db, outside, tcp(443)));
  const egressToo = policy('default', { podSelector: { matchLabels: { role: 'db' } }, egress: [] });
  assert.ok(!allows([egressToo], db, outside, tcp(443)));
});

test('namespaceSelector and podSelector in one peer are ANDed, in two peers ORed', () => {
  const selector = {
    namespaceSelector: { matchLabels: { user: 'alice' } },
    podSelector: { matchLabels: { role: 'client' } },
  };
  const and = policy('default', {
    podSelector: { matchLabels: { role: 'db' } },
    ingress: [{ from: [selector] }],
  });
  assert.ok(allows([and], aliceClient, db, tcp(5432)));
  assert.ok(!allows([and], aliceOther, db, tcp(5432)));
  assert.ok(!allows([and], client, db, tcp(5432)));

  const or = policy('default', {
    podSelector: { matchLabels: { role: 'db' } },
    ingress: [
      {
        from: [
          { namespaceSelector: selector.namespaceSelector },
          { podSelector: selector.podSelector },
        ],
      },
    ],
  });
  assert.ok(allows([or], aliceOther, db, tcp(5432)));
  assert.ok(allows([or], client, db, tcp(5432)));
});

test('a podSelector alone selects pods of the policy namespace only', () => {
  const local = policy('default', {
    podSelector: { matchLabels: { role: 'db' } },
    ingress: [{ from: [{ podSelector: { matchLabels: { role: 'client' } } }] }],
  });
  assert.ok(allows([local], client, db, tcp(5432)));
  assert.ok(!allows([local], aliceClient, db, tcp(5432)));
});

test('ports by number, by the container port name and as a range; protocol TCP by default', () => {
  const ports = (p: { protocol?: string; port?: number | string; endPort?: number }) =>
    policy('default', { podSelector: { matchLabels: { role: 'db' } }, ingress: [{ ports: [p] }] });
  assert.ok(allows([ports({ port: 5432 })], client, db, tcp(5432)));
  assert.ok(!allows([ports({ port: 5432 })], client, db, tcp(9187)));
  assert.ok(allows([ports({ port: 'metrics' })], client, db, tcp(9187)));
  assert.ok(!allows([ports({ port: 'metrics' })], client, db, tcp(5432)));
  assert.ok(allows([ports({ port: 5000, endPort: 6000 })], client, db, tcp(5432)));
  assert.ok(!allows([ports({ port: 5432, protocol: 'UDP' })], client, db, tcp(5432)));
});

test('ipBlock matches addresses outside the cluster, minus its exceptions', () => {
  const egress = policy('default', {
    podSelector: { matchLabels: { role: 'db' } },
    egress: [{ to: [{ ipBlock: { cidr: '172.17.0.0/16', except: ['172.17.1.0/24'] } }] }],
  });
  assert.ok(!allows([egress], db, outside, tcp(443)));
  assert.ok(allows([egress], db, { ...outside, ip: '172.17.2.5' }, tcp(443)));
  assert.ok(!allows([egress], db, client, tcp(80)));
});

test('a connection needs the egress of its source and the ingress of its destination', () => {
  const clientEgress = policy('default', {
    podSelector: { matchLabels: { role: 'client' } },
    egress: [{ to: [{ podSelector: { matchLabels: { role: 'db' } } }] }],
  });
  const dbIngress = policy('default', {
    podSelector: { matchLabels: { role: 'db' } },
    ingress: [{ from: [{ podSelector: { matchLabels: { role: 'other' } } }] }],
  });
  assert.ok(allows([clientEgress], client, db, tcp(5432)));
  assert.ok(!allows([clientEgress, dbIngress], client, db, tcp(5432)));
  assert.ok(!allows([clientEgress], client, outside, tcp(443)));
});
