import type { ServiceConfigOptions } from '@obs/service-kit';

export const SERVICE: ServiceConfigOptions = {
  serviceName: 'product-service',
};
