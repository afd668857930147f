import {
  callersOf,
  defaultUrl,
  EDGE_SERVICE,
  SERVICE_NAMES,
  type ServiceName,
  TOPOLOGY,
  UPSTREAM_SERVICE_NAMES,
  urlVariableOf,
} from './topology';

describe('the service topology', () => {
  it('calls only services it knows, never the edge, never itself', () => {
    for (const name of SERVICE_NAMES) {
      for (const callee of TOPOLOGY[name].calls) {
        expect(SERVICE_NAMES).toContain(callee);
        expect(callee).not.toBe(EDGE_SERVICE);
        expect(callee).not.toBe(name);
      }
    }
  });

  it('has no cycle: no service reaches itself through the services it calls', () => {
    const reaches = (from: ServiceName, seen: ServiceName[] = []): ServiceName[] =>
      TOPOLOGY[from].calls.flatMap((callee) =>
        seen.includes(callee) ? [callee] : [callee, ...reaches(callee, [...seen, callee])],
      );
    for (const name of SERVICE_NAMES) expect(reaches(name)).not.toContain(name);
  });

  it('gives every service that is called a URL variable, and only those', () => {
    for (const name of SERVICE_NAMES) {
      const called = callersOf(name).length > 0;
      expect([name, TOPOLOGY[name].urlVariable !== undefined]).toEqual([name, called]);
      if (called) expect(urlVariableOf(name)).toMatch(/^[A-Z][A-Z_]*_URL$/);
    }
    expect(() => urlVariableOf(EDGE_SERVICE)).toThrow(`${EDGE_SERVICE} has no URL variable`);
    expect(UPSTREAM_SERVICE_NAMES).toEqual(SERVICE_NAMES.filter((name) => name !== EDGE_SERVICE));
  });

  it('gives each service its own port, database and URL variable', () => {
    const distinct = (values: unknown[]) => new Set(values).size === values.length;
    const specs = SERVICE_NAMES.map((name) => TOPOLOGY[name]);
    expect(distinct(specs.map((spec) => spec.port))).toBe(true);
    expect(distinct(specs.flatMap((spec) => spec.database ?? []))).toBe(true);
    expect(distinct(specs.flatMap((spec) => spec.urlVariable ?? []))).toBe(true);
    expect(defaultUrl('order-service')).toBe('http://localhost:8083');
    expect(callersOf('order-service')).toEqual(['api-gateway', 'agent-service']);
  });
});
