import type { ConfigOf, ServiceDefinition } from '@obs/service-kit';
import { z } from 'zod';

/** The gateway's place in the topology and the variables only it reads. */
export const SERVICE = {
  serviceName: 'api-gateway',
  jwt: true,
  variables: {
    /** Agents run several tool calls in a row, so the gateway waits longer for them. */
    AGENT_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  },
} as const satisfies ServiceDefinition;

export type GatewayConfig = ConfigOf<typeof SERVICE>;
