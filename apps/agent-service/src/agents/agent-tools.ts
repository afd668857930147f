import { Injectable } from '@nestjs/common';
import type { OrderDto, ProductDto, ProductPageDto, UserDto } from '@obs/api-contracts';
import { onBehalfOf, UpstreamClients } from '@obs/service-kit';

export const TOOL_NAMES = [
  'search_products',
  'get_product',
  'get_user_profile',
  'list_orders',
  'get_order',
] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

/** A function an agent may call. Each call is one step and one `execute_tool` span. */
export interface Tool<Args, Result> {
  name: ToolName;
  description: string;
  /** `callerId`: the user the agent runs for, forwarded to the service called. */
  call(args: Args, callerId: string): Promise<Result>;
  /** What the step shows of the result: enough to follow the agent, nothing more. */
  summarise(result: Result): unknown;
}

/** How many products one search returns: enough to choose from, small enough to read. */
export const SEARCH_LIMIT = 5;

/** The tools, each a call to another service on behalf of the caller. */
@Injectable()
export class AgentTools {
  readonly searchProducts: Tool<string, ProductPageDto>;
  readonly getProduct: Tool<number, ProductDto>;
  readonly getUserProfile: Tool<string, UserDto>;
  readonly listOrders: Tool<string, OrderDto[]>;
  readonly getOrder: Tool<{ userId: string; orderId: string }, OrderDto>;

  constructor(upstreams: UpstreamClients) {
    const products = upstreams.for('product-service');
    const users = upstreams.for('user-service');
    const orders = upstreams.for('order-service');
    // Every call carries the caller's id: order-service shows a user their own orders only,
    // and each service called records the user it acts for.

    this.searchProducts = {
      name: 'search_products',
      description: `Searches the catalogue by name, description or category; returns up to ${SEARCH_LIMIT} products.`,
      call: (query, callerId) => {
        const search = new URLSearchParams({
          ...(query ? { q: query } : {}),
          limit: String(SEARCH_LIMIT),
        });
        return products.expectOk<ProductPageDto>(`/products?${search}`, onBehalfOf(callerId));
      },
      summarise: (page) => ({
        total: page.total,
        items: page.items.map(({ id, name, price, stock }) => ({ id, name, price, stock })),
      }),
    };
    this.getProduct = {
      name: 'get_product',
      description: 'Reads one product with its current price and stock.',
      call: (id, callerId) =>
        products.expectOk<ProductDto>(`/products/${id}`, onBehalfOf(callerId)),
      summarise: ({ id, name, price, stock }) => ({ id, name, price, stock }),
    };
    this.getUserProfile = {
      name: 'get_user_profile',
      description: "Reads the caller's profile.",
      call: (userId, callerId) =>
        users.expectOk<UserDto>(
          `/internal/users/${encodeURIComponent(userId)}`,
          onBehalfOf(callerId),
        ),
      summarise: ({ id, name }) => ({ id, name }),
    };
    this.listOrders = {
      name: 'list_orders',
      description: "Lists the caller's orders.",
      call: (_userId, callerId) => orders.expectOk<OrderDto[]>('/orders', onBehalfOf(callerId)),
      summarise: (list) => ({ count: list.length }),
    };
    this.getOrder = {
      name: 'get_order',
      description: "Reads one of the caller's orders.",
      call: ({ orderId }, callerId) =>
        orders.expectOk<OrderDto>(`/orders/${encodeURIComponent(orderId)}`, onBehalfOf(callerId)),
      summarise: ({ id, status, total, items }) => ({ id, status, total, items: items.length }),
    };
  }
}
