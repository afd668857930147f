import type { OrderDto } from '@obs/api-contracts';
import type { AgentContext, AgentDefinition } from './agent-definition';
import { formatMoney, newestFirst, orderDate, plural } from './formatting';

export interface OrderAssistantPlan {
  userId: string;
  /** The order asked about; without one the agent reports on the most recent. */
  orderId?: string;
}

/** Reports where one of the caller's orders stands. */
export const orderAssistantAgent: AgentDefinition<OrderAssistantPlan> = {
  type: 'order-assistant',
  description:
    'Tells you the status of an order: the one you name (its id or context.orderId), else your latest.',
  tools: ['list_orders', 'get_order'],

  plan: ({ input, context, callerId }) => ({
    userId: callerId,
    orderId: findOrderId(input, context),
  }),

  async act({ userId, orderId: requested }, run, tools) {
    const orders = await run.call(tools.listOrders, userId, "list the caller's orders");
    if (!requested && orders.length === 0) return 'You have no orders yet.';
    const orderId = requested ?? newestFirst(orders)[0].id;
    const order = await run.call(
      tools.getOrder,
      { userId, orderId },
      requested ? `fetch order ${orderId}, named in the request` : 'fetch the most recent order',
    );
    return describeOrder(order, orders.length);
  },
};

const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/i;

/** context.orderId when given, else the first UUID written in the input. */
export function findOrderId(input: string, context: AgentContext): string | undefined {
  return context.orderId ?? UUID.exec(input)?.[0].toLowerCase();
}

function describeOrder(order: OrderDto, orderCount: number): string {
  const items = order.items.map((item) => `${item.quantity} x ${item.name}`).join(', ');
  const status = order.status === 'cancelled' ? 'cancelled and its stock released' : order.status;
  return (
    `Order ${order.id}, placed on ${orderDate(order)}, is ${status}: ${items}; ` +
    `total ${formatMoney(order.total)}. You have ${plural(orderCount, 'order')} in all.`
  );
}
