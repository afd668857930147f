import type { ServiceConfigOptions } from '@obs/service-kit';

export const SERVICE: ServiceConfigOptions = {
  serviceName: 'api-gateway',
  jwt: true,
};
