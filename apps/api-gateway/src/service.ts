import type { ServiceConfigOptions } from '@obs/service-kit';

export const SERVICE: ServiceConfigOptions = {
  serviceName: 'api-gateway',
  defaultPort: 8080,
  jwt: true,
};
