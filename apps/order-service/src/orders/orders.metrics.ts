import { makeCounterProvider } from '@obs/telemetry';

export const ORDERS_CREATED_TOTAL = 'orders_created_total';
export const ORDER_VALUE_TOTAL = 'order_value_total';
export const ORDERS_CANCELLED_TOTAL = 'orders_cancelled_total';
export const ORDERS_RECONCILED_TOTAL = 'orders_reconciled_total';

export const orderMetricProviders = [
  makeCounterProvider({
    name: ORDERS_CREATED_TOTAL,
    help: 'Order attempts, by status: confirmed, rejected (stock short) or failed.',
    labelNames: ['status'],
  }),
  makeCounterProvider({
    name: ORDER_VALUE_TOTAL,
    help: 'Sum of the totals of confirmed orders, in the shop currency.',
  }),
  makeCounterProvider({
    name: ORDERS_CANCELLED_TOTAL,
    help: 'Orders cancelled, their stock released.',
  }),
  makeCounterProvider({
    name: ORDERS_RECONCILED_TOTAL,
    help: 'Orders a crash left half done, finished by the reconciler: confirmed, abandoned (reservation expired) or cancelled.',
    labelNames: ['result'],
  }),
];
