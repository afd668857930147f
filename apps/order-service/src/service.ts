import type { ConfigOf, ServiceDefinition } from '@obs/service-kit';
import { z } from 'zod';

/** order-service's place in the topology and the variables only it reads. */
export const SERVICE = {
  serviceName: 'order-service',
  variables: {
    /** How often orders a crash left pending or cancelling are finished. */
    ORDER_RECONCILE_INTERVAL_MS: z.coerce.number().int().min(100).default(30_000),
  },
} as const satisfies ServiceDefinition;

export type OrderServiceConfig = ConfigOf<typeof SERVICE>;
