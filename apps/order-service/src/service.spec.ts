import { loadConfig } from '@obs/service-kit';
import { SERVICE } from './service';

describe("order-service's configuration", () => {
  it('reconciles every thirty seconds by default', () => {
    expect(loadConfig(SERVICE, {}).ORDER_RECONCILE_INTERVAL_MS).toBe(30_000);
    expect(loadConfig(SERVICE, { ORDER_RECONCILE_INTERVAL_MS: '750' })).toMatchObject({
      ORDER_RECONCILE_INTERVAL_MS: 750,
    });
  });

  it.each(['soon', '50'])(
    'stops at start on ORDER_RECONCILE_INTERVAL_MS=%s, naming it',
    (value) => {
      expect(() => loadConfig(SERVICE, { ORDER_RECONCILE_INTERVAL_MS: value })).toThrow(
        /^invalid configuration for order-service: ORDER_RECONCILE_INTERVAL_MS /,
      );
    },
  );

  it('does not read the variables of product-service', () => {
    expect(loadConfig(SERVICE, { RESERVATION_TTL_MS: '1' })).not.toHaveProperty(
      'RESERVATION_TTL_MS',
    );
  });
});
