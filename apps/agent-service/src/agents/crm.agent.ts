import type { OrderDto, UserDto } from '@obs/api-contracts';
import type { AgentDefinition } from './agent-definition';
import { formatMoney, newestFirst, orderDate, plural } from './formatting';

interface CrmPlan {
  userId: string;
}

/** Summarises the calling customer: who they are and what they have bought. */
export const crmAgent: AgentDefinition<CrmPlan> = {
  type: 'crm',
  description:
    'Summarises your customer record: profile, number of orders, total spent and last order.',
  tools: ['get_user_profile', 'list_orders'],

  plan: ({ callerId }) => ({ userId: callerId }),

  async act({ userId }, run, tools) {
    const user = await run.call(tools.getUserProfile, userId, "look up the customer's profile");
    const orders = await run.call(tools.listOrders, userId, "review the customer's order history");
    return summariseCustomer(user, orders);
  },
};

function summariseCustomer(user: UserDto, orders: OrderDto[]): string {
  if (orders.length === 0) return `${user.name} has no orders yet.`;
  const confirmed = orders.filter((order) => order.status === 'confirmed');
  const spent = confirmed.reduce((sum, order) => sum + order.total, 0);
  const cancelled = orders.length - confirmed.length;
  const [last] = newestFirst(orders);
  return (
    `${user.name} has ${plural(orders.length, 'order')}` +
    (cancelled > 0 ? ` (${cancelled} cancelled)` : '') +
    ` and has spent ${formatMoney(spent)} in total. ` +
    `Last order: ${last.id} on ${orderDate(last)}, ${last.status}, ${formatMoney(last.total)}.`
  );
}
