import type { ServiceDefinition } from '@obs/service-kit';

/** agent-service's place in the topology; it reads only the common variables. */
export const SERVICE = { serviceName: 'agent-service' } as const satisfies ServiceDefinition;
