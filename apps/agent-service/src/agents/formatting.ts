import type { OrderDto } from '@obs/api-contracts';

/** Prices and totals in the shop currency, always with cents. */
export function formatMoney(amount: number): string {
  return amount.toFixed(2);
}

/** "1 order", "3 orders". */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** The day an order was placed, from its ISO timestamp. */
export function orderDate(order: OrderDto): string {
  return order.createdAt.slice(0, 10);
}

/** Orders newest first, whatever order the service listed them in. */
export function newestFirst(orders: OrderDto[]): OrderDto[] {
  return [...orders].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
}
