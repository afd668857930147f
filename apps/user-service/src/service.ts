import type { ConfigOf, ServiceDefinition } from '@obs/service-kit';
import { z } from 'zod';

/** user-service's place in the topology and the variables only it reads. */
export const SERVICE = {
  serviceName: 'user-service',
  jwt: true,
  variables: {
    /** How long an access token it issues stays valid. */
    JWT_EXPIRES_IN_SECONDS: z.coerce.number().int().positive().default(3_600),
  },
} as const satisfies ServiceDefinition;

export type UserServiceConfig = ConfigOf<typeof SERVICE>;
