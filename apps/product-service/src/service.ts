import type { ConfigOf, ServiceDefinition } from '@obs/service-kit';
import { z } from 'zod';

/** product-service's place in the topology and the variables only it reads. */
export const SERVICE = {
  serviceName: 'product-service',
  variables: {
    /** How long reserved stock stays held for an order that has not confirmed it. */
    RESERVATION_TTL_MS: z.coerce.number().int().min(1_000).default(120_000),
    /** How often the stock of expired reservations is returned. */
    RESERVATION_SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).default(10_000),
  },
} as const satisfies ServiceDefinition;

export type ProductServiceConfig = ConfigOf<typeof SERVICE>;
