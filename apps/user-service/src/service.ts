import type { ServiceConfigOptions } from '@obs/service-kit';

export const SERVICE: ServiceConfigOptions = {
  serviceName: 'user-service',
  defaultPort: 8081,
  jwt: true,
};
