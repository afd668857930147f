import { Injectable } from '@nestjs/common';
import type { OrderDto, ProductDto, ProductPageDto, UserDto } from '@obs/api-contracts';
import { CALLER_ID_HEADER, UpstreamClients } from '@obs/service-kit';

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
  call(args: Args): Promise<Result>;
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
    // order-service only shows a user their own orders: the caller's id travels with the call.
    const asUser = (userId: string) => ({ headers: { [CALLER_ID_HEADER]: userId } });

    this.searchProducts = {
      name: 'search_products',
      description: `Searches the catalogue by name, description or category; returns up to ${SEARCH_LIMIT} products.`,
      call: (query) => {
        const search = new URLSearchParams({
          ...(query ? { q: query } : {}),
          limit: String(SEARCH_LIMIT),
        });
        return products.expectOk<ProductPageDto>(`/products?${search}`);
      },
      summarise: (page) => ({
        total: page.total,
        items: page.items.map(({ id, name, price, stock }) => ({ id, name, price, stock })),
      }),
    };
    this.getProduct = {
      name: 'get_product',
      description: 'Reads one product with its current price and stock.',
      call: (id) => products.expectOk<ProductDto>(`/products/${id}`),
      summarise: ({ id, name, price, stock }) => ({ id, name, price, stock }),
    };
    this.getUserProfile = {
      name: 'get_user_profile',
      description: "Reads the caller's profile.",
      call: (userId) => users.expectOk<UserDto>(`/internal/users/${encodeURIComponent(userId)}`),
      summarise: ({ id, name }) => ({ id, name }),
    };
    this.listOrders = {
      name: 'list_orders',
      description: "Lists the caller's orders.",
      call: (userId) => orders.expectOk<OrderDto[]>('/orders', asUser(userId)),
      summarise: (list) => ({ count: list.length }),
    };
    this.getOrder = {
      name: 'get_order',
      description: "Reads one of the caller's orders.",
      call: ({ userId, orderId }) =>
        orders.expectOk<OrderDto>(`/orders/${encodeURIComponent(orderId)}`, asUser(userId)),
      summarise: ({ id, status, total, items }) => ({ id, status, total, items: items.length }),
    };
  }
}
