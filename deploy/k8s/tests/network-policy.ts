// Kubernetes NetworkPolicy semantics (networking.k8s.io/v1), evaluated offline: given the
// policies and the endpoints of a cluster, may a connection from one endpoint reach another on
// a port? What the CNI enforces, as the API reference and the concepts page define it:
// - a pod selected by no policy of a direction is open in that direction; once selected by any
//   policy of that direction (policyTypes), only what some rule of those policies allows passes;
// - a rule with no `from`/`to` matches every peer, one with no `ports` every port; the peers of
//   a rule are ORed, and `namespaceSelector` with `podSelector` in ONE peer are ANDed;
// - a `podSelector` alone selects pods in the policy's own namespace;
// - `ipBlock` matches endpoints outside the cluster here (for pod IPs the API leaves it to the
//   implementation, so the project's policies never rely on it);
// - a port is a number or the name of the destination's container port, protocol TCP unless
//   given, `endPort` a range;
// - a connection passes when the source's egress and the destination's ingress both allow it.

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

interface PolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}

interface PolicyPort {
  protocol?: string;
  port?: number | string;
  endPort?: number;
}

interface PolicyRule {
  from?: PolicyPeer[];
  to?: PolicyPeer[];
  ports?: PolicyPort[];
}

export interface NetworkPolicy {
  metadata: { name: string; namespace?: string };
  spec: {
    podSelector: LabelSelector;
    policyTypes?: ('Ingress' | 'Egress')[];
    ingress?: PolicyRule[];
    egress?: PolicyRule[];
  };
}

export interface Port {
  port: number;
  protocol: 'TCP' | 'UDP' | 'SCTP';
  /** A container port's name, which a policy may use instead of the number. */
  name?: string;
}

/** A pod (namespace and labels) or an address outside the cluster (ip). */
export interface Endpoint {
  id: string;
  namespace?: string;
  /** The namespace's labels; `kubernetes.io/metadata.name` is always there. */
  namespaceLabels?: Record<string, string>;
  labels?: Record<string, string>;
  ip?: string;
  ports: Port[];
}

export function selects(selector: LabelSelector, labels: Record<string, string> = {}): boolean {
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpressions = (selector.matchExpressions ?? []).every(
    ({ key, operator, values = [] }) => {
      switch (operator) {
        case 'In':
          return key in labels && values.includes(labels[key]);
        case 'NotIn':
          return !(key in labels) || !values.includes(labels[key]);
        case 'Exists':
          return key in labels;
        case 'DoesNotExist':
          return !(key in labels);
        default:
          throw new Error(`unknown selector operator ${operator}`);
      }
    },
  );
  return byLabels && byExpressions;
}

function ipv4(address: string): number {
  const parts = address.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new Error(`not an IPv4 address: ${address}`);
  }
  return parts.reduce((value, part) => value * 256 + part, 0);
}

function inCidr(address: string, cidr: string): boolean {
  const [network, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  return Math.floor(ipv4(address) / size) === Math.floor(ipv4(network) / size);
}

function namespaceLabels(endpoint: Endpoint): Record<string, string> {
  return { ...endpoint.namespaceLabels, 'kubernetes.io/metadata.name': endpoint.namespace! };
}

function peerMatches(peer: PolicyPeer, policyNamespace: string, endpoint: Endpoint): boolean {
  if (peer.ipBlock) {
    const { cidr, except = [] } = peer.ipBlock;
    return (
      endpoint.ip !== undefined &&
      inCidr(endpoint.ip, cidr) &&
      !except.some((excluded) => inCidr(endpoint.ip!, excluded))
    );
  }
  if (endpoint.namespace === undefined) return false;
  const namespaceOk = peer.namespaceSelector
    ? selects(peer.namespaceSelector, namespaceLabels(endpoint))
    : endpoint.namespace === policyNamespace;
  return namespaceOk && selects(peer.podSelector ?? {}, endpoint.labels);
}

function portMatches(rulePort: PolicyPort, destination: Endpoint, port: Port): boolean {
  if ((rulePort.protocol ?? 'TCP') !== port.protocol) return false;
  if (rulePort.port === undefined) return true;
  if (typeof rulePort.port === 'string') {
    return destination.ports.some(
      (p) => p.name === rulePort.port && p.port === port.port && p.protocol === port.protocol,
    );
  }
  return port.port >= rulePort.port && port.port <= (rulePort.endPort ?? rulePort.port);
}

function policyTypes(policy: NetworkPolicy): string[] {
  return policy.spec.policyTypes ?? ['Ingress', ...(policy.spec.egress ? ['Egress'] : [])];
}

/** Does `direction` of `subject`'s policies let it talk to `peer` on `port` of `destination`? */
function directionAllows(
  policies: NetworkPolicy[],
  direction: 'Ingress' | 'Egress',
  subject: Endpoint,
  peer: Endpoint,
  destination: Endpoint,
  port: Port,
): boolean {
  if (subject.namespace === undefined) return true; // outside the cluster: no policies
  const applying = policies.filter(
    (policy) =>
      policy.metadata.namespace === subject.namespace &&
      policyTypes(policy).includes(direction) &&
      selects(policy.spec.podSelector, subject.labels),
  );
  if (applying.length === 0) return true;
  return applying.some((policy) =>
    ((direction === 'Ingress' ? policy.spec.ingress : policy.spec.egress) ?? []).some((rule) => {
      const peers = direction === 'Ingress' ? rule.from : rule.to;
      const peerOk =
        !peers?.length || peers.some((p) => peerMatches(p, policy.metadata.namespace!, peer));
      const portOk =
        !rule.ports?.length || rule.ports.some((p) => portMatches(p, destination, port));
      return peerOk && portOk;
    }),
  );
}

/** Whether a connection from `source` to `destination` on `port` passes every policy. */
export function allows(
  policies: NetworkPolicy[],
  source: Endpoint,
  destination: Endpoint,
  port: Port,
): boolean {
  return (
    directionAllows(policies, 'Egress', source, destination, destination, port) &&
    directionAllows(policies, 'Ingress', destination, source, destination, port)
  );
}
