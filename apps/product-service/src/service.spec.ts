import { loadConfig } from '@obs/service-kit';
import { SERVICE } from './service';

describe("product-service's configuration", () => {
  it('holds reserved stock two minutes and sweeps every ten seconds by default', () => {
    expect(loadConfig(SERVICE, {})).toMatchObject({
      RESERVATION_TTL_MS: 120_000,
      RESERVATION_SWEEP_INTERVAL_MS: 10_000,
    });
    expect(loadConfig(SERVICE, { RESERVATION_TTL_MS: '5000' }).RESERVATION_TTL_MS).toBe(5_000);
  });

  it.each([
    ['RESERVATION_TTL_MS', '500'],
    ['RESERVATION_SWEEP_INTERVAL_MS', '0'],
    ['RESERVATION_SWEEP_INTERVAL_MS', 'soon'],
  ])('stops at start on %s=%s, naming it', (variable, value) => {
    expect(() => loadConfig(SERVICE, { [variable]: value })).toThrow(
      new RegExp(`^invalid configuration for product-service: ${variable} `),
    );
  });
});
