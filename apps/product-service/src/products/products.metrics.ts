import { makeCounterProvider } from '@obs/telemetry';

export const STOCK_RESERVATIONS_TOTAL = 'stock_reservations_total';

export const productMetricProviders = [
  makeCounterProvider({
    name: STOCK_RESERVATIONS_TOTAL,
    help: 'Stock reservation outcomes: reserved, insufficient (409), confirmed, released, or expired (swept back into stock).',
    labelNames: ['result'],
  }),
];
