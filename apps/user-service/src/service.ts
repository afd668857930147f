import type { ServiceConfigOptions } from '@obs/service-kit';

export const SERVICE: ServiceConfigOptions = {
  serviceName: 'user-service',
  jwt: true,
};
